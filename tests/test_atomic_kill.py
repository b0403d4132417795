"""A recording process killed at any moment leaves the previous cassette or the new one, never half.

A child process saves two cassettes (``old`` and ``new``, about 2 MB each) over one path in a
loop; the test SIGKILLs it 20 times, and after each kill the file on disk must load and equal one
of the two. Half the kills land at a random moment; the other half are aimed at the worst one,
after the new text is written to the temporary file and before the rename (the child's ``fsync``
reports in and waits), so the test does not depend on a random kill landing in a window of a few
milliseconds on a slow or fast machine. The child is forked from this already-warm process, so
each round costs milliseconds, not an interpreter start.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from pytest_convreplay.atomic import TEMP_SUFFIX
from pytest_convreplay.cassette import load_cassette, save_cassette
from pytest_convreplay.interactions import Interaction

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


def save_forever(path: Path, mid_write: EventType | None) -> None:
    """The child: what a recording does at the end of each test, as fast as it can, until killed.

    With ``mid_write``, the first ``fsync`` of the temporary file sets it and then waits to be killed.
    """
    if mid_write is not None:
        real_fsync = os.fsync

        def fsync_then_wait(fd: FileDescriptorLike) -> None:
            real_fsync(fd)
            mid_write.set()
            time.sleep(60)

        os.fsync = fsync_then_wait
    while True:
        for version in (NEW, OLD):
            save_cassette(path, version, {})


def kill_while_saving(path: Path, delay: float | None) -> None:
    """Kill a saving child after ``delay`` seconds, or with ``None`` once it is in the middle of a write."""
    context = multiprocessing.get_context("fork")
    mid_write = None if delay is not None else context.Event()
    process = context.Process(target=save_forever, args=(path, mid_write), daemon=True)
    process.start()
    if mid_write is None:
        time.sleep(cast(float, delay))
    else:
        assert mid_write.wait(timeout=30), "the child never reached a write"
    process.kill()
    process.join()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


def test_a_cassette_killed_mid_save_20_times_always_loads_as_the_old_or_the_new_content(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cassettes" / "test_history.yaml"
    save_cassette(path, OLD, {})
    rng = random.Random(6)
    for round_number in range(KILLS):
        aimed = round_number % 2 == 1
        kill_while_saving(path, None if aimed else rng.uniform(0.0, 0.12))
        assert load_cassette(path).interactions in (OLD, NEW)
        assert [p.name for p in path.parent.iterdir() if not p.name.startswith(".")] == [path.name]
        if aimed:
            assert leftovers(path.parent), "an aimed kill must leave the half-done temporary behind"


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
