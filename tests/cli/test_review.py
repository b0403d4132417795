"""``convreplay review`` driven as a script drives it: answers on standard input, or --accept-all /
--reject-all; pending snapshots from ``--convreplay-pending`` and the drifted tests of a drift run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.suites import clean_environment, snapshot_suite

from pytest_convreplay.drift import DriftManifest
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.pending import pending_path, read_pending
from pytest_convreplay.storage.snapshots import read_snapshots

DRIFT_SUITE = """
    import openai
    import pytest


    @pytest.mark.convreplay
    def test_history(conv_snapshot):
        client = openai.OpenAI(base_url="{base_url}", api_key="{api_key}", max_retries=0)
        conv_snapshot.assert_match(list(client.conversations.items.list("{conversation}", order="asc")))
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def convreplay(cwd: Path, *args: str, answers: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a user's script runs it: its own process, answers piped to its input."""
    return subprocess.run(
        [sys.executable, "-m", "pytest_convreplay.cli", *args],
        cwd=cwd,
        input=answers,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def snapshot(pytester: pytest.Pytester, test: str) -> Path:
    return pytester.path / "cassettes" / "test_plain" / f"{test}.snapshot.yaml"


def text_of(path: Path, name: str = "default") -> str:
    return str(read_snapshots(path)[name][0]["content"][0]["text"])


@pytest.fixture
def pending(pytester: pytest.Pytester) -> None:
    """Three pending snapshots, one per test: each text upper-cased."""
    snapshot_suite(pytester, a="a", b="b", c="c")
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=3)
    snapshot_suite(pytester, a="A", b="B", c="C")
    pytester.runpytest("--convreplay-pending").assert_outcomes(failed=3)


def test_answers_accept_reject_and_skip_one_snapshot_each(pytester: pytest.Pytester, pending: None) -> None:
    result = convreplay(pytester.path, "review", answers="a\nr\ns\n")

    assert result.returncode == 1, result.stderr  # something is still pending
    assert "test_plain.py::test_a: snapshot 'default'" in result.stdout
    assert '~ content[0].text: "a" → "A"' in result.stdout
    assert "convreplay review: 1 accepted, 1 rejected, 1 skipped" in result.stdout
    assert text_of(snapshot(pytester, "test_a")) == "A"
    assert text_of(snapshot(pytester, "test_b")) == "b"  # rejected: the committed file is kept
    assert not pending_path(snapshot(pytester, "test_a")).exists()
    assert not pending_path(snapshot(pytester, "test_b")).exists()
    assert list(read_pending(pending_path(snapshot(pytester, "test_c"))).snapshots) == ["default"]


def test_an_answer_that_is_not_one_is_asked_again(pytester: pytest.Pytester, pending: None) -> None:
    result = convreplay(pytester.path, "review", answers="yes\na\nq\n")

    assert "not an answer: 'yes'" in result.stdout
    assert "convreplay review: 1 accepted, 0 rejected, 2 skipped" in result.stdout


def test_the_end_of_input_skips_the_rest(pytester: pytest.Pytester, pending: None) -> None:
    result = convreplay(pytester.path, "review", answers="")

    assert result.returncode == 1
    assert "convreplay review: 0 accepted, 0 rejected, 3 skipped" in result.stdout
    assert pending_path(snapshot(pytester, "test_a")).exists()


def test_accept_all_then_the_suite_passes_and_nothing_is_pending(
    pytester: pytest.Pytester, pending: None
) -> None:
    result = convreplay(pytester.path, "review", "--accept-all")

    assert result.returncode == 0, result.stderr
    assert "convreplay review: 3 accepted, 0 rejected, 0 skipped" in result.stdout
    assert not list(pytester.path.rglob("*.pending"))
    pytester.runpytest().assert_outcomes(passed=3)


def test_reject_all_keeps_every_committed_file(pytester: pytest.Pytester, pending: None) -> None:
    before = {test: snapshot(pytester, test).read_bytes() for test in ("test_a", "test_b", "test_c")}

    result = convreplay(pytester.path, "review", "--reject-all")

    assert result.returncode == 0
    assert not list(pytester.path.rglob("*.pending"))
    assert {test: snapshot(pytester, test).read_bytes() for test in ("test_a", "test_b", "test_c")} == before


def test_nothing_pending_says_so(pytester: pytest.Pytester) -> None:
    (pytester.path / "cassettes").mkdir()
    result = convreplay(pytester.path, "review")
    assert result.returncode == 0
    assert "convreplay review: nothing to review" in result.stdout


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


@pytest.fixture
def drifted(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    """A recorded test whose conversation then gained one item, and the drift run that saw it."""
    conversation = api.seed_conversation(6)
    suite = DRIFT_SUITE.format(base_url=api.base_url, api_key=api.api_key, conversation=conversation)
    pytester.makepyfile(test_history=textwrap.dedent(suite))
    pytester.runpytest("--convreplay-record-mode=once", "--convreplay-update").assert_outcomes(passed=1)
    api.add_items(conversation, [{"type": "message", "role": "user", "content": "one more"}])
    assert pytester.runpytest("--convreplay-drift").ret == 6


def test_a_drift_run_reviewed_and_accepted_becomes_what_is_committed(
    pytester: pytest.Pytester, api: ConversationsEmulator, drifted: None
) -> None:
    api.stop()  # from here on: offline

    result = convreplay(pytester.path, "review", "--drift", answers="a\n")

    assert result.returncode == 0, result.stderr
    assert "test_history.py::test_history: adopt its re-recording (cassette and snapshots)" in result.stdout
    assert "6 → 7 items: +1 −0 ↕0 ~0" in result.stdout  # noqa: RUF001
    assert "convreplay review: 1 accepted, 0 rejected, 0 skipped" in result.stdout
    folder = pytester.path / ".pytest_cache" / "d" / "convreplay-drift"
    assert DriftManifest.read(folder / "drift.json").reviewed == {"test_history.py::test_history": "accepted"}
    pytester.runpytest().assert_outcomes(passed=1)  # the replay now holds the seventh item
    again = convreplay(pytester.path, "review", "--drift")
    assert "nothing to review" in again.stdout
    report = convreplay(pytester.path, "report", "--drift")  # the committed files are the new ones now
    assert report.returncode == 1, report.stderr  # and yet the report keeps what drifted
    assert "(2 compared, 2 with differences)" in report.stdout
    assert "adopted by convreplay review" in (folder / "report.html").read_text(encoding="utf-8")


def test_a_report_of_a_reviewed_drift_run_keeps_what_drifted_and_says_what_was_decided(
    pytester: pytest.Pytester, api: ConversationsEmulator, drifted: None
) -> None:
    api.stop()
    folder = pytester.path / ".pytest_cache" / "d" / "convreplay-drift"
    before = convreplay(pytester.path, "report", "--drift", "-o", "before.html")

    assert convreplay(pytester.path, "review", "--drift", "--reject-all").returncode == 0
    dropped = convreplay(pytester.path, "report", "--drift")

    assert dropped.returncode == before.returncode == 1
    assert dropped.stdout.split("(")[1] == before.stdout.split("(")[1]  # the same counts
    assert "dropped by convreplay review" in (folder / "report.html").read_text(encoding="utf-8")
