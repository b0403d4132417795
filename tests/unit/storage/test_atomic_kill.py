"""A recording process killed at any moment leaves the previous cassette or the new one, never half.

A child process saves cassettes (``old`` or ``new``, about 2 MB each) over one path and is
SIGKILLed. Twenty kills are aimed inside the write of the last save: the child reports when it
first writes to its temporary file and stops after its ``fsync``, before the rename; the kill lands
at a random point in between, so the test never depends on a random moment falling into a window of a
few milliseconds on a fast or slow machine; the file must then equal the last complete save.
Ten more kills land at random moments of a save loop. The child is forked from this already-warm
process, so each round costs milliseconds, not an interpreter start.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from support.files import save_cassette

from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.storage.atomic import TEMP_SUFFIX
from pytest_convreplay.storage.cassette import load_cassette

if TYPE_CHECKING:
    from _typeshed import FileDescriptorLike

KILLS = 20

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")


def interactions(label: str, pages: int = 40) -> list[Interaction]:
    """``pages`` items-list exchanges with bodies of about 50 kB, every item saying ``label``."""
    items = [{"id": f"msg_{label}_{i}", "type": "message", "text": label * 500} for i in range(100)]
    body = json.dumps({"object": "list", "data": items, "has_more": False})
    exchange = {
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}},
    }
    return [
        cast(
            Interaction,
            {"request": {"method": "GET", "uri": f"https://a/v1/x?p={p}", "body": None, "headers": {}}}
            | exchange,
        )
        for p in range(pages)
    ]


OLD, NEW = interactions("o"), interactions("n")


def save_forever_ignoring_event(path: Path, _: EventType) -> None:
    """The child: what a recording does at the end of each test, as fast as it can, until killed."""
    while True:
        for version in (NEW, OLD):
            save_cassette(path, version, {})


def save_then_stall_mid_write(path: Path, versions: list[list[Interaction]], writing: EventType) -> None:
    """The child: save each of ``versions``; on the last one set ``writing`` when it first writes to
    its temporary file, and stop after its ``fsync``, before the rename, so a kill lands mid-write."""
    for version in versions[:-1]:
        save_cassette(path, version, {})
    real_write, real_fsync = os.write, os.fsync

    def write_and_report(fd: int, data: Any) -> int:
        writing.set()
        return real_write(fd, data)

    def fsync_then_stall(fd: FileDescriptorLike) -> None:
        real_fsync(fd)
        time.sleep(60)

    os.write = write_and_report  # this child only
    os.fsync = fsync_then_stall
    save_cassette(path, versions[-1], {})


def run_and_kill(target: Callable[..., None], *args: object, after: Callable[[EventType], None]) -> None:
    """Fork ``target(*args, event)`` from this warm process, SIGKILL it once ``after(event)`` returns."""
    context = multiprocessing.get_context("fork")
    event = context.Event()
    process = context.Process(target=target, args=(*args, event), daemon=True)
    process.start()
    after(event)
    process.kill()
    process.join()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


def only_the_cassette_is_visible(path: Path) -> bool:
    return [p.name for p in path.parent.iterdir() if not p.name.startswith(".")] == [path.name]


def test_a_save_killed_mid_write_20_times_leaves_the_last_complete_save(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "test_history.yaml"
    save_cassette(path, OLD, {})
    expected = OLD
    rng = random.Random(6)

    def kill_inside_the_write(writing: EventType) -> None:
        assert writing.wait(timeout=30), "the child never wrote to its temporary file"
        time.sleep(rng.uniform(0.0, 0.004))  # while writing 2 MB, while fsyncing, or stalled after it

    for _ in range(KILLS):
        versions = [rng.choice((OLD, NEW)) for _ in range(rng.randint(1, 3))]
        run_and_kill(save_then_stall_mid_write, path, versions, after=kill_inside_the_write)
        expected = versions[-2] if len(versions) > 1 else expected
        assert load_cassette(path).interactions == expected
        assert only_the_cassette_is_visible(path)
        assert leftovers(path.parent), "the kill landed outside the write; the round proves nothing"
        for name in leftovers(path.parent):  # the next save would sweep it; the next round looks for its own
            (path.parent / name).unlink()


def test_a_save_killed_at_random_moments_always_loads_as_the_old_or_the_new_content(tmp_path: Path) -> None:
    path = tmp_path / "cassettes" / "test_history.yaml"
    save_cassette(path, OLD, {})
    rng = random.Random(7)
    for _ in range(10):
        run_and_kill(save_forever_ignoring_event, path, after=lambda _: time.sleep(rng.uniform(0.0, 0.12)))
        assert load_cassette(path).interactions in (OLD, NEW)
        assert only_the_cassette_is_visible(path)


def test_the_next_save_removes_the_temporaries_a_killed_writer_left(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    (tmp_path / f".{path.name}.dead{TEMP_SUFFIX}").write_text("half a cassette")
    save_cassette(path, OLD, {})
    assert leftovers(tmp_path) == []


def test_an_interrupt_during_the_write_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "test_history.yaml"
    save_cassette(path, OLD, {})
    before = path.read_bytes()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_cassette(path, NEW, {})
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
