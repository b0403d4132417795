"""``convreplay review``: walk what a run proposes, accept, reject or skip each, with its diff.

Two sources, like insta's review: the pending snapshots ``pytest --convreplay-pending`` left beside
the committed files, and (``--drift``) the drifted tests of a drift run, whose new cassette and
snapshots replace the committed ones when accepted. Answers are read line by line, so a script can
drive it; ``--accept-all`` and ``--reject-all`` need no input at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..diff import diff_items, render
from ..drift import DriftManifest, Scratch, compare_entries
from ..drift.adopt import adopt
from ..errors import shown_path
from ..gate import Gate
from ..storage import pending
from ..storage.snapshots import read_snapshots

PROMPT = "accept (a), reject (r), skip (s), quit (q)? "


@dataclass(frozen=True, slots=True)
class Proposal:
    """One thing to decide on: what it is, its item-level diff, and what each answer does."""

    title: str
    diff: str
    accept: Callable[[], None]
    reject: Callable[[], None]


def pending_proposals(paths: list[Path], gate: Gate, *, color: bool) -> Iterator[Proposal]:
    for path in pending.find_pending(paths):
        proposal = pending.read_pending(path)
        committed = read_snapshots(pending.committed_path(path))
        for name, items in proposal.snapshots.items():
            stored = committed.get(name)
            diff = (
                f"new snapshot: {len(items)} items, nothing committed"
                if stored is None
                else render(diff_items(stored, items, masks=(), renumber=proposal.renumber_ids), color=color)
            )
            yield Proposal(
                f"{proposal.test or shown_path(path)}: snapshot {name!r} "
                f"({shown_path(pending.committed_path(path))})",
                diff,
                accept=functools.partial(pending.accept, path, [name], gate),
                reject=functools.partial(pending.reject, path, [name], gate),
            )


def drift_proposals(folder: Path, gate: Gate, *, color: bool) -> Iterator[Proposal]:
    manifest = DriftManifest.read(folder / "drift.json")
    scratch = Scratch(folder, Path.cwd())  # accepting writes into the project it is run in, only
    result = compare_entries(manifest.entries, scratch)
    entries = {entry.test: entry for entry in manifest.entries}

    def decide(test: str, verdict: str) -> None:
        if verdict == "accepted":
            adopt(entries[test], scratch, gate)
        manifest.reviewed[test] = verdict
        manifest.write(folder / "drift.json", gate)

    for test in result.drifted:
        if test in manifest.reviewed:
            continue
        lines = [
            f"{comparison.label}:\n" + render(comparison.diff, color=color)
            for comparison in result.comparisons
            if comparison.test == test and result.drifts(comparison)
        ]
        yield Proposal(
            f"{test}: adopt its re-recording (cassette and snapshots)",
            "\n".join(lines),
            accept=functools.partial(decide, test, "accepted"),
            reject=functools.partial(decide, test, "rejected"),
        )


def review(
    proposals: Iterator[Proposal],
    *,
    answer: str | None,
    ask: TextIO,
    say: Callable[..., Any] = print,
) -> int:
    """Decide on each proposal (``answer`` decides them all); exit 0 when nothing is left to
    review, 1 when something was skipped or the input ended first."""
    counts = {"accepted": 0, "rejected": 0, "skipped": 0}
    stopped = False
    for proposal in proposals:
        if stopped:
            counts["skipped"] += 1
            continue
        say(f"\n{proposal.title}\n{proposal.diff}")
        choice = answer or _ask(ask, say)
        if choice in ("a", "accept"):
            proposal.accept()
            counts["accepted"] += 1
        elif choice in ("r", "reject"):
            proposal.reject()
            counts["rejected"] += 1
        else:
            counts["skipped"] += 1
            stopped = choice in ("q", "quit", "")
    total = sum(counts.values())
    if total == 0:
        say("convreplay review: nothing to review")
        return 0
    say("convreplay review: " + ", ".join(f"{count} {what}" for what, count in counts.items()))
    return 1 if counts["skipped"] else 0


def _ask(stream: TextIO, say: Callable[..., Any]) -> str:
    """One valid answer; an empty string when the input has ended (the rest is skipped)."""
    while True:
        say(PROMPT, end="", flush=True)
        line = stream.readline()
        if not line:
            return ""
        choice = line.strip().lower()
        if choice in ("a", "accept", "r", "reject", "s", "skip", "q", "quit"):
            return choice
        say(f"not an answer: {line.strip()!r}")
