"""Per-file locks: concurrent read-modify-writes of one file lose nothing and leave nothing behind."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from pytest_convreplay.errors import FileLockTimeout
from pytest_convreplay.storage.atomic import lock_path, locked, write_atomic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the workers are forked")

WORKERS = 4
INCREMENTS = 50


def increment(path: Path, times: int) -> None:
    """Read, add one, write back: lost updates show as a final count below the total."""
    for _ in range(times):
        with locked(path):
            write_atomic(path, str(int(path.read_text()) + 1))


def test_read_modify_writes_from_several_processes_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "counter.yaml"
    write_atomic(path, "0")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=increment, args=(path, INCREMENTS)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert int(path.read_text()) == WORKERS * INCREMENTS


def test_the_lock_file_is_removed_once_released(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    with locked(path):
        assert lock_path(path).exists()
    write_atomic(path, "version: 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_lock_held_elsewhere_times_out_naming_the_file_and_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()

    def hold() -> None:
        with locked(path):
            held.set()
            release.wait(10)

    holder = context.Process(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with (
            pytest.raises(FileLockTimeout, match=r"test_history\.yaml: another process has been writing it"),
            locked(path, timeout=0.2),
        ):
            pass
    finally:
        release.set()
        holder.join()


def test_a_lock_can_be_taken_again_inside_itself(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    with locked(path), locked(path):
        write_atomic(path, "version: 1\n")
    assert path.read_text() == "version: 1\n"
