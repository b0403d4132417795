"""What one replay miss costs a test: the time from the SDK call to the error, sync and async.

Run ``python bench/bench_miss.py [--runs N]``. A cassette of 60 recorded calls (an items
pagination, responses, file uploads) is recorded once from the emulator and a small stand-in
API; then each run replays it in record mode ``none`` and makes one call the cassette does not
hold, with a default openai client (``max_retries=2``, as users have it), and times until the
call raises. The miss message lists the closest recorded requests, so the cassette is not empty.

Before issue 12 the plugin raised an ordinary exception inside the transport: the SDK took it
for a connection error and retried it twice with backoff (about 1.3 s). Run this file against an
older checkout (``PYTHONPATH=<checkout> python bench/bench_miss.py``) to see that figure.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openai

from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.openai_api import OpenAIStandIn

KEY = "sk-bench-not-a-real-key"


def settings(path: Path, mode: RecordMode) -> Settings:
    return Settings(cassette_path=path, snapshot_path=path.with_suffix(".snapshot.yaml"), record_mode=mode)


def record(path: Path) -> int:
    recording = Recording(settings(path, RecordMode.ALL), nodeid="bench_miss")
    with ConversationsEmulator() as emulator, OpenAIStandIn() as stand_in, use_cassette(recording):
        conversation = emulator.seed_conversation(200)
        items = openai.OpenAI(base_url=emulator.base_url, api_key=emulator.api_key)
        assert len(list(items.conversations.items.list(conversation, limit=5))) == 200
        api = openai.OpenAI(base_url=stand_in.base_url, api_key=KEY)
        for number in range(10):
            api.responses.create(model="gpt-test", input=f"question {number}")
            api.files.create(file=(f"f{number}.jsonl", b'{"a": 1}\n'), purpose="batch")
    recording.save()
    return recording.sent


def timed_miss(path: Path, kind: str) -> float:
    """One miss on a client built beforehand (building one costs ~25 ms of TLS set-up alone, the
    same with or without the plugin): from the call to the error reaching the caller."""
    recording = Recording(settings(path, RecordMode.NONE), nodeid="bench_miss")
    base_url = "http://127.0.0.1:9/v1"  # nothing listens there: only the cassette can answer
    with use_cassette(recording):
        if kind == "sync":
            api = openai.OpenAI(base_url=base_url, api_key=KEY)
            started = time.perf_counter()
            elapsed = _until_raised(
                lambda: api.responses.create(model="gpt-test", input="never recorded"), started
            )
        else:

            async def call() -> float:
                async with openai.AsyncOpenAI(base_url=base_url, api_key=KEY) as api:
                    started = time.perf_counter()
                    try:
                        await api.responses.create(model="gpt-test", input="never recorded")
                    except BaseException as error:
                        _reraise_interrupt(error)
                        return time.perf_counter() - started
                raise SystemExit("the miss did not raise")

            elapsed = asyncio.run(call())
    if not recording.unmatched:
        raise SystemExit("the miss was not reported as unmatched")
    return elapsed


def _reraise_interrupt(error: BaseException) -> None:
    if isinstance(error, KeyboardInterrupt):
        raise error


def _until_raised(call: Callable[[], object], started: float) -> float:
    try:
        call()
    except BaseException as error:  # a RequestRefused now; an APIConnectionError before
        _reraise_interrupt(error)
        return time.perf_counter() - started
    raise SystemExit("the miss did not raise")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "miss.yaml"
        calls = record(path)
        print(f"cassette: {calls} recorded calls; {runs} misses each, default retries (max_retries=2)")
        print("| client | median (ms) | max (ms) |\n|---|---:|---:|")
        for name in ("sync", "async"):
            times = [timed_miss(path, name) * 1000 for _ in range(runs)]
            print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
