"""A drift run's comparisons: each test's new recording and snapshots against the committed ones.

A cassette's conversations are compared with the test's masks (and, with ``renumber_ids``, paired
by first appearance, as their ids are fresh); a snapshot file's named snapshots as the snapshot
check compares them. A cassette shared by several tests is compared once, for the first of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diff.render import header
from ..errors import CassetteError, SnapshotError, shown_path
from ..model.conversations import rebuild_conversations
from ..report.model import Comparison, ComparisonKind, ComparisonState
from ..snapshot.assertion import snapshot_names
from ..storage.cassette import load_cassette
from ..storage.snapshots import read_snapshots
from .manifest import DriftEntry
from .scratch import Scratch

Items = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class DriftResult:
    """Every comparison of a run, and which tests drifted or failed."""

    comparisons: tuple[Comparison, ...]
    tests: tuple[str, ...]
    failed: tuple[str, ...]

    def drifts(self, comparison: Comparison) -> bool:
        """A difference is drift, except a snapshot a failed test never got to take."""
        gone_by_failure = comparison.state is ComparisonState.GONE and comparison.test in self.failed
        return comparison.differs and not gone_by_failure

    @property
    def drifted(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.test for c in self.comparisons if self.drifts(c)))

    def lines(self, scratch: Path, report: Path | None) -> list[str]:
        """The terminal summary: counts, then each drifted comparison on one line."""
        drifted = self.drifted
        lines = [
            f"convreplay drift: {len(self.tests)} test{'s' if len(self.tests) != 1 else ''} re-recorded "
            f"into {shown_path(scratch)}: {len(drifted)} drifted, {len(self.failed)} failed"
        ]
        for test in drifted:
            lines.append(f"  drifted {test}")
            lines += [
                f"    {c.label}: {_state_line(c)}"
                for c in self.comparisons
                if c.test == test and self.drifts(c)
            ]
        if report is not None:
            lines.append(f"  report: {shown_path(report)}")
        if drifted:
            lines.append("  adopt or drop each drifted test's new recording with: convreplay review --drift")
        return lines


def _state_line(comparison: Comparison) -> str:
    if comparison.state is ComparisonState.NEW:
        return f"new ({len(comparison.new or [])} items, nothing committed)"
    if comparison.state is ComparisonState.GONE:
        return f"gone ({len(comparison.old or [])} items committed, none now)"
    return header(comparison.diff)


def _conversations(path: Path, renumber: bool) -> dict[str, Items] | None:
    try:
        loaded = load_cassette(path)
    except FileNotFoundError:
        return None
    records = rebuild_conversations(loaded.interactions)
    by_id = {cid: list(record.items) for cid, record in records.items()}
    if renumber:  # fresh conversation ids: pair them by first appearance (conv#1, conv#2 …)
        return {name: by_id[cid] for name, cid in snapshot_names(by_id, renumber=True).items()}
    return by_id


def _snapshots(path: Path) -> dict[str, Items] | None:
    return read_snapshots(path) if path.exists() else None


def _pairs(
    entry: DriftEntry,
    kind: ComparisonKind,
    old: dict[str, Items] | None,
    new: dict[str, Items] | None,
    paths: tuple[str, str],
    decided: str | None = None,
) -> Iterable[Comparison]:
    for name in sorted((old or {}).keys() | (new or {}).keys()):
        old_items = (old or {}).get(name)
        new_items = (new or {}).get(name)
        notes = []
        if new_items is None and not entry.passed:
            notes.append("the test failed before this run saw it")
        if decided is not None:
            notes.append(decided)
        note = "; ".join(notes)
        yield Comparison(
            test=entry.test,
            kind=kind,
            name=name,
            old=old_items,
            new=new_items,
            old_path=paths[0],
            new_path=paths[1],
            masks=entry.masks,
            renumber=entry.renumber,
            premasked=kind is ComparisonKind.SNAPSHOT,
            note=note,
        )


_DECIDED = {"accepted": "adopted by convreplay review", "rejected": "dropped by convreplay review"}


def _paths(scratch: Scratch, pair: tuple[str, str], verdict: str | None) -> tuple[Path | None, Path]:
    """The committed side as the drift run saw it, and the new side. An adopted test's committed
    file is the one review kept when it replaced it, or none when nothing was committed then."""
    committed, new = scratch.paths(pair)
    if verdict == "accepted" and new.exists():
        replaced = scratch.replaced(pair)
        return (replaced if replaced.exists() else None), new
    return committed, new


def compare_entries(
    entries: Sequence[DriftEntry], scratch: Scratch, reviewed: Mapping[str, str] | None = None
) -> DriftResult:
    """Compare every entry's files as the drift run found them, also after ``reviewed`` (test →
    ``accepted`` / ``rejected``) adopted some; an unreadable file is reported as the error it is."""
    reviewed = reviewed or {}
    comparisons: list[Comparison] = []
    compared_cassettes: set[tuple[str, str]] = set()
    for entry in entries:
        verdict = reviewed.get(entry.test)
        try:
            if entry.cassette is not None and entry.cassette not in compared_cassettes:
                compared_cassettes.add(entry.cassette)
                old_path, new_path = _paths(scratch, entry.cassette, verdict)
                comparisons += _pairs(
                    entry,
                    ComparisonKind.CONVERSATION,
                    None if old_path is None else _conversations(old_path, entry.renumber),
                    _conversations(new_path, entry.renumber),
                    (entry.cassette[0], str(new_path)),
                    _DECIDED.get(verdict or ""),
                )
            if entry.snapshot is not None:
                old_path, new_path = _paths(scratch, entry.snapshot, verdict)
                comparisons += _pairs(
                    entry,
                    ComparisonKind.SNAPSHOT,
                    None if old_path is None else _snapshots(old_path),
                    _snapshots(new_path),
                    (entry.snapshot[0], str(new_path)),
                    _DECIDED.get(verdict or ""),
                )
        except (CassetteError, SnapshotError) as error:
            raise type(error)(f"convreplay drift: comparing {entry.test}: {error}", path=error.path) from None
    failed = tuple(entry.test for entry in entries if not entry.passed)
    return DriftResult(tuple(comparisons), tuple(dict.fromkeys(e.test for e in entries)), failed)
