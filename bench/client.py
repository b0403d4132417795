"""The measured side of ``bench/run.py``: one process that lists a conversation with the openai SDK
under one engine at a time, on request, and answers with the CPU time it took.

It runs in our virtual environment for this plugin, plain vcrpy and the floor, and in a peer's
own (``bench/.work/venv-cassetter``) for cassetter, which needs nothing but the SDK here. The
emulator serves from another process (``run.py serve``), so the CPU time of this process is the
client's and the engine's alone. Requests come one JSON object a line on standard input, answers
go one a line to standard output::

    {"op": "record", "engine": "convreplay", "path": …, "base_url": …, "api_key": …, "conversation": …}
    {"op": "replay", "engine": "floor", "path": ..., "conversation": ...}
    -> {"cpu": 0.61, "items": 10000, "first": "msg_…", "last": "msg_…"}
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai

LIMIT = 20
OFFLINE_KEY = "sk-not-used-offline"
OFFLINE_URL = "http://127.0.0.1:9/v1"  # nothing listens there: a replay that went out would fail


def list_ids(base_url: str, api_key: str, conversation: str, http_client: Any = None) -> list[str]:
    """What the user's code does: a fresh SDK client auto-paginating the whole conversation."""
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, http_client=http_client)
    with client:
        return [str(item.id) for item in client.conversations.items.list(conversation, limit=LIMIT)]


class MemoryTransport(httpx2.HTTPTransport):
    """The floor: a real transport (same construction cost) that answers from a dict, no socket."""

    def __init__(self, answers: dict[str, tuple[int, list[tuple[str, str]], bytes]]) -> None:
        super().__init__()
        self._answers = answers

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        status, headers, body = self._answers[request.url.raw_path.decode()]
        return httpx2.Response(status, headers=headers, content=body, request=request)


# --- engines ----------------------------------------------------------------------------------------


def _settings(path: Path, mode: str, cache_dir: str | None) -> Any:
    from pytest_convreplay.config.settings import RecordMode, Settings

    return Settings(
        cassette_path=path,
        snapshot_path=path.with_suffix(".snapshot.yaml"),
        record_mode=RecordMode(mode),
        parsed_cache_dir=Path(cache_dir) if cache_dir else None,
    )


@contextlib.contextmanager
def convreplay(path: Path, mode: str, cache_dir: str | None = None) -> Iterator[None]:
    from pytest_convreplay.record.recording import Recording
    from pytest_convreplay.record.vcr import use_cassette

    recording = Recording(_settings(path, mode, cache_dir), nodeid=f"bench ({path.name})")
    with use_cassette(recording):
        yield
    if recording.refused:
        raise SystemExit(str(recording.refused[0]))
    recording.save()


@contextlib.contextmanager
def vcrpy(path: Path, mode: str, cache_dir: str | None = None) -> Iterator[None]:
    import vcr

    with vcr.VCR().use_cassette(str(path), record_mode=mode):
        yield


@contextlib.contextmanager
def cassetter(path: Path, mode: str, cache_dir: str | None = None) -> Iterator[None]:
    import cassetter as engine

    with engine.use_cassette(str(path), record_mode=mode):
        yield


@contextlib.contextmanager
def nothing(path: Path, mode: str, cache_dir: str | None = None) -> Iterator[None]:
    yield


ENGINES: dict[str, Callable[..., contextlib.AbstractContextManager[None]]] = {
    "convreplay": convreplay,
    "vcrpy": vcrpy,
    "cassetter": cassetter,
    "none": nothing,
}

_answers: dict[str, dict[str, tuple[int, list[tuple[str, str]], bytes]]] = {}


