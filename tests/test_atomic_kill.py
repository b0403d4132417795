"""A recording process killed at any moment leaves the previous cassette or the new one, never half.

A child process saves two cassettes (``old`` and ``new``, about 2 MB each, so one save takes long
enough to be caught in the middle) over one path in a loop; the test SIGKILLs it at a random
moment, 20 times, and after each kill the file on disk must load and equal one of the two.
The child is forked from this already-warm process, so each round costs milliseconds, not an
interpreter start.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path
from typing import cast

import pytest

from pytest_convreplay.atomic import TEMP_SUFFIX
from pytest_convreplay.cassette import load_cassette, save_cassette
from pytest_convreplay.interactions import Interaction

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


def save_forever(path: Path) -> None:
    """The child: what a recording does at the end of each test, as fast as it can, until killed."""
    while True:
        for version in (NEW, OLD):
            save_cassette(path, version, {})


def kill_while_saving(path: Path, delay: float) -> None:
    process = multiprocessing.get_context("fork").Process(target=save_forever, args=(path,), daemon=True)
    process.start()
    time.sleep(delay)
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
    interrupted_writes = 0
    for _ in range(KILLS):
        kill_while_saving(path, rng.uniform(0.0, 0.12))
        assert load_cassette(path).interactions in (OLD, NEW)
        assert [p.name for p in path.parent.iterdir() if not p.name.startswith(".")] == [path.name]
        interrupted_writes += bool(leftovers(path.parent))
    assert interrupted_writes > 0, "no kill landed during a write; the test proves nothing"


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
