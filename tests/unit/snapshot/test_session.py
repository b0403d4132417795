"""The session's bookkeeping: which snapshots were used, and which the run may call unused."""

from __future__ import annotations

from pathlib import Path

from support.files import snapshots_yaml
from support.snapshots import message, written

from pytest_convreplay.snapshot.check import SnapshotCheck, SnapshotState
from pytest_convreplay.snapshot.report import find_unused
from pytest_convreplay.snapshot.session import CollectionLog, SnapshotSession
from pytest_convreplay.storage.snapshots import snapshot_header

A = "test_a.py::test_a"


def session_of(tmp_path: Path, *tests: tuple[str, Path | None], in_full: bool = True) -> SnapshotSession:
    """A session that collected ``tests`` (node id, snapshot file) from ``test_a.py``."""
    session = SnapshotSession(rootdir=str(tmp_path))
    for nodeid, path in tests:
        session.collect(nodeid, path=None if path is None else str(path))
    session.collect_module("test_a.py", folder=str(tmp_path), collected_in_full=in_full)
    return session


def ran(session: SnapshotSession, nodeid: str, *names: str, passed: bool = True) -> None:
    session.start_attempt(nodeid)
    path = Path(session.tests[nodeid].path or "")
    for name in names:
        session.record(nodeid, SnapshotCheck(path, name, SnapshotState.MATCHED))
    session.finish_test(nodeid, passed=passed)


def test_names_no_passing_test_asked_for_are_unused(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = session_of(tmp_path, (A, path))
    ran(session, A, "kept")
    assert [(u.names, u.whole_file) for u in find_unused(session)] == [(("stale",), False)]


def test_names_of_a_failed_test_are_not_judged(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = session_of(tmp_path, (A, path))
    ran(session, A, "kept", passed=False)
    assert find_unused(session) == []


def test_a_rerun_that_passes_replaces_the_failed_attempt(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = session_of(tmp_path, (A, path))
    ran(session, A, "stale", passed=False)
    ran(session, A, "kept")
    assert [u.names for u in find_unused(session)] == [("stale",)]
    assert (session.counts.checked, session.counts.failed) == (1, 0)


def test_a_file_whose_writer_is_gone_from_a_module_run_in_full_is_unused(tmp_path: Path) -> None:
    orphan = tmp_path / "test_gone.snapshot.yaml"
    orphan.write_text(
        snapshots_yaml({"default": [message(1)]}, header=snapshot_header("test_a.py::test_gone"))
    )
    session = session_of(tmp_path, (A, tmp_path / "test_a.snapshot.yaml"))
    ran(session, A)
    assert [(u.path, u.whole_file) for u in find_unused(session)] == [(orphan, True)]


def test_a_module_not_collected_in_full_is_not_searched_for_unclaimed_files(tmp_path: Path) -> None:
    written(tmp_path, "test_gone", "default")
    session = session_of(tmp_path, (A, tmp_path / "test_a.snapshot.yaml"), in_full=False)
    ran(session, A)
    assert find_unused(session) == []


def test_a_file_is_not_judged_while_a_test_its_header_names_did_not_run(tmp_path: Path) -> None:
    shared = tmp_path / "shared.snapshot.yaml"
    shared.write_text(
        snapshots_yaml({"a": [message(1)], "b": [message(2)]}, header=snapshot_header(A, "test_b.py::test_b"))
    )
    (tmp_path / "test_b.py").write_text("")  # test_b's file exists, but this run never collected it
    session = session_of(tmp_path, (A, shared))
    ran(session, A, "a")
    assert find_unused(session) == []


def test_a_hand_written_file_is_not_judged_while_a_test_whose_file_a_fixture_decides_did_not_run(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = session_of(tmp_path, (A, path), ("test_a.py::test_b", None))
    ran(session, A, "kept")
    assert find_unused(session) == []


def test_merged_workers_need_every_run_of_a_test_to_pass(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "default", "other")
    first, second = session_of(tmp_path, (A, path)), session_of(tmp_path, (A, path))
    ran(first, A, "default")
    ran(second, A, "other", passed=False)
    controller = SnapshotSession()
    controller.merge(first.to_data())
    controller.merge(second.to_data())
    assert controller.tests[A].passed is False
    assert controller.counts.checked == 2
    assert find_unused(controller) == []


def test_a_node_id_into_one_class_leaves_its_file_not_collected_in_full() -> None:
    log = CollectionLog(
        collectors_seen={"test_a.py::TestOne", "test_a.py::TestTwo", "test_b.py::TestX"},
        collectors_done={"test_a.py", "test_a.py::TestOne", "test_b.py", "test_b.py::TestX"},
    )
    assert log.modules_collected_in_full({"test_a.py", "test_b.py", "test_c.py"}) == {"test_b.py"}
