"""Snapshots as a downstream suite uses them: recorded from the emulator, replayed offline, updated,
failed, reported unused (also under -k, node ids and xdist) and deleted after a green run."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.files import cassette_yaml, snapshots_yaml

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.snapshots import read_snapshots

RECORD = ("--convreplay-record-mode=once", "--convreplay-update")
SDK_SUITE = """
    import openai
    import pytest

    CONVERSATION = "{conversation}"
    OTHER = "{other}"


    def client():
        return openai.OpenAI(base_url="{base_url}", api_key="{api_key}", max_retries=0)


"""
PLAIN_SUITE = """
    import pytest


    def items(text):
        return [{{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                  "content": [{{"type": "input_text", "text": text}}]}}]


    def test_a(conv_snapshot):
        conv_snapshot.assert_match(items("{a}"))


    def test_b(conv_snapshot):
        assert items("{b}") == conv_snapshot


    def test_c(conv_snapshot):
        conv_snapshot["named"].assert_match(items("{c}"))
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suites run in this process: neither this machine's CI nor its keys may leak in."""
    for name in ("CI", "OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


def sdk_suite(pytester: pytest.Pytester, api: ConversationsEmulator, tests: str) -> tuple[str, str]:
    """``test_history.py`` paging emulator conversations through the openai SDK; returns their ids."""
    conversation, other = api.seed_mixed_conversation(), api.seed_conversation(12)
    header = SDK_SUITE.format(
        conversation=conversation, other=other, base_url=api.base_url, api_key=api.api_key
    )
    pytester.makepyfile(test_history=textwrap.dedent(header) + textwrap.dedent(tests))
    return conversation, other


def recorded(pytester: pytest.Pytester, api: ConversationsEmulator, tests: str) -> tuple[str, str]:
    """The SDK suite recorded once with ``--convreplay-update``, then the emulator stopped: from here
    on everything is replayed offline."""
    ids = sdk_suite(pytester, api, tests)
    pytester.runpytest(*RECORD).assert_outcomes(passed=1)
    api.stop()
    return ids


def plain_suite(pytester: pytest.Pytester, a: str = "a", b: str = "b", c: str = "c") -> None:
    """``test_plain.py``: three tests snapshotting plain dicts, no cassette involved."""
    pytester.makepyfile(test_plain=textwrap.dedent(PLAIN_SUITE.format(a=a, b=b, c=c)))


def history_snapshot(pytester: pytest.Pytester) -> Path:
    return pytester.path / "cassettes" / "test_history" / "test_history.snapshot.yaml"


def plain_snapshot(pytester: pytest.Pytester, test: str) -> Path:
    return pytester.path / "cassettes" / "test_plain" / f"{test}.snapshot.yaml"


def summary(result: pytest.RunResult) -> str:
    return next(line for line in result.outlines if line.startswith("convreplay snapshots:"))


def edit_function_call_city(cassette: Path, city: str) -> str:
    """Change the recorded ``get_weather`` call's ``arguments.city``; returns the item's id."""
    loaded = load_cassette(cassette)
    edited = ""
    for interaction in loaded.interactions:
        body = json.loads(interaction["response"]["body"]["string"] or "null")
        for item in body.get("data", []) if isinstance(body, dict) else []:
            if item["type"] == "function_call":
                item["arguments"] = json.dumps({**json.loads(item["arguments"]), "city": city})
                edited = item["id"]
        interaction["response"]["body"]["string"] = json.dumps(body)
    cassette.write_text(cassette_yaml(loaded.interactions, loaded.metadata), encoding="utf-8")
    assert edited
    return edited


SNAPSHOT_OF_HISTORY = """
    @pytest.mark.convreplay
    def test_history(conv_snapshot):
        conv_snapshot.assert_match(list(client().conversations.items.list(CONVERSATION, limit=5)))
"""


# --- record, update, replay ------------------------------------------------------------------------


def test_snapshot_written_with_update_passes_on_replay(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    recorded(pytester, api, SNAPSHOT_OF_HISTORY)

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    assert summary(result) == "convreplay snapshots: 1 checked, 0 written, 0 updated, 0 failed, 0 unused"


def test_snapshot_stores_masked_values(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    recorded(pytester, api, SNAPSHOT_OF_HISTORY)
    items = read_snapshots(history_snapshot(pytester))["default"]
    assert {item["encrypted_content"] for item in items if "encrypted_content" in item} == {"<masked>"}


def test_edited_call_arguments_fail_naming_item_field_and_values_in_a_few_lines(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    recorded(pytester, api, SNAPSHOT_OF_HISTORY)
    item_id = edit_function_call_city(history_snapshot(pytester).with_name("test_history.yaml"), "Lyon")

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    message = [line for line in result.outlines if line.startswith("E ")]
    assert len(message) <= 8, "\n".join(message)
    result.stdout.fnmatch_lines(
        [
            "E *snapshot 'default' of test_history.py::test_history (*test_history.snapshot.yaml) differs:",
            "E *items: +0 −0 ↕0 ~1",  # noqa: RUF001  (the report's minus sign)
            f"E *~ {item_id} function_call [[]*[]]",
            'E *~ arguments.city: "Paris" → "Lyon"',
            "E *run pytest --convreplay-update 'test_history.py::test_history' to update it",
        ]
    )
    assert summary(result).endswith("1 checked, 0 written, 0 updated, 1 failed, 0 unused")


def test_assert_equal_shows_the_item_diff(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    recorded(
        pytester,
        api,
        """
        @pytest.mark.convreplay
        def test_history(conv_snapshot):
            assert list(client().conversations.items.list(CONVERSATION, limit=5)) == conv_snapshot
        """,
    )
    item_id = edit_function_call_city(history_snapshot(pytester).with_name("test_history.yaml"), "Rome")

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E *~ {item_id} function_call *", 'E *~ arguments.city: "Paris" → "Rome"'])


def test_missing_snapshot_fails_with_the_update_command(pytester: pytest.Pytester) -> None:
    plain_suite(pytester)
    result = pytester.runpytest("-k", "test_a")
    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "E *test_a.snapshot.yaml has no snapshot 'default' for test_plain.py::test_a (1 items);"
            " if this is intended, run pytest --convreplay-update 'test_plain.py::test_a' to write it"
        ]
    )


@pytest.mark.parametrize("update", [False, True], ids=["plain", "with-update"])
def test_missing_snapshot_fails_under_ci_and_nothing_is_written(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch, update: bool
) -> None:
    sdk_suite(pytester, api, SNAPSHOT_OF_HISTORY)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(failed=1)  # recorded, not snapshotted
    monkeypatch.setenv("CI", "true")

    result = pytester.runpytest(*(["--convreplay-update"] if update else []))

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *snapshots are never written when CI is set*"])
    assert not history_snapshot(pytester).exists()


def test_snapshot_holding_a_known_secret_is_refused(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "live-key-0123456789abcdef")
    plain_suite(pytester, a="the key is live-key-0123456789abcdef")

    result = pytester.runpytest("--convreplay-update", "-k", "test_a")

    result.assert_outcomes(failed=1, deselected=2)
    result.stdout.fnmatch_lines(["*refusing to write *test_a.snapshot.yaml*", "*value of OPENAI_API_KEY*"])
    assert "live-key-0123456789abcdef" not in "".join(p.read_text() for p in pytester.path.rglob("*.yaml"))
    assert not plain_snapshot(pytester, "test_a").exists()


# --- what tests may snapshot ----------------------------------------------------------------------


def test_auto_snapshot_takes_every_paginated_conversation(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation, other = recorded(
        pytester,
        api,
        """
        @pytest.mark.convreplay(snapshot=True)
        def test_history():
            assert len(list(client().conversations.items.list(CONVERSATION, limit=5))) > 5
            assert len(list(client().conversations.items.list(OTHER, limit=5))) == 12
        """,
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    assert sorted(read_snapshots(history_snapshot(pytester))) == sorted([conversation, other])
    assert summary(result).startswith("convreplay snapshots: 2 checked")


def test_auto_snapshot_fails_when_the_replayed_conversation_changed(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    recorded(
        pytester,
        api,
        """
        @pytest.mark.convreplay(snapshot=True)
        def test_history():
            list(client().conversations.items.list(CONVERSATION, limit=5))
        """,
    )
    item_id = edit_function_call_city(history_snapshot(pytester).with_name("test_history.yaml"), "Oslo")

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*~ {item_id} function_call *", '*~ arguments.city: "Paris" → "Oslo"'])
    assert "pytest_runtest_call" not in result.stdout.str()  # the plugin's hook is not the failure


def test_several_named_snapshots_share_the_test_file(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    recorded(
        pytester,
        api,
        """
        @pytest.mark.convreplay
        def test_history(conv_snapshot):
            assert list(client().conversations.items.list(CONVERSATION, order="asc")) == conv_snapshot["asc"]
            conv_snapshot(name="other").assert_match(list(client().conversations.items.list(OTHER)))
        """,
    )

    pytester.runpytest().assert_outcomes(passed=1)
    assert list(read_snapshots(history_snapshot(pytester))) == ["asc", "other"]


def test_sdk_page_object_is_accepted(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    conversation, _ = recorded(
        pytester,
        api,
        """
        @pytest.mark.convreplay
        def test_history(conv_snapshot):
            conv_snapshot.assert_match(client().conversations.items.list(CONVERSATION, limit=100))
        """,
    )

    pytester.runpytest().assert_outcomes(passed=1)
    assert len(read_snapshots(history_snapshot(pytester))["default"]) == len(api.items(conversation))


# --- the session: counts, unused, deletion ----------------------------------------------------------


def test_summary_counts_written_updated_and_matched(pytester: pytest.Pytester) -> None:
    plain_suite(pytester)
    pytester.runpytest("--convreplay-update", "-k", "test_a or test_b").assert_outcomes(
        passed=2, deselected=1
    )
    plain_suite(pytester, b="b changed")

    result = pytester.runpytest("--convreplay-update")

    result.assert_outcomes(passed=3)
    assert summary(result) == "convreplay snapshots: 3 checked, 1 written, 1 updated, 0 failed, 0 unused"


@pytest.fixture
def stale(pytester: pytest.Pytester) -> Path:
    """The plain suite's snapshots written, plus a stale name in test_a's file and an orphan file."""
    plain_suite(pytester)
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=3)
    test_a = plain_snapshot(pytester, "test_a")
    test_a.write_text(snapshots_yaml({**read_snapshots(test_a), "old": read_snapshots(test_a)["default"]}))
    orphan = plain_snapshot(pytester, "test_gone")
    orphan.write_text(test_a.read_text())
    return orphan


def unused_lines(result: pytest.RunResult) -> list[str]:
    return [
        re.sub(r" \S*cassettes/", " cassettes/", line)
        for line in result.outlines
        if line.startswith("  unused:")
    ]


STALE_NAME = "  unused: cassettes/test_plain/test_a.snapshot.yaml: old"
ORPHAN_FILE = "  unused: cassettes/test_plain/test_gone.snapshot.yaml"


def test_full_run_reports_stale_names_and_orphan_files(pytester: pytest.Pytester, stale: Path) -> None:
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
    assert unused_lines(result) == [STALE_NAME, ORPHAN_FILE]
    assert summary(result).endswith("0 failed, 2 unused")


@pytest.mark.parametrize("selection", [["-k", "test_a"], ["test_plain.py::test_a"]], ids=["-k", "node-id"])
def test_selection_reports_only_what_the_selected_tests_own(
    pytester: pytest.Pytester, stale: Path, selection: list[str]
) -> None:
    result = pytester.runpytest(*selection)
    result.assert_outcomes(passed=1, deselected=2 if selection[0] == "-k" else 0)
    assert unused_lines(result) == [STALE_NAME]


def test_deselected_tests_snapshots_are_not_unused(pytester: pytest.Pytester, stale: Path) -> None:
    result = pytester.runpytest("-k", "test_b")
    result.assert_outcomes(passed=1, deselected=2)
    assert summary(result).endswith("0 unused")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [([], [STALE_NAME, ORPHAN_FILE]), (["-k", "test_a or test_c"], [STALE_NAME])],
    ids=["full", "-k"],
)
def test_xdist_workers_report_unused_once_from_the_controller(
    pytester: pytest.Pytester, stale: Path, selection: list[str], expected: list[str]
) -> None:
    result = pytester.runpytest("-n", "2", *selection)
    result.assert_outcomes(passed=3 - (1 if selection else 0))
    assert unused_lines(result) == expected
    assert len([line for line in result.outlines if line.startswith("convreplay snapshots:")]) == 1


def test_delete_unused_waits_for_a_green_run(pytester: pytest.Pytester, stale: Path) -> None:
    plain_suite(pytester, c="c changed")

    result = pytester.runpytest("--convreplay-delete-unused")

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["  not deleting unused snapshots: the run was not green*"])
    assert stale.exists()
    assert "old" in read_snapshots(plain_snapshot(pytester, "test_a"))


def test_delete_unused_never_deletes_in_ci(
    pytester: pytest.Pytester, stale: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest("--convreplay-delete-unused")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["  not deleting unused snapshots: CI is set; delete them locally and commit"]
    )
    assert stale.exists()


def test_delete_unused_after_a_green_run_keeps_used_snapshots(pytester: pytest.Pytester, stale: Path) -> None:
    result = pytester.runpytest("--convreplay-delete-unused")

    result.assert_outcomes(passed=3)
    assert not stale.exists()
    assert list(read_snapshots(plain_snapshot(pytester, "test_a"))) == ["default"]
    pytester.runpytest().assert_outcomes(passed=3)


SHARED_FILE_SUITE = """
    import pytest

    @pytest.mark.parametrize("n", range(8))
    @pytest.mark.convreplay(snapshot_file="shared")
    def test_p(conv_snapshot, n):
        items = [{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                  "content": [{"type": "input_text", "text": f"v{n}"}]}]
        conv_snapshot[f"name{n}"].assert_match(items)
"""


def test_a_snapshot_file_shared_by_tests_keeps_every_name_under_xdist_and_narrowed_deletes(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_shared=textwrap.dedent(SHARED_FILE_SUITE))
    shared = pytester.path / "cassettes" / "test_shared" / "shared.snapshot.yaml"
    pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--convreplay-update").assert_outcomes(passed=8)
    names = [f"name{n}" for n in range(8)]
    assert sorted(read_snapshots(shared)) == names  # every worker's write survived

    pytester.runpytest("-k", "test_p and 1", "--convreplay-delete-unused").assert_outcomes(
        passed=1, deselected=7
    )
    pytester.runpytest("test_shared.py::test_p[3]", "--convreplay-delete-unused").assert_outcomes(passed=1)
    assert sorted(read_snapshots(shared)) == names  # owners that did not run keep their names
    pytester.runpytest("-p", "xdist", "-n", "2").assert_outcomes(passed=8)


def test_tests_sharing_a_cassette_each_keep_their_own_snapshot_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_two=textwrap.dedent(
            """
            import pytest

            def items(text):
                return [{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                         "content": [{"type": "input_text", "text": text}]}]

            @pytest.mark.convreplay(cassette="shared-history")
            def test_one(conv_snapshot):
                conv_snapshot.assert_match(items("one"))

            @pytest.mark.convreplay(cassette="shared-history")
            def test_two(conv_snapshot):
                conv_snapshot.assert_match(items("two"))
            """
        )
    )
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    pytester.runpytest().assert_outcomes(passed=2)
    folder = pytester.path / "cassettes" / "test_two"
    assert sorted(p.name for p in folder.iterdir()) == ["test_one.snapshot.yaml", "test_two.snapshot.yaml"]


def test_auto_snapshots_with_renumbered_ids_survive_a_re_recording_with_fresh_ids(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_auto_renumbered="""
        import os
        import openai, pytest

        @pytest.mark.convreplay(snapshot=True, renumber_ids=True)
        def test_auto_renumbered():
            client = openai.OpenAI(base_url=os.environ["BASE_URL"], api_key=os.environ["API_KEY"])
            list(client.conversations.items.list(os.environ["CONVERSATION"], order="asc", limit=10))
        """
    )
    for seed, mode in ((0, "once"), (7, "all")):  # another seed: every id, the conversation's too, is new
        with ConversationsEmulator(seed=seed) as api:
            monkeypatch.setenv("BASE_URL", api.base_url)
            monkeypatch.setenv("API_KEY", api.api_key)
            monkeypatch.setenv("CONVERSATION", api.seed_mixed_conversation())
            update = ["--convreplay-update"] if mode == "once" else []
            pytester.runpytest(f"--convreplay-record-mode={mode}", *update).assert_outcomes(passed=1)
    snapshots = read_snapshots(
        pytester.path / "cassettes" / "test_auto_renumbered" / "test_auto_renumbered.snapshot.yaml"
    )
    assert list(snapshots) == ["conv#1"]


def test_the_update_command_in_a_failure_survives_a_quote_in_a_parametrized_id(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_quote="""
        import pytest

        @pytest.mark.parametrize("text", ["it's"])
        def test_quote(conv_snapshot, text):
            conv_snapshot.assert_match([{"id": "msg_1", "type": "message", "content": []}])
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    command = "pytest --convreplay-update 'test_quote.py::test_quote[it'\"'\"'s]'"  # pastes into a shell
    assert command in result.stdout.str()


def test_a_snapshot_file_is_read_from_pytest_cache_once_parsed_and_an_edit_is_seen(
    pytester: pytest.Pytester,
) -> None:
    """The parsed snapshot file is kept in pytest's cache by content: the next run reads it from
    there, a hand edit of the file is a new key (the test then fails on the edit), and without the
    cache provider nothing is kept."""
    pytester.makepyfile(textwrap.dedent(PLAIN_SUITE.format(a="one", b="two", c="three")))
    pytester.runpytest(*RECORD).assert_outcomes(passed=3)

    def entries() -> dict[Path, int]:
        folder = pytester.path / ".pytest_cache"
        return {entry: entry.stat().st_mtime_ns for entry in folder.rglob("convreplay-parsed/*.parsed")}

    pytester.runpytest().assert_outcomes(passed=3)  # parsed, and kept
    kept = entries()
    pytester.runpytest().assert_outcomes(passed=3)
    assert len(kept) == 3
    assert entries() == kept  # read back: no entry written again
    (snapshot,) = pytester.path.rglob("test_a.snapshot.yaml")
    snapshot.write_text(snapshot.read_text().replace("text: one", "text: edited"))
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*snapshot 'default' of *::test_a (*) differs*"])
    shutil.rmtree(pytester.path / ".pytest_cache")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2, failed=1)
    assert not (pytester.path / ".pytest_cache").exists()
