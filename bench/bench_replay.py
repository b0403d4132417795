"""W100/W500: replay a 2,000- and a 10,000-item conversation paged at limit 20; ours against the peers.

Run ``python bench/bench_replay.py [--runs N]`` in a venv with the ``bench`` extra (cassetter and
pytest-recording register conflicting pytest options, so keep them out of the test venv).

Each workload is recorded once from the built-in emulator with the openai SDK (``limit=20``,
default order): by this plugin, by plain vcrpy and by cassetter, each into its own cassette in
its own format. Then every engine replays the full SDK auto-pagination offline, in the same
process, interleaved run by run:

- **convreplay**: ``Recording`` in record mode ``none`` + ``use_cassette``, what a test does,
  including loading and checking the cassette;
- **vcrpy**: ``vcr.VCR().use_cassette(path, record_mode="none")`` with vcrpy's default matching
  (pytest-recording is this same vcrpy cassette underneath, so it is not timed separately);
- **cassetter**: ``cassetter.use_cassette(path, record_mode="none")``;
- **floor**: the SDK alone, fed the recorded responses from memory by a custom httpx2 transport
  (no interception, no cassette to load).

Every run builds a fresh ``openai.OpenAI`` client and checks that the replayed item ids are the
live ones. ``--memory`` also measures the peak RSS of recording, replaying and diffing a
10,000-item conversation, each in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import openai
from client import LIMIT, list_ids  # the user's code, as bench/run.py measures it too

from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.vcr_format import response_for_vcr

WORKLOADS = {"W100": 2_000, "W500": 10_000}
ENGINES = ("convreplay", "vcrpy", "cassetter", "floor")
WORK = Path(__file__).resolve().parent / ".work"
OFFLINE_KEY = "sk-not-used-offline"

Lister = Callable[[], list[str]]


# --- the client under test ------------------------------------------------------------------------


class MemoryTransport(httpx2.HTTPTransport):
    """The floor: a real transport (same construction cost) that answers from a dict, no socket."""

    def __init__(self, answers: dict[str, tuple[int, list[tuple[str, str]], bytes]]) -> None:
        super().__init__()
        self._answers = answers

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        status, headers, body = self._answers[str(request.url)]
        return httpx2.Response(status, headers=headers, content=body, request=request)


def memory_answers(path: Path) -> dict[str, tuple[int, list[tuple[str, str]], bytes]]:
    """The recorded responses of one of our cassettes, by request URL, as the floor serves them."""
    answers: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {}
    for interaction in load_cassette(path).interactions:
        response = response_for_vcr(interaction["response"])
        headers = [(name, value) for name, values in response["headers"].items() for value in values]
        answers[interaction["request"]["uri"]] = (
            response["status"]["code"],
            headers,
            response["body"]["string"],
        )
    return answers


# --- recording once ---------------------------------------------------------------------------------


def settings(path: Path, mode: RecordMode) -> Settings:
    return Settings(cassette_path=path, snapshot_path=path.with_suffix(".snapshot.yaml"), record_mode=mode)


def record_ours(path: Path, base_url: str, api_key: str, conversation: str) -> list[str]:
    recording = Recording(settings(path, RecordMode.ALL), nodeid=f"bench ({path.name})")
    with use_cassette(recording):
        ids = list_ids(base_url, api_key, conversation)
    recording.save()
    return ids


def record_vcrpy(path: Path, base_url: str, api_key: str, conversation: str) -> list[str]:
    import vcr

    with vcr.VCR().use_cassette(str(path), record_mode="all"):
        return list_ids(base_url, api_key, conversation)


def record_cassetter(path: Path, base_url: str, api_key: str, conversation: str) -> list[str]:
    import cassetter

    with cassetter.use_cassette(str(path), record_mode="all"):
        return list_ids(base_url, api_key, conversation)


RECORDERS = {"convreplay": record_ours, "vcrpy": record_vcrpy, "cassetter": record_cassetter}


class Workload:
    """One conversation recorded once per engine; ``replay(engine)`` is what gets timed."""

    def __init__(self, name: str, n_items: int, folder: Path) -> None:
        self.name, self.n_items = name, n_items
        self.paths = {engine: folder / f"{name}-{engine}.yaml" for engine in RECORDERS}
        with ConversationsEmulator() as api:
            self.conversation = api.seed_conversation(n_items)
            self.base_url = api.base_url
            self.live: list[str] = []
            for engine, record in RECORDERS.items():
                ids = record(self.paths[engine], api.base_url, api.api_key, self.conversation)
                if self.live and ids != self.live:
                    raise SystemExit(f"{name}: {engine} recorded a different listing")
                self.live = ids
        if len(self.live) != n_items:
            raise SystemExit(f"{name}: listed {len(self.live)} items, expected {n_items}")
        self.pages = -(-n_items // LIMIT)
        self.answers = memory_answers(self.paths["convreplay"])

    def replay(self, engine: str) -> list[str]:
        if engine == "convreplay":
            recording = Recording(settings(self.paths[engine], RecordMode.NONE), nodeid="bench")
            with use_cassette(recording):
                ids = list_ids(self.base_url, OFFLINE_KEY, self.conversation)
            if recording.refused:
                raise SystemExit(str(recording.refused[0]))
            return ids
        if engine == "vcrpy":
            import vcr

            with vcr.VCR().use_cassette(str(self.paths[engine]), record_mode="none"):
                return list_ids(self.base_url, OFFLINE_KEY, self.conversation)
        if engine == "cassetter":
            import cassetter

            with cassetter.use_cassette(str(self.paths[engine]), record_mode="none"):
                return list_ids(self.base_url, OFFLINE_KEY, self.conversation)
        http_client = openai.DefaultHttpxClient(transport=MemoryTransport(self.answers))
        return list_ids(self.base_url, OFFLINE_KEY, self.conversation, http_client=http_client)

    def timed(self, engine: str) -> float:
        gc.collect()
        started = time.perf_counter()
        ids = self.replay(engine)
        elapsed = time.perf_counter() - started
        if ids != self.live:
            raise SystemExit(
                f"{self.name}: {engine} replayed {len(ids)} items that differ from the live ones"
            )
        return elapsed


# --- the table --------------------------------------------------------------------------------------


def measure(workloads: list[Workload], runs: int, vcrpy_runs: int) -> dict[str, dict[str, float]]:
    """Medians per workload and engine; engines interleave run by run so drift hits all alike."""
    times: dict[str, dict[str, list[float]]] = {w.name: {e: [] for e in ENGINES} for w in workloads}
    for workload in workloads:
        for engine in ENGINES:
            workload.replay(engine)  # warm-up: imports, caches, first-call costs
    for run in range(runs):
        for workload in workloads:
            for engine in ENGINES:
                if engine == "vcrpy" and run >= vcrpy_runs:
                    continue
                times[workload.name][engine].append(workload.timed(engine))
        print(f"  run {run + 1}/{runs} done", file=sys.stderr)
    return {w: {e: statistics.median(ts) for e, ts in per.items()} for w, per in times.items()}


def table(workloads: list[Workload], medians: dict[str, dict[str, float]]) -> str:
    lines = [
        "| workload | engine | median (s) | x floor | overhead above floor (s) |",
        "|---|---|---:|---:|---:|",
    ]
    for workload in workloads:
        m = medians[workload.name]
        floor = m["floor"]
        label = f"{workload.name} ({workload.n_items:,} items, {workload.pages} pages)"
        for engine in ENGINES:
            overhead = "—" if engine == "floor" else f"{m[engine] - floor:.3f}"
            lines.append(f"| {label} | {engine} | {m[engine]:.3f} | {m[engine] / floor:.2f} | {overhead} |")
    lines += [
        "",
        "| workload | vcrpy / convreplay | convreplay overhead / cassetter overhead |",
        "|---|---:|---:|",
    ]
    for workload in workloads:
        m = medians[workload.name]
        ours, theirs = m["convreplay"] - m["floor"], m["cassetter"] - m["floor"]
        share = f"{ours / theirs:.2f}" if theirs > 0 else "n/a (cassetter within noise of the floor)"
        lines.append(f"| {workload.name} | {m['vcrpy'] / m['convreplay']:.1f} | {share} |")
    if {"W100", "W500"} <= medians.keys():
        lines += [
            "",
            "W500 / W100 time ratio (5x the items): "
            + ", ".join(f"{e} {medians['W500'][e] / medians['W100'][e]:.2f}" for e in ENGINES),
        ]
    return "\n".join(lines)


def targets(medians: dict[str, dict[str, float]]) -> list[str]:
    m = medians.get("W500")
    if m is None:
        return []
    ours, floor = m["convreplay"], m["floor"]
    checks = [
        ("W500 total ≤ 1.2 x floor", ours <= 1.2 * floor, f"{ours / floor:.2f} x floor"),
        (
            "W500 overhead ≤ ½ cassetter's",
            ours - floor <= 0.5 * (m["cassetter"] - floor),
            f"ours {ours - floor:.3f} s, cassetter's {m['cassetter'] - floor:.3f} s",
        ),
        ("≥ 7 x faster than vcrpy", m["vcrpy"] >= 7 * ours, f"{m['vcrpy'] / ours:.1f}x"),
    ]
    if "W100" in medians:
        ratio = ours / medians["W100"]["convreplay"]
        checks.append(("W500 / W100 ≤ 5.5", ratio <= 5.5, f"{ratio:.2f}"))
    return [f"- {'met' if ok else 'NOT MET'}: {what} ({value})" for what, ok, value in checks]


# --- memory: each phase in a fresh process ----------------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's high-water RSS: VmHWM (reset by exec), else ru_maxrss (kept across exec)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def phase(name: str, args: list[str]) -> dict[str, Any]:
    """Run one memory phase in this (child) process; returns its peak RSS and wall time."""
    started = time.perf_counter()
    if name == "baseline":
        import pytest_convreplay.cli  # noqa: F401  (the imports every other phase pays for)
    elif name == "record":
        cassette, base_url, api_key, conversation = args
        record_ours(Path(cassette), base_url, api_key, conversation)
    elif name == "replay":
        cassette, base_url, conversation = args
        recording = Recording(settings(Path(cassette), RecordMode.NONE), nodeid="bench")
        with use_cassette(recording):
            list_ids(base_url, OFFLINE_KEY, conversation)
        assert not recording.unmatched
    elif name == "diff":
        from pytest_convreplay.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            main(["diff", *args])
    else:
        raise SystemExit(f"unknown phase {name}")
    return {"phase": name, "peak_rss_mb": _peak_rss_mb(), "seconds": time.perf_counter() - started}


def in_child(name: str, *args: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def memory(folder: Path, n_items: int = 10_000) -> str:
    first, second = folder / f"mem-{n_items}-a.yaml", folder / f"mem-{n_items}-b.yaml"
    results = [in_child("baseline")]
    with ConversationsEmulator() as api:
        conversation = api.seed_conversation(n_items)
        results.append(in_child("record", str(first), api.base_url, api.api_key, conversation))
        items = api.items(conversation)
        api.delete_item(conversation, items[n_items // 2]["id"])
        api.add_items(
            conversation,
            [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "one more"}]}],
        )
        in_child("record", str(second), api.base_url, api.api_key, conversation)
        base_url = api.base_url
    results.append(in_child("replay", str(first), base_url, conversation))
    results.append(in_child("diff", str(first), str(second)))
    size = first.stat().st_size / 1e6
    lines = [
        f"Peak RSS, {n_items:,} items paged at limit {LIMIT} ({size:.1f} MB cassette), one process each:",
        "",
        "| phase | peak RSS (MB) | above import baseline (MB) | wall (s) |",
        "|---|---:|---:|---:|",
    ]
    baseline = results[0]["peak_rss_mb"]
    for result in results:
        extra = result["peak_rss_mb"] - baseline
        lines.append(
            f"| {result['phase']} | {result['peak_rss_mb']:.0f} | {extra:.0f} | {result['seconds']:.2f} |"
        )
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------


def versions() -> str:
    from importlib.metadata import version

    names = ("openai", "httpx2", "vcrpy", "cassetter", "pyyaml")
    return ", ".join(f"{name} {version(name)}" for name in names) + f", Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per engine (median reported)")
    parser.add_argument("--vcrpy-runs", type=int, default=3, help="timed runs for vcrpy (it is slow)")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS (10,000 items)")
    parser.add_argument("--memory-only", action="store_true", help="only measure peak RSS")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("phase_args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.phase:
        print(json.dumps(phase(options.phase, options.phase_args)))
        return 0
    WORK.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="replay-", dir=WORK))
    try:
        if not options.memory_only:
            print("recording once per engine…", file=sys.stderr)
            workloads = [Workload(name, WORKLOADS[name], folder) for name in options.workloads]
            for workload in workloads:
                size = workload.paths["convreplay"].stat().st_size / 1e6
                print(
                    f"  {workload.name}: {workload.pages} pages, our cassette {size:.1f} MB", file=sys.stderr
                )
            vcrpy_runs = min(options.vcrpy_runs, options.runs)
            medians = measure(workloads, options.runs, vcrpy_runs)
            print(table(workloads, medians))
            print()
            print("\n".join(targets(medians)))
            print()
            print(f"medians of {options.runs} runs ({vcrpy_runs} for vcrpy); {versions()}")
        if options.memory or options.memory_only:
            print()
            print(memory(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
