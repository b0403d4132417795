"""D10k: diff 10,000 items with 100 changed, 1 inserted, 1 removed, 1 moved; ours against DeepDiff.

Run ``python bench/bench_diff.py [--runs N]``. Both engines diff the same lists in the same
process; DeepDiff is keyed by id (``group_by="id"``), its fastest correct setting. Our verdicts
are checked against the planted ones before any time is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from deepdiff import DeepDiff

from pytest_convreplay.diff.engine import diff_items
from pytest_convreplay.diff.model import Verdict
from pytest_convreplay.diff.render import render

Item = dict[str, Any]
SIZE = 10_000
CHANGED = 100


def make_items(size: int, rng: random.Random) -> list[Item]:
    """A conversation of user/assistant messages, function calls with outputs, and reasoning."""
    items: list[Item] = []
    while len(items) < size:
        n = len(items)
        kind = n % 5
        if kind == 0:
            items.append(_message(f"msg_{n:05d}", "user", f"Question {n}: what is the weather in city {n}?"))
        elif kind == 1:
            items.append(
                {
                    "id": f"rs_{n:05d}",
                    "type": "reasoning",
                    "summary": [{"type": "summary_text", "text": f"Need the weather for city {n}."}],
                    "encrypted_content": f"gAAAA{rng.getrandbits(64):x}",
                }
            )
        elif kind == 2:
            items.append(
                {
                    "id": f"fc_{n:05d}",
                    "type": "function_call",
                    "call_id": f"call_{n:05d}",
                    "name": "get_weather",
                    "arguments": json.dumps({"city": f"city {n}", "units": "c"}),
                    "status": "completed",
                }
            )
        elif kind == 3:
            items.append(
                {
                    "id": f"fco_{n:05d}",
                    "type": "function_call_output",
                    "call_id": f"call_{n - 1:05d}",
                    "output": json.dumps({"temp": rng.randint(-10, 35), "sky": "clear"}),
                    "status": "completed",
                }
            )
        else:
            items.append(_message(f"msg_{n:05d}", "assistant", f"It is sunny in city {n}, about 20 degrees."))
    return items


def _message(item_id: str, role: str, text: str) -> Item:
    part: Item = {"type": "input_text" if role == "user" else "output_text", "text": text}
    if role == "assistant":
        part["annotations"] = []
    return {"id": item_id, "type": "message", "role": role, "status": "completed", "content": [part]}


def plant(old: list[Item], rng: random.Random) -> tuple[list[Item], dict[Verdict, set[str]]]:
    """The new list and the planted verdicts: 100 changed, 1 inserted, 1 removed, 1 moved."""
    new = list(old)
    changed = rng.sample(range(10, len(old) - 10), CHANGED + 2)
    moved_at, removed_at, changed = changed[0], changed[1], changed[2:]
    for index in changed:
        item = dict(old[index])
        if item["type"] == "message":
            part = dict(item["content"][0], text=item["content"][0]["text"] + " (edited)")
            item["content"] = [part]
        elif item["type"] == "reasoning":
            item["summary"] = [{"type": "summary_text", "text": "A different plan."}]
        elif item["type"] == "function_call":
            item["arguments"] = json.dumps({"city": "Lyon", "units": "c"})
        else:
            item["output"] = json.dumps({"temp": 99, "sky": "clear"})
        new[index] = item
    moved, removed = old[moved_at], old[removed_at]
    inserted = _message("msg_inserted", "assistant", "A new answer.")
    new = [item for item in new if item is not moved and item is not removed]
    new.insert(len(new) // 2, inserted)
    new.insert(len(new) - 5, moved)
    planted = {
        Verdict.CHANGED: {old[i]["id"] for i in changed},
        Verdict.ADDED: {inserted["id"]},
        Verdict.REMOVED: {removed["id"]},
        Verdict.MOVED: {moved["id"]},
        Verdict.TYPE_CHANGED: set(),
    }
    return json.loads(json.dumps(new)), planted  # no object shared with old, as after re-recording


def check(old: list[Item], new: list[Item], planted: dict[Verdict, set[str]]) -> None:
    """Fail loudly unless our verdicts are exactly the planted ones."""
    found: dict[Verdict, set[str]] = {verdict: set() for verdict in Verdict}
    for change in diff_items(old, new).verdicts:
        found[change.verdict].add(change.key)
    if found != planted:
        wrong = {v.value: sorted(found[v] ^ planted[v])[:5] for v in Verdict if found[v] != planted[v]}
        sys.exit(f"verdicts differ from the planted ones: {wrong}")


def median_seconds(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of our engine (median reported)")
    parser.add_argument("--deepdiff-runs", type=int, default=3, help="runs of DeepDiff (median reported)")
    options = parser.parse_args()

    rng = random.Random(5)
    old = make_items(SIZE, rng)
    new, planted = plant(old, rng)
    check(old, new, planted)

    ours = median_seconds(lambda: diff_items(old, new), options.runs)
    ours_text = median_seconds(lambda: render(diff_items(old, new)), options.runs)
    theirs = median_seconds(lambda: DeepDiff(old, new, group_by="id"), options.deepdiff_runs)

    rows = [
        ("pytest-convreplay `diff_items`", ours),
        ("pytest-convreplay `diff_items` + `render`", ours_text),
        ('DeepDiff `group_by="id"`', theirs),
    ]
    print(f"D10k: {SIZE:,} items, {CHANGED} changed, 1 inserted, 1 removed, 1 moved; verdicts exact\n")
    print("| engine | median (s) | DeepDiff time / this time |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.4f} | {theirs / seconds:.0f} |")
    runs = f"{options.runs} (ours) and {options.deepdiff_runs} (DeepDiff)"
    print(f"\nmedians of {runs} runs, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
