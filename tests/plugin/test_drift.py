"""The drift check as a scheduled job runs it: a suite recorded from the emulator, the emulator's
conversation changed, then ``pytest --convreplay-drift`` re-records everything into a scratch
folder, compares item by item, and exits 0, 1 or 6, leaving every committed file as it was."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.suites import clean_environment

from pytest_convreplay.drift import DRIFT_EXIT_STATUS, DriftManifest
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.snapshots import read_snapshots

SUITE = """
    import openai
    import pytest

    CONVERSATION = "{conversation}"


    def client():
        return openai.OpenAI(base_url="{base_url}", api_key="{api_key}", max_retries=0)


    @pytest.mark.convreplay
    def test_history(conv_snapshot):
        items = list(client().conversations.items.list(CONVERSATION, limit=10, order="asc"))
        conv_snapshot.assert_match(items)


    @pytest.mark.convreplay
    def test_first_page(convreplay):
        page = client().conversations.items.list(CONVERSATION, limit=3, order="asc")
        assert page.data[0].role == "user"
"""
SCRATCH = Path(".pytest_cache", "d", "convreplay-drift")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


@pytest.fixture
def conversation(pytester: pytest.Pytester, api: ConversationsEmulator) -> str:
    """The suite, recorded once with its snapshot: what the team has committed."""
    conversation = api.seed_mixed_conversation()
    suite = SUITE.format(conversation=conversation, base_url=api.base_url, api_key=api.api_key)
    pytester.makepyfile(test_history=textwrap.dedent(suite))
    pytester.runpytest("--convreplay-record-mode=once", "--convreplay-update").assert_outcomes(passed=2)
    return conversation


def committed(pytester: pytest.Pytester) -> dict[str, bytes]:
    folder = pytester.path / "cassettes"
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {str(path.relative_to(folder)): path.read_bytes() for path in files}


def drift_lines(result: pytest.RunResult) -> list[str]:
    start = next(i for i, line in enumerate(result.outlines) if line.startswith("convreplay drift:"))
    return result.outlines[start:]


def call_id(api: ConversationsEmulator, conversation: str) -> str:
    return next(item["id"] for item in api.items(conversation) if item["type"] == "function_call")


@pytest.mark.parametrize("cache", [[], ["-p", "no:cacheprovider"]], ids=["cache", "no-cacheprovider"])
def test_nothing_changed_exits_0_and_says_nothing_drifted(
    pytester: pytest.Pytester, conversation: str, cache: list[str]
) -> None:
    before = committed(pytester)

    result = pytester.runpytest("--convreplay-drift", *cache)

    assert result.ret == 0
    result.assert_outcomes(passed=2)
    assert drift_lines(result)[0].endswith(": 0 drifted, 0 failed")
    assert drift_lines(result)[0].startswith(f"convreplay drift: 2 tests re-recorded into {SCRATCH}:")
    assert committed(pytester) == before


def test_a_changed_conversation_exits_6_names_the_item_and_leaves_committed_files_byte_identical(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str
) -> None:
    before = committed(pytester)
    edited = call_id(api, conversation)
    api.edit_item(conversation, edited, arguments=json.dumps({"city": "Lyon"}))
    api.add_items(conversation, [{"type": "message", "role": "user", "content": "and tomorrow?"}])

    result = pytester.runpytest("--convreplay-drift")

    assert result.ret == DRIFT_EXIT_STATUS
    result.assert_outcomes(passed=2)  # drift is not a failure: the snapshot went to the scratch folder
    lines = drift_lines(result)
    assert lines[0] == f"convreplay drift: 2 tests re-recorded into {SCRATCH}: 1 drifted, 0 failed"
    assert "  drifted test_history.py::test_history" in lines
    assert f"    conversation {conversation}: 34 → 35 items: +1 −0 ↕0 ~1" in lines  # noqa: RUF001
    assert "    snapshot 'default': 34 → 35 items: +1 −0 ↕0 ~1" in lines  # noqa: RUF001
    assert f"  report: {SCRATCH / 'report.html'}" in lines
    assert f"  exit status {DRIFT_EXIT_STATUS}: something drifted and no test failed" in lines
    assert committed(pytester) == before
    new = read_snapshots(pytester.path / SCRATCH / "cassettes/test_history/test_history.snapshot.yaml")
    assert any(item.get("arguments") == json.dumps({"city": "Lyon"}) for item in new["default"])
    report = (pytester.path / SCRATCH / "report.html").read_text()
    assert edited in report
    assert "Lyon" in report


def test_a_failure_wins_over_drift(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str
) -> None:
    first = api.items(conversation)[0]
    api.delete_item(conversation, first["id"])  # the first item is no longer the user's

    result = pytester.runpytest("--convreplay-drift")

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    assert drift_lines(result)[0].endswith(": 2 drifted, 1 failed")


def test_runs_under_ci_as_it_is_asked_for_on_the_command_line(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = committed(pytester)
    api.add_items(conversation, [{"type": "message", "role": "user", "content": "one more"}])
    monkeypatch.setenv("CI", "true")

    result = pytester.runpytest("--convreplay-drift")

    assert result.ret == DRIFT_EXIT_STATUS
    assert committed(pytester) == before


def test_xdist_workers_report_to_one_summary(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str
) -> None:
    before = committed(pytester)
    api.add_items(conversation, [{"type": "message", "role": "user", "content": "one more"}])

    result = pytester.runpytest_subprocess("--convreplay-drift", "-n", "2", "-p", "xdist")

    assert result.ret == DRIFT_EXIT_STATUS
    assert drift_lines(result)[0].endswith(": 1 drifted, 0 failed")
    manifest = DriftManifest.read(pytester.path / SCRATCH / "drift.json")
    assert [entry.test for entry in manifest.entries] == [
        "test_history.py::test_first_page",
        "test_history.py::test_history",
    ]
    assert committed(pytester) == before


def test_a_folder_given_is_used_and_emptied_on_the_next_run(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str
) -> None:
    pytester.runpytest("--convreplay-drift=drift-out")
    stale = pytester.path / "drift-out" / "stale.txt"
    stale.write_text("from an earlier run")

    result = pytester.runpytest("--convreplay-drift=drift-out")

    assert result.ret == 0
    assert (pytester.path / "drift-out" / "cassettes" / "test_history" / "test_history.yaml").exists()
    assert not stale.exists()


@pytest.mark.parametrize(
    ("folder", "problem"),
    [
        ("cassettes", "may not overlap the committed cassette folder"),
        (".", "may not overlap the committed cassette folder"),
        ("notes", "the folder is not empty and holds no earlier drift run"),
        ("test_history.py", "not a folder"),
    ],
)
def test_a_folder_that_is_not_a_drift_run_s_own_is_refused(
    pytester: pytest.Pytester, conversation: str, folder: str, problem: str
) -> None:
    (pytester.path / "notes").mkdir()
    (pytester.path / "notes" / "todo.txt").write_text("keep me")
    before = committed(pytester)

    result = pytester.runpytest(f"--convreplay-drift={folder}")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert problem in result.errlines[0] if result.errlines else problem in result.stdout.str()
    assert (pytester.path / "notes" / "todo.txt").read_text() == "keep me"
    assert committed(pytester) == before
