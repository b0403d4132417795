"""Per-file locks: concurrent read-modify-writes of one file lose nothing and leave nothing behind."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path
from typing import Any

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


def test_folders_a_lock_made_are_removed_when_nothing_was_written(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "test_x" / "test_x.yaml"
    with locked(path):
        assert path.parent.is_dir()
    assert list(tmp_path.iterdir()) == []


def test_folders_that_hold_the_file_or_were_there_before_are_kept(tmp_path: Path) -> None:
    written = tmp_path / "new" / "test_x.yaml"
    with locked(written):
        write_atomic(written, "version: 1\n")
    assert written.read_text() == "version: 1\n"
    (tmp_path / "empty").mkdir()
    with locked(tmp_path / "empty" / "test_y.yaml"):
        pass
    assert (tmp_path / "empty").is_dir()


def lock_or_write_in_new_folders(root: Path, worker: int, rounds: int, barrier: Any) -> None:
    """Half the workers write a file, half lock one and write nothing (a refusal), all at once in
    one new folder a round: the cleanup of one must never make another fail."""
    for number in range(rounds):
        target = root / str(number) / "deep" / f"w{worker}.yaml"
        barrier.wait(10)
        if worker % 2:
            write_atomic(target, "version: 1\n")
        else:
            with locked(target):
                pass


def test_a_worker_removing_its_empty_folder_never_fails_another_writing_there(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    rounds = 150
    barrier = context.Barrier(WORKERS)
    workers = [
        context.Process(target=lock_or_write_in_new_folders, args=(tmp_path, worker, rounds, barrier))
        for worker in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    for number in range(rounds):
        folder = tmp_path / str(number) / "deep"
        assert sorted(p.name for p in folder.iterdir()) == [f"w{w}.yaml" for w in range(1, WORKERS, 2)]
