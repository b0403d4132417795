"""The session's bookkeeping: which snapshots were used, and which the run may call unused."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.snapshots import written

from pytest_convreplay.snapshot.check import SnapshotCheck, SnapshotState
from pytest_convreplay.snapshot.report import find_unused
from pytest_convreplay.snapshot.session import SnapshotSession, narrowed_modules


def test_names_no_passing_test_asked_for_are_unused(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = SnapshotSession()
    session.record(SnapshotCheck(path, "kept", SnapshotState.MATCHED))
    session.finish_test(path, passed=True)
    assert [(u.names, u.whole_file) for u in find_unused(session)] == [(("stale",), False)]


def test_names_of_a_failed_test_are_not_judged(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = SnapshotSession()
    session.finish_test(path, passed=False)
    assert find_unused(session) == []


def test_an_unclaimed_file_of_a_complete_folder_is_unused(tmp_path: Path) -> None:
    orphan = written(tmp_path, "test_gone", "default")
    session = SnapshotSession()
    session.claim(
        tmp_path / "test_a.snapshot.yaml", folder=tmp_path, complete=True, selected=True, shared=False
    )
    assert [(u.path, u.whole_file) for u in find_unused(session)] == [(orphan, True)]


def test_a_partly_selected_folder_is_not_searched_for_unclaimed_files(tmp_path: Path) -> None:
    written(tmp_path, "test_gone", "default")
    session = SnapshotSession()
    session.claim(
        tmp_path / "test_a.snapshot.yaml", folder=tmp_path, complete=True, selected=True, shared=False
    )
    session.claim(
        tmp_path / "test_b.snapshot.yaml", folder=tmp_path, complete=False, selected=False, shared=False
    )
    assert find_unused(session) == []


@pytest.mark.parametrize(("selected", "complete"), [(False, False), (True, False)], ids=["-k", "node id"])
def test_a_shared_file_is_not_judged_when_one_of_its_owners_may_not_have_run(
    tmp_path: Path, selected: bool, complete: bool
) -> None:
    shared = written(tmp_path, "shared", "name1", "name2")
    session = SnapshotSession()
    session.claim(shared, folder=tmp_path, complete=complete, selected=True, shared=True)
    session.claim(shared, folder=tmp_path, complete=complete, selected=selected, shared=True)
    session.record(SnapshotCheck(shared, "name1", SnapshotState.MATCHED))
    session.finish_test(shared, passed=True)
    assert find_unused(session) == []


def test_merged_workers_add_counts_and_need_every_owner_to_pass(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "default")
    first, second, controller = SnapshotSession(), SnapshotSession(), SnapshotSession()
    first.record(SnapshotCheck(path, "default", SnapshotState.NEW, written=True))
    first.finish_test(path, passed=True)
    second.record(SnapshotCheck(path, "other", SnapshotState.CHANGED, failure="differs"))
    second.finish_test(path, passed=False)
    controller.merge(first.to_data())
    controller.merge(second.to_data())
    assert (controller.counts.checked, controller.counts.written, controller.counts.failed) == (2, 1, 1)
    assert controller.owners_passed == {str(path): False}


def test_node_ids_on_the_command_line_narrow_their_module(tmp_path: Path) -> None:
    args = ["tests/test_a.py::test_x", "tests/test_b.py"]
    assert narrowed_modules(args, tmp_path) == {(tmp_path / "tests/test_a.py").resolve()}
