"""Run fuzz targets for N seconds each and print executions and coverage: ``python fuzz/run.py``.

    python fuzz/run.py                              every target, 20 s each, two at a time
    python fuzz/run.py cassette_loader --seconds 600
    python fuzz/run.py --seconds 600 --jobs 2 --keep fuzz/.work   keep what each run learned

Each target runs in its own process (libFuzzer through atheris) over its seed corpus in
``fuzz/corpus/<target>/``; new inputs go to a working folder (temporary unless ``--keep``), never
into the committed seeds. A crash, a hang (over ``--timeout`` seconds for one input) or a memory
blow-up (over 2 GB) fails the run and is saved as ``crash-*`` / ``timeout-*`` / ``oom-*`` in the
artifacts folder printed at the end. The exit status is 1 when any target found something.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
TARGETS = sorted(path.stem for path in (FUZZ / "targets").glob("[!_]*.py"))
_DONE = re.compile(r"#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)")
_PROGRESS = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


@dataclass
class Outcome:
    target: str
    seconds: float
    executions: int = 0
    coverage: int = 0
    features: int = 0
    corpus: int = 0
    artifact: str | None = None
    exit_code: int = 0
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.artifact is None

    def finding(self) -> list[str]:
        """The Python traceback libFuzzer printed, or the end of its log."""
        lines = [line for line in self.log.splitlines() if not line.startswith(("INFO:", "#", "WARNING:"))]
        start = next((n for n, line in enumerate(lines) if "Uncaught Python exception" in line), None)
        return lines[start : start + 40] if start is not None else lines[-40:]

    def line(self) -> str:
        verdict = "ok" if self.ok else f"FOUND {self.artifact or f'exit {self.exit_code}'}"
        return (
            f"{self.target:<16} {self.seconds:7.1f} s  {self.executions:>11,} executions  "
            f"cov {self.coverage:>5}  ft {self.features:>6}  corpus {self.corpus:>5}  {verdict}"
        )


def run_target(target: str, seconds: int, work: Path, artifacts: Path, timeout: int) -> Outcome:
    corpus = work / target
    corpus.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(FUZZ / "targets" / f"{target}.py"),
        str(corpus),
        str(FUZZ / "corpus" / target),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        "-rss_limit_mb=2048",
        "-max_len=65536",
        "-print_final_stats=1",
        f"-artifact_prefix={artifacts}/{target}-",
    ]
    dictionary = FUZZ / "dictionaries" / f"{target}.dict"
    if dictionary.exists():
        command.append(f"-dict={dictionary}")
    started = time.monotonic()
    process = subprocess.run(  # atheris prints the Python traceback to stdout, libFuzzer to stderr
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        cwd=FUZZ,
        check=False,
    )
    outcome = Outcome(target, time.monotonic() - started, exit_code=process.returncode, log=process.stdout)
    found = _DONE.findall(outcome.log) or _PROGRESS.findall(outcome.log)
    if found:
        executions, coverage, features, size = map(int, found[-1])
        outcome.executions, outcome.coverage, outcome.features, outcome.corpus = (
            executions,
            coverage,
            features,
            size,
        )
    executed = re.search(r"stat::number_of_executed_units:\s*(\d+)", outcome.log)
    if executed:
        outcome.executions = int(executed.group(1))
    artifact = _ARTIFACT.search(outcome.log)
    outcome.artifact = artifact.group(1) if artifact else None
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    parser.add_argument("--seconds", type=int, default=20, help="how long each target runs (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="targets run at the same time (default 2)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take (default 10)")
    parser.add_argument("--keep", type=Path, help="keep the working corpora here, to resume later")
    arguments = parser.parse_args(argv)
    unknown = sorted(set(arguments.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; the targets are {', '.join(TARGETS)}")
    targets = arguments.targets or TARGETS
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="convreplay-fuzz-"))
    artifacts = work / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    print(
        f"fuzzing {', '.join(targets)} for {arguments.seconds} s each, {arguments.jobs} at a time", flush=True
    )
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        outcomes = list(
            pool.map(
                lambda target: run_target(target, arguments.seconds, work, artifacts, arguments.timeout),
                targets,
            )
        )
    for outcome in outcomes:
        print(outcome.line())
        if not outcome.ok:
            print("\n".join(f"    {line}" for line in outcome.finding()))
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if failed:
        print(f"artifacts in {artifacts}: add each as fuzz/corpus/<target>/regression-<what>, and a test")
    elif arguments.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
