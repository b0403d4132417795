"""Who recorded which interactions of a cassette, and when: ``metadata.recorded_by``.

Tests (and xdist workers) sharing a cassette each add their exchanges when they save. The file
keeps them in an order that does not depend on scheduling: by test node id, then in the order each
test sent its requests. Since that order is no longer the order things happened in, each save is
a segment with its time, and :func:`chronological` gives back the order of events, which the
staleness rule of re-sliced answers needs. Interactions no segment covers (plain vcrpy
cassettes, hand edits that no longer fit the counts) count as recorded first, in file order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model.interactions import Interaction

METADATA_KEY = "recorded_by"


@dataclass(frozen=True, slots=True)
class Segment:
    """One save's interactions: the test that recorded them, how many, and when."""

    test: str | None  # the node id; None for interactions recorded before segments were kept
    count: int
    recorded_at: str | None = None  # ISO 8601 with microseconds, UTC

    @property
    def file_order(self) -> tuple[bool, str, str]:
        return (self.test is not None, self.test or "", self.recorded_at or "")

    @property
    def when(self) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(self.recorded_at or "")
        except ValueError:
            return dt.datetime.min.replace(tzinfo=dt.UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def to_metadata(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"interactions": self.count}
        if self.test is not None:
            entry["test"] = self.test
        if self.recorded_at is not None:
            entry["recorded_at"] = self.recorded_at
        return entry


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def segments_of(metadata: Mapping[str, Any], total: int) -> list[Segment]:
    """The segments ``metadata`` records for ``total`` interactions; what they do not account for
    (or all of them, when the entries do not fit) is one leading segment of unknown origin."""
    entries = metadata.get(METADATA_KEY)
    segments: list[Segment] = []
    if isinstance(entries, list):
        for entry in entries:
            count = entry.get("interactions") if isinstance(entry, dict) else None
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                segments = []
                break
            test, when = entry.get("test"), entry.get("recorded_at")
            segments.append(
                Segment(
                    test if isinstance(test, str) else None, count, when if isinstance(when, str) else None
                )
            )
    covered = sum(segment.count for segment in segments)
    if covered > total:
        segments, covered = [], 0
    return [Segment(None, total - covered), *segments] if covered < total else segments


def add_segment(
    interactions: Sequence[Interaction],
    metadata: Mapping[str, Any],
    new: Sequence[Interaction],
    *,
    test: str,
    recorded_at: str,
) -> tuple[list[Interaction], list[Segment]]:
    """``interactions`` with ``new`` added as ``test``'s segment, every segment in file order."""
    pieces: list[tuple[Segment, Sequence[Interaction]]] = []
    start = 0
    for segment in segments_of(metadata, len(interactions)):
        pieces.append((segment, interactions[start : start + segment.count]))
        start += segment.count
    pieces.append((Segment(test, len(new), recorded_at), new))
    pieces.sort(key=lambda piece: piece[0].file_order)  # stable: equal keys keep their order
    return [i for _, part in pieces for i in part], [segment for segment, _ in pieces if segment.count]


def segments_metadata(segments: Sequence[Segment]) -> list[dict[str, Any]]:
    return [segment.to_metadata() for segment in segments]


def chronological(metadata: Mapping[str, Any], total: int) -> list[int]:
    """Indices of the ``total`` interactions in the order they were recorded: segments by time
    (those of unknown time first), each segment's own in request order."""
    spans: list[tuple[Segment, int]] = []
    start = 0
    for segment in segments_of(metadata, total):
        spans.append((segment, start))
        start += segment.count
    spans.sort(key=lambda span: (span[0].recorded_at is not None, span[0].when))
    return [index for segment, first in spans for index in range(first, first + segment.count)]
