"""Linear-time secret matching: every built-in pattern (and the known-value matcher) on inputs from
1 KB to 1 MB built to be adversarial for it (near misses that make a backtracking engine retry).

Run ``python bench/bench_patterns.py [--runs N]``. For each pattern it prints the median time per
input size and the time per KB at 1 MB over the time per KB at 1 KB: about 1 (or below, as fixed
costs spread out) means linear; a quadratic pattern grows like the size ratio (1,000). The old
private-key pattern is timed too, up to 64 KB only (it needs minutes beyond).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable

from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.redact.patterns import find_pattern_hits
from pytest_convreplay.rules.redaction import PatternRule, RedactionRules

SIZES = (1_000, 10_000, 100_000, 1_000_000)
OLD_PRIVATE_KEY = PatternRule(
    "private-key-before",
    re.compile(r"-----BEGIN (?P<kind>[A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END (?P=kind)PRIVATE KEY-----"),
)
KNOWN = "opaque-Secret-9f8e7d6c5b4a"

ADVERSARIAL: dict[str, str] = {  # a unit repeated up to the size: near misses for that pattern
    "openai-key": "sk-" + "a" * 19 + " ",
    "openai-session": "sess-" + "a" * 15 + "!",
    "openai-ephemeral-key": "ek_" + "a" * 19 + "!",
    "bearer": "Bearer " + "a" * 7 + " \t",
    "aws-access-key-id": "AKIA" + "A" * 15 + "!",
    "github-token": "ghp_" + "a" * 35 + "!",
    "jwt": "eyJ" + "a" * 8 + ".eyJ" + "a" * 8 + ".!",
    "private-key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
    "private-key-before": "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
    "known values": KNOWN[:-1] + "!" + KNOWN[:5].upper(),
}


def _input(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _timer(name: str) -> Callable[[str], object]:
    if name == "known values":
        known = KnownSecrets()
        known.add(KNOWN, "bench")
        return lambda text: list(known.find(text))
    if name == OLD_PRIVATE_KEY.label:
        return lambda text: list(find_pattern_hits(text, (OLD_PRIVATE_KEY,)))
    rule = next(rule for rule in RedactionRules.default().patterns if rule.label == name)
    return lambda text: list(find_pattern_hits(text, (rule,)))


def _median(func: Callable[[str], object], text: str, runs: int) -> float:
    """The median time of ``func`` over ``runs`` texts like ``text``, each one new: the pattern set
    remembers its verdict on a short string, and a remembered 1 KB text would time nothing."""
    times = []
    for run in range(runs):
        tag = f"{run:04d}"
        fresh = tag + text[len(tag) :]
        started = time.perf_counter()
        func(fresh)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print("| pattern | 1 KB | 10 KB | 100 KB | 1 MB | per-KB time, 1 MB / 1 KB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, unit in ADVERSARIAL.items():
        func = _timer(name)
        old = name == OLD_PRIVATE_KEY.label
        sizes = (1_000, 8_000, 64_000) if old else SIZES
        seconds = [_median(func, _input(unit, size), 1 if old and size > 8_000 else runs) for size in sizes]
        cells = [f"{s * 1000:.2f} ms" for s in seconds] + ([] if not old else ["—"])
        ratio = (seconds[-1] / sizes[-1]) / (seconds[0] / sizes[0])
        shown = f"{ratio:.2f}" + (" (64 KB / 1 KB)" if old else "")
        print(f"| {name} | {' | '.join(cells)} | {shown} |")


if __name__ == "__main__":
    main()
