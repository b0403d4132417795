"""Pending snapshots (``--convreplay-pending``): a changed or new snapshot is left beside the
committed file for ``convreplay review``; it never passes for the committed one, is reported as
pending, and nothing that reads committed files mistakes it for one."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.suites import snapshot_suite

from pytest_convreplay.storage.pending import pending_path, read_pending
from pytest_convreplay.storage.snapshots import read_snapshots


def suite(pytester: pytest.Pytester, a: str = "a", b: str = "b") -> None:
    snapshot_suite(pytester, a=a, b=b)


def snapshot(pytester: pytest.Pytester, test: str) -> Path:
    return pytester.path / "cassettes" / "test_plain" / f"{test}.snapshot.yaml"


def summary(result: pytest.RunResult) -> str:
    return next(line for line in result.outlines if line.startswith("convreplay snapshots:"))


@pytest.fixture
def committed(pytester: pytest.Pytester) -> dict[str, bytes]:
    suite(pytester)
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    return {test: snapshot(pytester, test).read_bytes() for test in ("test_a", "test_b")}


def test_without_the_option_a_changed_snapshot_leaves_no_pending_file(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")

    pytester.runpytest().assert_outcomes(passed=1, failed=1)

    assert not pending_path(snapshot(pytester, "test_a")).exists()


def test_a_changed_snapshot_is_left_pending_and_the_test_still_fails(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")

    result = pytester.runpytest("--convreplay-pending")

    result.assert_outcomes(passed=1, failed=1)
    assert (
        summary(result)
        == "convreplay snapshots: 2 checked, 0 written, 0 updated, 1 failed, 0 unused, 1 pending"
    )
    result.stdout.fnmatch_lines(
        [
            "E *~ msg_1 message [[]0[]]",
            "E *the new snapshot is pending in *test_a.snapshot.yaml.pending: review it with convreplay*",
            "  review pending snapshots with: convreplay review (or --accept-all / --reject-all)",
        ]
    )
    proposal = read_pending(pending_path(snapshot(pytester, "test_a")))
    assert proposal.test == "test_plain.py::test_a"
    assert proposal.snapshots["default"][0]["content"][0]["text"] == "changed"
    assert snapshot(pytester, "test_a").read_bytes() == committed["test_a"]


def test_a_new_snapshot_is_pending_and_no_committed_file_is_created(pytester: pytest.Pytester) -> None:
    suite(pytester)

    result = pytester.runpytest("--convreplay-pending", "-k", "test_b")

    result.assert_outcomes(failed=1, deselected=1)
    assert not snapshot(pytester, "test_b").exists()
    assert list(read_pending(pending_path(snapshot(pytester, "test_b"))).snapshots) == ["default"]


def test_a_pending_snapshot_never_passes_for_the_committed_one(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")
    pytester.runpytest("--convreplay-pending").assert_outcomes(passed=1, failed=1)

    pytester.runpytest().assert_outcomes(passed=1, failed=1)  # what is compared is the committed file

    assert pending_path(snapshot(pytester, "test_a")).exists()


def test_a_pending_snapshot_that_matches_again_is_withdrawn(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")
    pytester.runpytest("--convreplay-pending")
    suite(pytester)  # the change was reverted

    pytester.runpytest("--convreplay-pending").assert_outcomes(passed=2)

    assert not pending_path(snapshot(pytester, "test_a")).exists()


def test_updating_a_snapshot_withdraws_its_pending_proposal(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")
    pytester.runpytest("--convreplay-pending")

    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)

    assert not pending_path(snapshot(pytester, "test_a")).exists()
    assert read_snapshots(snapshot(pytester, "test_a"))["default"][0]["content"][0]["text"] == "changed"


def test_under_ci_pending_files_are_written_only_when_the_command_line_asks(
    pytester: pytest.Pytester, committed: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    suite(pytester, a="changed")
    monkeypatch.setenv("CI", "true")

    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    assert not pending_path(snapshot(pytester, "test_a")).exists()

    pytester.runpytest("--convreplay-pending").assert_outcomes(passed=1, failed=1)
    assert pending_path(snapshot(pytester, "test_a")).exists()


def test_pending_files_are_never_judged_unused_nor_deleted_with_unused_snapshots(
    pytester: pytest.Pytester, committed: dict[str, bytes]
) -> None:
    suite(pytester, a="changed")
    pytester.runpytest("--convreplay-pending")
    orphan = pending_path(snapshot(pytester, "test_gone"))
    orphan.write_bytes(pending_path(snapshot(pytester, "test_a")).read_bytes())
    suite(pytester)

    result = pytester.runpytest("--convreplay-delete-unused")

    result.assert_outcomes(passed=2)
    assert summary(result).endswith(", 0 unused")
    assert orphan.exists()
    assert pending_path(snapshot(pytester, "test_a")).exists()
