"""Every speed goal of the plugin, measured side by side in one command.

    python bench/run.py            # the full run: medians of 5 paired runs, peers in their own venvs
    python bench/run.py --quick    # CI: every code path once on small workloads, no peer, no verdicts
    python bench/run.py --profile  # also where the time goes (cProfile) in recording and replaying W500

What is measured is CPU time (user + system) of the measured process: the SDK client under one
engine in ``bench/client.py`` (the emulator serves from a process of its own), or a whole pytest
process. The systems compared take turns run by run (the order rotates), so a burst of load on the
shared machine hits them alike; medians are reported. cassetter registers pytest options that
clash with pytest-recording's, so it runs in its own virtual environment, created on first use
under ``bench/.work/venv-cassetter`` (git-ignored), each engine in a process of its own.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
RUN = WORK / "run"
PEER_VENV = WORK / "venv-cassetter"
sys.path.insert(0, str(BENCH))

import suites  # noqa: E402  (bench/ is not a package)

Verdict = tuple[str, str, bool | None]  # goal, figure, met (None: reported only)


# --- the processes ------------------------------------------------------------------------------


class Emulator:
    """The Conversations API emulator in a process of its own, with one conversation of ``items``."""

    def __init__(self, items: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", str(items)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline())
        self.base_url, self.api_key, self.conversation = (
            started["base_url"],
            started["api_key"],
            started["id"],
        )

    def drift(self) -> None:
        """Delete the middle item and add one: a re-recording then differs by two items."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("drift\n")
        self.process.stdin.flush()
        self.process.stdout.readline()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def serve(items: int) -> int:
    from pytest_convreplay.emulator import ConversationsEmulator

    with ConversationsEmulator() as api:
        conversation = api.seed_conversation(items)
        print(json.dumps({"base_url": api.base_url, "api_key": api.api_key, "id": conversation}), flush=True)
        for line in sys.stdin:
            if line.strip() == "drift":
                listed = api.items(conversation)
                api.delete_item(conversation, listed[len(listed) // 2]["id"])
                api.add_items(
                    conversation,
                    [
                        {
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_text", "text": "one more"}],
                        }
                    ],
                )
                print("ok", flush=True)
    return 0


class Client:
    """``bench/client.py`` in one interpreter: asked for one timed listing at a time."""

    def __init__(self, python: str | Path = sys.executable) -> None:
        self.process = subprocess.Popen(
            [str(python), str(BENCH / "client.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise SystemExit(
                f"bench/client.py, {request.get('op')} with {request.get('engine')}: {answer['error']}"
            )
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextlib.contextmanager
def running(*things: Emulator | Client) -> Iterator[None]:
    try:
        yield
    finally:
        for thing in things:
            thing.close()


def peer_python() -> Path | None:
    """cassetter's own virtual environment (with the openai SDK), made on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "cassetter>=0.16", "openai", "httpx2"],
            check=False,
        )
        if installed.returncode != 0:
            shutil.rmtree(PEER_VENV, ignore_errors=True)
            return None
    return python


# --- measuring ------------------------------------------------------------------------------------


def paired(runs: int, systems: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The median CPU seconds of each system, run in turns (the order rotating run by run)."""
    names = list(systems)
    for name in names:
        systems[name]()  # warm-up: imports, first-call costs, a cache's first fill
    times: dict[str, list[float]] = {name: [] for name in names}
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            times[name].append(systems[name]())
        print(f"    run {run + 1}/{runs}", file=sys.stderr)
    return {name: statistics.median(values) for name, values in times.items()}


def checked(answer: dict[str, Any], expected: int) -> float:
    """The CPU seconds of a listing that returned every item."""
    if answer["items"] != expected:
        raise SystemExit(f"a listing returned {answer['items']} items, expected {expected}")
    return float(answer["cpu"])


# --- the goals ------------------------------------------------------------------------------------


class Bench:
    """One run of every goal: the options, our client process, the files made, the verdicts."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.quick: bool = options.quick
        self.runs: int = options.runs
        self.items = 200 if self.quick else 10_000  # W500: 500 pages of 20
        self.big = 1_000 if self.quick else 50_000  # W2500
        self.ours = Client()
        self.verdicts: list[Verdict] = []
        self.cache = RUN / "parsed-cache"
        self.files: dict[str, Path] = {}
        self.profiles: list[str] = []

    def verdict(self, goal: str, figure: str, met: bool | None) -> None:
        self.verdicts.append((goal, figure, met))
        print(f"  {goal}: {figure}", file=sys.stderr)

    def name(self, items: int) -> str:
        return f"W{items // 20}"

    # record -----------------------------------------------------------------------------------

    def record(self) -> None:
        """Record W500: ours (every redaction and gate check on) against plain vcrpy and against
        not recording at all; then cassetter's own cassette and a drifted re-recording of ours."""
        emulator = Emulator(self.items)
        with running(emulator):
            live = {
                "base_url": emulator.base_url,
                "api_key": emulator.api_key,
                "conversation": emulator.conversation,
            }
            paths = {engine: RUN / f"record-{engine}.yaml" for engine in ("convreplay", "vcrpy", "none")}

            def recorder(engine: str) -> Callable[[], float]:
                return lambda: checked(
                    self.ours.ask(op="record", engine=engine, path=str(paths[engine]), **live), self.items
                )

            print(f"record {self.name(self.items)}", file=sys.stderr)
            medians = paired(self.runs, {engine: recorder(engine) for engine in paths})
            self.files["ours"] = RUN / "w500-convreplay.yaml"
            shutil.copy(paths["convreplay"], self.files["ours"])
            if self.options.profile:
                self.profiles.append(
                    self.ours.ask(
                        op="profile",
                        what="record",
                        engine="convreplay",
                        path=str(paths["convreplay"]),
                        **live,
                    )["text"]
                )
            peer = None if self.quick else peer_python()
            if peer is not None:
                self.files["cassetter"] = RUN / "w500-cassetter.yaml"
                cassetter = Client(peer)
                with running(cassetter):
                    cassetter.ask(op="record", engine="cassetter", path=str(self.files["cassetter"]), **live)
            emulator.drift()
            self.files["drifted"] = RUN / "w500-drifted.yaml"
            self.ours.ask(op="record", engine="convreplay", path=str(self.files["drifted"]), **live)
            self.conversation, self.base_url = emulator.conversation, emulator.base_url
        name = self.name(self.items)
        ratio = medians["convreplay"] / medians["vcrpy"]
        self.verdict(
            f"record {name}: convreplay / plain vcrpy ≤ 0.8",
            _ratio(medians, "convreplay", "vcrpy"),
            ratio <= 0.8,
        )
        self.verdict(f"record {name}: convreplay / no recording", _ratio(medians, "convreplay", "none"), None)

    # replay -----------------------------------------------------------------------------------

    def replayer(
        self, client: Client, engine: str, path: Path, items: int, *, cold: bool = False
    ) -> Callable[[], float]:
        cache = str(self.cache) if engine == "convreplay" else None

        def replay() -> float:
            if cold:
                shutil.rmtree(self.cache, ignore_errors=True)
            answer = client.ask(
                op="replay",
                engine=engine,
                path=str(path),
                conversation=self.conversation,
                base_url=self.base_url,
                cache_dir=cache,
            )
            return checked(answer, items)

        return replay

    def replay(self) -> None:
        """Replay W500 and W2500: ours (its parsed-cassette cache empty before each cold run, filled
        for the warm ones) against the SDK alone fed the same answers from memory; cassetter's
        overhead against ours at W500."""
        ours, path = self.ours, self.files["ours"]
        systems = {
            "floor": self.replayer(ours, "floor", path, self.items),
            "convreplay cold": self.replayer(ours, "convreplay", path, self.items, cold=True),
            "convreplay warm": self.replayer(ours, "convreplay", path, self.items),
        }
        peer = PEER_VENV / "bin" / "python"
        cassetter = Client(peer) if "cassetter" in self.files else None
        if cassetter is not None:
            systems["cassetter"] = self.replayer(cassetter, "cassetter", self.files["cassetter"], self.items)
        print(f"replay {self.name(self.items)}", file=sys.stderr)
        w500 = paired(self.runs, systems)
        if cassetter is not None:
            cassetter.close()
        if self.options.profile:
            self.profiles.append(
                ours.ask(
                    op="profile",
                    what="replay",
                    engine="convreplay",
                    path=str(path),
                    conversation=self.conversation,
                    base_url=self.base_url,
                    cache_dir=str(self.cache),
                )["text"]
            )
        big = self.replay_big()
        name, big_name = self.name(self.items), self.name(self.big)
        for medians, label, bound in ((w500, name, 1.05), (big, big_name, 1.08)):
            for kind in ("warm", "cold"):
                self.verdict(
                    f"replay {label} ({kind}) / SDK alone ≤ {bound}",
                    _ratio(medians, f"convreplay {kind}", "floor"),
                    medians[f"convreplay {kind}"] / medians["floor"] <= bound,
                )
        for kind in ("warm", "cold"):
            small, large = (
                w500[f"convreplay {kind}"] - w500["floor"],
                big[f"convreplay {kind}"] - big["floor"],
            )
            growth = large / small if small > 0 else float("inf")
            self.verdict(
                f"replay overhead {big_name} / {name} ({kind}) ≤ 5.5",
                f"{growth:.2f} ({large * 1000:.0f} ms / {small * 1000:.0f} ms)",
                growth <= 5.5,
            )
        if "cassetter" in w500:
            theirs = w500["cassetter"] - w500["floor"]
            for kind in ("warm", "cold"):
                mine = w500[f"convreplay {kind}"] - w500["floor"]
                share = mine / theirs if theirs > 0 else float("inf")
                self.verdict(
                    f"replay {name} overhead ({kind}) / cassetter's ≤ 0.35",
                    f"{share:.2f} ({mine * 1000:.0f} ms / {theirs * 1000:.0f} ms)",
                    share <= 0.35,
                )

    def replay_big(self) -> dict[str, float]:
        emulator = Emulator(self.big)
        path = RUN / "w2500-convreplay.yaml"
        with running(emulator):
            live = {
                "base_url": emulator.base_url,
                "api_key": emulator.api_key,
                "conversation": emulator.conversation,
            }
            self.ours.ask(op="record", engine="convreplay", path=str(path), **live)
            conversation, self.conversation = self.conversation, emulator.conversation
            base_url, self.base_url = self.base_url, emulator.base_url
        print(f"replay {self.name(self.big)}", file=sys.stderr)
        medians = paired(
            self.runs,
            {
                "floor": self.replayer(self.ours, "floor", path, self.big),
                "convreplay cold": self.replayer(self.ours, "convreplay", path, self.big, cold=True),
                "convreplay warm": self.replayer(self.ours, "convreplay", path, self.big),
            },
        )
        self.conversation, self.base_url = conversation, base_url
        return medians

    # suites -----------------------------------------------------------------------------------

    def unused_suite(self) -> None:
        """2,000 tests that never use the plugin, collected and run, with and without it; and the
        import of the plugin after pytest's own."""
        files, per_file = (2, 10) if self.quick else (20, 100)
        folder = suites.write_unused(RUN / "suite-unused", files, per_file)
        env = suites.bench_env()

        def pytest_cpu(*arguments: str) -> Callable[[], float]:
            return lambda: suites.cpu_of(suites.pytest_command(*arguments), cwd=folder, env=env)

        print(f"a suite of {files * per_file} tests that never uses the plugin", file=sys.stderr)
        medians = paired(
            self.runs,
            {
                "run": pytest_cpu(),
                "run without": pytest_cpu("-p", "no:convreplay"),
                "collect": pytest_cpu("--collect-only"),
                "collect without": pytest_cpu("--collect-only", "-p", "no:convreplay"),
            },
        )
        for what in ("run", "collect"):
            ratio = medians[what] / medians[f"{what} without"]
            self.verdict(
                f"{files * per_file} tests never using it, {what}: with / -p no:convreplay ≤ 1.05",
                _ratio(medians, what, f"{what} without"),
                ratio <= 1.05,
            )
        imports = paired(
            11 if not self.quick else 1,
            {
                "pytest": lambda: suites.cpu_of([sys.executable, "-c", "import pytest"], env=env),
                "plugin": lambda: suites.cpu_of(
                    [sys.executable, "-c", "import pytest, pytest_convreplay.plugin"], env=env
                ),
            },
        )
        added = imports["plugin"] - imports["pytest"]
        self.verdict("import of the plugin after pytest's ≤ 60 ms", f"{added * 1000:.0f} ms", added <= 0.060)

    def small_cassettes(self) -> None:
        """Tests that each replay a small cassette (two pages of 20 items) against the same tests
        fed from memory with the plugin off: CPU of the test loop per test."""
        tests = 10 if self.quick else 200
        folder = suites.write_small(RUN / "suite-small", tests)
        emulator = Emulator(40)
        with running(emulator):
            env = suites.bench_env(
                BENCH_BASE_URL=emulator.base_url,
                BENCH_CONVERSATION=emulator.conversation,
                BENCH_LOOP_CPU=str(folder / "loop.json"),
            )
            suites.cpu_of(
                suites.pytest_command("--convreplay-record-mode=once"),
                cwd=folder,
                env={**env, "BENCH_API_KEY": emulator.api_key},
            )
        answers = suites.small_answers(folder)
        offline = {**env, "BENCH_ANSWERS": str(answers)}  # the emulator is gone: nothing may go out

        def per_test(*arguments: str, floor: bool = False) -> Callable[[], float]:
            def run() -> float:
                suites.cpu_of(
                    suites.pytest_command(*arguments),
                    cwd=folder,
                    env={**offline, "BENCH_FLOOR": "1" if floor else "0"},
                )
                loop = json.loads((folder / "loop.json").read_text())
                if loop["tests"] != tests:
                    raise SystemExit(f"the small-cassette suite ran {loop['tests']} tests, expected {tests}")
                return float(loop["cpu"]) / tests

            return run

        print(f"{tests} tests with a small cassette each", file=sys.stderr)
        medians = paired(
            self.runs, {"convreplay": per_test(), "floor": per_test("-p", "no:convreplay", floor=True)}
        )
        ratio = medians["convreplay"] / medians["floor"]
        self.verdict(
            "per test with a small cassette / the SDK alone ≤ 1.2",
            f"{ratio:.2f} ({medians['convreplay'] * 1000:.2f} ms / {medians['floor'] * 1000:.2f} ms a test)",
            ratio <= 1.2,
        )

    # snapshots and diffs ------------------------------------------------------------------------

    def assert_match(self) -> None:
        """``assert_match`` of W500's 10,000 SDK items against their snapshot file, with the file's
        parsed cache filled (warm) and emptied before each run (cold, as in a fresh clone)."""
        snapshot = RUN / "w500.snapshot.yaml"
        cache = RUN / "snapshot-cache"
        request = {
            "op": "snapshot",
            "path": str(self.files["ours"]),
            "snapshot": str(snapshot),
            "conversation": self.conversation,
            "cache_dir": str(cache),
        }

        def matched(cold: bool) -> Callable[[], float]:
            def run() -> float:
                if cold:
                    shutil.rmtree(cache, ignore_errors=True)
                return checked(self.ours.ask(**request), self.items)

            return run

        print("assert_match", file=sys.stderr)
        medians = paired(self.runs, {"warm": matched(cold=False), "cold": matched(cold=True)})
        for kind in ("warm", "cold"):
            seconds = medians[kind]
            self.verdict(
                f"assert_match on {self.items:,} SDK items, {kind}, ≤ 150 ms",
                f"{seconds * 1000:.0f} ms",
                seconds <= 0.150,
            )

    def diff(self) -> None:
        """Run where a user runs it: in a project whose test runs keep a pytest cache. Cold is the
        first run (the project's parsed cache has neither file), warm any later one."""
        command = [
            str(Path(sys.executable).with_name("convreplay")),
            "diff",
            str(self.files["ours"]),
            str(self.files["drifted"]),
        ]
        print("convreplay diff", file=sys.stderr)
        env = suites.bench_env()
        project = suites.write_unused(RUN / "diff-project", files=1, per_file=1)
        suites.cpu_of(suites.pytest_command(), cwd=project, env=env)  # pytest makes its cache folder
        parsed = project / ".pytest_cache" / "d" / "convreplay-parsed"

        def cold() -> float:
            shutil.rmtree(parsed, ignore_errors=True)
            return suites.cpu_of(command, cwd=project, env=env, exit_codes=(1,))

        medians = paired(
            self.runs,
            {"cold": cold, "warm": lambda: suites.cpu_of(command, cwd=project, env=env, exit_codes=(1,))},
        )
        self.verdict(
            f"convreplay diff of two {self.items:,}-item cassettes ≤ 0.4 s",
            f"{medians['warm']:.3f} s warm, {medians['cold']:.3f} s cold (first run: parsed and cached)",
            medians["warm"] <= 0.4,
        )

    def instructions(self) -> None:
        """Replay W500 against the SDK alone by instruction count (bench/callgrind.py), which the
        load on shared cores does not move."""
        import callgrind

        print("replay W500 under callgrind", file=sys.stderr)
        counts = callgrind.measure(self.items)
        for kind in ("warm", "cold"):
            ratio = counts[kind] / counts["floor"]
            self.verdict(
                f"replay {self.name(self.items)} ({kind}) / SDK alone ≤ 1.05, instructions",
                f"{ratio:.3f} ({counts[kind] / 1e9:.2f} / {counts['floor'] / 1e9:.2f} G)",
                ratio <= 1.05,
            )

    def patterns(self) -> None:
        import bench_patterns

        print("secret patterns, linear", file=sys.stderr)
        small, large = (1_000, 10_000) if self.quick else (1_000, 1_000_000)
        worst = ("", 0.0)
        for name, unit in bench_patterns.ADVERSARIAL.items():
            if name == bench_patterns.OLD_PRIVATE_KEY.label:
                continue
            func = bench_patterns._timer(name)
            times = [
                bench_patterns._median(func, bench_patterns._input(unit, size), self.runs)
                for size in (small, large)
            ]
            ratio = (times[1] / large) / (times[0] / small)
            worst = max(worst, (name, ratio), key=lambda pair: pair[1])
        self.verdict(
            f"every built-in pattern linear: worst per-KB time at {large // 1000:,} KB / at 1 KB ≤ 2",
            f"{worst[1]:.2f} ({worst[0]})",
            worst[1] <= 2,
        )

    def close(self) -> None:
        self.ours.close()


def _ratio(medians: dict[str, float], ours: str, theirs: str) -> str:
    return f"{medians[ours] / medians[theirs]:.2f} ({medians[ours]:.3f} s / {medians[theirs]:.3f} s)"


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["serve"]:
        return serve(int(arguments[1]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="every code path once, small, no peers, no verdicts"
    )
    parser.add_argument("--runs", type=int, default=5, help="paired runs per goal (medians reported)")
    parser.add_argument("--profile", action="store_true", help="also profile recording and replaying W500")
    parser.add_argument(
        "--callgrind", action="store_true", help="also count replay W500's instructions (valgrind, ~8 min)"
    )
    options = parser.parse_args(arguments)
    if options.quick:
        options.runs = 1
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    # An installed package has its bytecode (pip compiles it); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1, as this machine's shells are, would compile the plugin from source
    # in every process measured, a cost no user pays.
    compileall.compile_dir(str(BENCH.parent / "pytest_convreplay"), quiet=1)
    started = time.monotonic()
    load_before = os.getloadavg()
    bench = Bench(options)
    try:
        bench.record()
        bench.replay()
        bench.assert_match()
        bench.diff()
        bench.unused_suite()
        bench.small_cassettes()
        bench.patterns()
        if options.callgrind:
            bench.instructions()
    finally:
        bench.close()
    print_verdicts(bench.verdicts, options, load_before, time.monotonic() - started)
    for profile in bench.profiles:
        print("\n```\n" + profile + "\n```")
    failed = [goal for goal, _, met in bench.verdicts if met is False]
    return 1 if failed and not options.quick else 0


def print_verdicts(
    verdicts: list[Verdict], options: argparse.Namespace, load: tuple[float, ...], seconds: float
) -> None:
    print("| goal | figure | met |")
    print("|---|---|---|")
    for goal, figure, met in verdicts:
        shown = "—" if met is None or options.quick else ("yes" if met else "NO")
        print(f"| {goal} | {figure} | {shown} |")
    end = os.getloadavg()
    print(
        f"\nload average (1, 5, 15 min) {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start, "
        f"{end[0]:.2f} {end[1]:.2f} {end[2]:.2f} at the end; {seconds:.0f} s; medians of "
        f"{options.runs} paired runs; Python {platform.python_version()}"
    )


if __name__ == "__main__":
    sys.exit(main())
