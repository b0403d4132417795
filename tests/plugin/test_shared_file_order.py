"""Files shared by several tests come out the same whatever order the tests (or xdist workers)
saved in: cassette entries by test node id, then request order, snapshot names in natural order,
the header sorted. Re-sliced answers judge staleness by when things were recorded, not by where
the file keeps them."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

import pytest

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.cassette import load_cassette

SHARED = """
    import os

    import openai
    import pytest


    def client():
        return openai.OpenAI(base_url=os.environ["BASE_URL"], api_key=os.environ["API_KEY"], max_retries=0)


    @pytest.mark.parametrize("n", range(4))
    @pytest.mark.convreplay(cassette="shared", snapshot_file="shared")
    def test_page(conv_snapshot, n):
        pages = client().conversations.items.list(os.environ["CONVERSATION"], limit=2 + n, order="asc")
        conv_snapshot[f"page{n}"].assert_match(pages.data)
"""
REVERSED = """
    def pytest_collection_modifyitems(items):
        items.reverse()
"""


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        monkeypatch.setenv("BASE_URL", emulator.base_url)
        monkeypatch.setenv("API_KEY", emulator.api_key)
        monkeypatch.setenv("CONVERSATION", emulator.seed_conversation(12))
        yield emulator


def recorded_files(pytester: pytest.Pytester, *args: str) -> tuple[str, str]:
    """The shared cassette's and snapshot file's text after recording with ``args``, without what
    changes on every recording (times, request ids)."""
    folder = pytester.path / "cassettes" / "test_shared"
    for path in folder.glob("*") if folder.exists() else ():
        path.unlink()
    pytester.runpytest("--convreplay-record-mode=all", "--convreplay-update", *args).assert_outcomes(passed=4)
    cassette = (folder / "shared.yaml").read_text()
    cassette = re.sub(r"recorded_at: .*", "recorded_at: <time>", cassette)
    cassette = re.sub(r"req_[0-9a-f]+", "req_<id>", cassette)
    return cassette, (folder / "shared.snapshot.yaml").read_text()


def test_shared_files_do_not_depend_on_the_order_tests_saved_in(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(SHARED))
    in_order = recorded_files(pytester)
    pytester.makeconftest(textwrap.dedent(REVERSED))

    assert recorded_files(pytester) == in_order


def test_shared_files_do_not_depend_on_xdist_scheduling(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(SHARED))
    serial = recorded_files(pytester)

    assert recorded_files(pytester, "-n", "2", "--dist", "load") == serial
    assert recorded_files(pytester, "-n", "2", "--dist", "worksteal") == serial


def test_a_shared_cassette_names_who_recorded_each_stretch(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(SHARED))
    pytester.makeconftest(textwrap.dedent(REVERSED))
    recorded_files(pytester)

    loaded = load_cassette(pytester.path / "cassettes" / "test_shared" / "shared.yaml")

    tests = [entry["test"] for entry in loaded.metadata["recorded_by"]]
    assert tests == [f"test_shared.py::test_page[{n}]" for n in range(4)]
    assert [entry["interactions"] for entry in loaded.metadata["recorded_by"]] == [1, 1, 1, 1]
    assert [i["request"]["uri"].split("limit=")[1][0] for i in loaded.interactions] == ["2", "3", "4", "5"]


STALE = """
    import os

    import openai
    import pytest


    def client():
        return openai.OpenAI(base_url=os.environ["BASE_URL"], api_key=os.environ["API_KEY"], max_retries=0)


    @pytest.mark.convreplay(cassette="shared")
    def test_a_adds_an_item():
        client().conversations.items.create(
            os.environ["CONVERSATION"], items=[{"type": "message", "role": "user", "content": "one more"}]
        )


    @pytest.mark.convreplay(cassette="shared")
    def test_z_lists_everything():
        limit = int(os.environ.get("LIMIT", "100"))
        items = list(client().conversations.items.list(os.environ["CONVERSATION"], limit=limit, order="asc"))
        assert len(items) == 12
"""
Z_FIRST = """
    def pytest_collection_modifyitems(items):
        items.sort(key=lambda item: item.name, reverse=True)
"""


def test_a_listing_recorded_before_another_test_s_mutation_is_stale_wherever_the_file_keeps_it(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """test_z lists the conversation, then test_a adds to it; the file keeps test_a's exchange
    first, yet test_z's listing is older than the mutation and answers no new page size."""
    pytester.makepyfile(test_shared=textwrap.dedent(STALE))
    pytester.makeconftest(textwrap.dedent(Z_FIRST))
    pytester.runpytest("--convreplay-record-mode=all").assert_outcomes(passed=2)
    cassette = load_cassette(pytester.path / "cassettes" / "test_shared" / "shared.yaml")
    assert cassette.interactions[0]["request"]["method"] == "POST"  # the mutation comes first in the file
    api.stop()
    monkeypatch.setenv("LIMIT", "5")

    result = pytester.runpytest("-k", "test_z")

    result.assert_outcomes(failed=1, deselected=1)
    assert "limit=5" in result.stdout.str()


def test_order_metadata_a_hand_edit_broke_falls_back_to_file_order(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(STALE))
    pytester.makeconftest(textwrap.dedent(Z_FIRST))
    pytester.runpytest("--convreplay-record-mode=all").assert_outcomes(passed=2)
    path = pytester.path / "cassettes" / "test_shared" / "shared.yaml"
    path.write_text(re.sub(r"interactions: 1", "interactions: 7", path.read_text()))
    api.stop()
    monkeypatch.setenv("LIMIT", "5")

    pytester.runpytest("-k", "test_z").assert_outcomes(passed=1, deselected=1)


def test_every_cassette_says_which_test_recorded_it(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(STALE))
    pytester.runpytest("--convreplay-record-mode=once", "-k", "test_a").assert_outcomes(
        passed=1, deselected=1
    )

    metadata = load_cassette(pytester.path / "cassettes" / "test_shared" / "shared.yaml").metadata

    assert [(e["test"], e["interactions"]) for e in metadata["recorded_by"]] == [
        ("test_shared.py::test_a_adds_an_item", 1)
    ]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", metadata["recorded_by"][0]["recorded_at"]
    )
