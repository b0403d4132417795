"""What a diff is made of: one verdict per item, field changes with paths, unchanged runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

Item = dict[str, Any]


class Verdict(StrEnum):
    """What happened to one item between the old and the new list."""

    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    CHANGED = "changed"
    TYPE_CHANGED = "type-changed"


class _Missing:
    """A field that is absent on one side (distinct from a field that is ``null``)."""

    def __repr__(self) -> str:
        return "<absent>"


MISSING: Final = _Missing()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One differing value: ``old`` or ``new`` is MISSING when the field exists on one side only."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ItemChange:
    """The verdict on one item; ``moved`` is also set on a changed item that changed place."""

    verdict: Verdict
    key: str
    item_type: str
    old_index: int | None
    new_index: int | None
    fields: tuple[FieldChange, ...] = ()
    moved: bool = False


@dataclass(frozen=True, slots=True)
class UnchangedRun:
    """``count`` consecutive items equal on both sides, starting at these indices."""

    old_start: int
    new_start: int
    count: int


@dataclass(frozen=True, slots=True)
class DiffCounts:
    """How many items got each verdict."""

    added: int = 0
    removed: int = 0
    moved: int = 0
    changed: int = 0
    type_changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ItemDiff:
    """The whole comparison, in display order (new order, removed items where they were).

    ``old`` and ``new`` are the items as compared (masked, renumbered), kept for rendering context.
    """

    old: Sequence[Item]
    new: Sequence[Item]
    entries: tuple[ItemChange | UnchangedRun, ...]
    counts: DiffCounts = field(default_factory=DiffCounts)

    @property
    def verdicts(self) -> list[ItemChange]:
        """Every item that is not unchanged, in display order."""
        return [entry for entry in self.entries if isinstance(entry, ItemChange)]

    @property
    def is_empty(self) -> bool:
        """True when both lists hold the same items in the same order."""
        return self.counts.unchanged == len(self.old) == len(self.new)