def floor_answers(path: Path) -> dict[str, tuple[int, list[tuple[str, str]], bytes]]:
    """The responses of one of our cassettes, by request path and query, as replay serves them."""
    if str(path) not in _answers:
        from pytest_convreplay.replay.fastpath import served_headers
        from pytest_convreplay.storage.cassette import load_cassette
        from pytest_convreplay.storage.vcr_format import response_for_vcr

        answers = {}
        for interaction in load_cassette(path).interactions:
            response = response_for_vcr(interaction["response"])
            headers = [(n.decode(), v.decode()) for n, v in served_headers(response["headers"])]
            raw = httpx2.URL(interaction["request"]["uri"]).raw_path.decode()
            answers[raw] = (response["status"]["code"], headers, response["body"]["string"])
        _answers[str(path)] = answers
    return _answers[str(path)]


def run(request: dict[str, Any]) -> dict[str, Any]:
    path = Path(request["path"])
    engine = request["engine"]
    if request["op"] == "record":
        base_url, api_key, mode = request["base_url"], request["api_key"], "all"
        path.unlink(missing_ok=True)  # a first recording: nothing to load or add to
    else:  # the server that was recorded is gone: a request that went out would fail
        base_url, api_key, mode = request.get("base_url", OFFLINE_URL), OFFLINE_KEY, "none"
    http_client = None
    if engine == "floor":
        http_client = openai.DefaultHttpxClient(transport=MemoryTransport(floor_answers(path)))
        context: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        context = ENGINES[engine](path, mode, request.get("cache_dir"))
    gc.collect()
    started = time.process_time()
    with context:
        ids = list_ids(base_url, api_key, request["conversation"], http_client)
    cpu = time.process_time() - started
    return {"cpu": cpu, "items": len(ids), "first": ids[0] if ids else None, "last": ids[-1] if ids else None}


_items: dict[str, list[Any]] = {}


def snapshot(request: dict[str, Any]) -> dict[str, Any]:
    """``assert_match`` of the conversation's SDK items against its stored snapshot (written on
    the first call), with a fresh snapshot file each time: read, items prepared, diffed."""
    from pytest_convreplay.rules.masks import DEFAULT_MASKS
    from pytest_convreplay.rules.redaction import RedactionRules
    from pytest_convreplay.snapshot.assertion import SnapshotAssertion
    from pytest_convreplay.snapshot.file import SnapshotFile
    from pytest_convreplay.snapshot.options import SnapshotOptions

    path = Path(request["path"])
    if str(path) not in _items:
        http_client = openai.DefaultHttpxClient(transport=MemoryTransport(floor_answers(path)))
        client = openai.OpenAI(
            base_url=OFFLINE_URL, api_key=OFFLINE_KEY, max_retries=0, http_client=http_client
        )
        with client:
            _items[str(path)] = list(client.conversations.items.list(request["conversation"], limit=LIMIT))
    items = _items[str(path)]
    options = SnapshotOptions(
        path=Path(request["snapshot"]),
        test="bench/test_history.py::test_history",
        masks=DEFAULT_MASKS,
        patterns=RedactionRules.default().patterns,
        parsed_cache_dir=Path(request["cache_dir"]) if request.get("cache_dir") else None,
    )
    if not options.path.exists():
        from dataclasses import replace

        SnapshotAssertion(SnapshotFile(replace(options, update=True))).assert_match(items)
    gc.collect()
    started = time.process_time()
    SnapshotAssertion(SnapshotFile(options)).assert_match(items)
    return {"cpu": time.process_time() - started, "items": len(items)}


def profile(request: dict[str, Any]) -> dict[str, Any]:
    """Where the time of one listing goes: the top of cProfile's table, by own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run({**request, "op": request["what"]})
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    return {"text": f"{request['what']} {Path(request['path']).name}, {request['engine']}\n{out.getvalue()}"}


OPS = {"record": run, "replay": run, "snapshot": snapshot, "profile": profile}


def main() -> int:
    for line in sys.stdin:
        try:
            request = json.loads(line)
            answer = OPS[request["op"]](request)
        except (Exception, SystemExit) as error:  # the orchestrator reports it and stops
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
