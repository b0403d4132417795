"""What a report compares: pairs of item lists, each named by its test, its file and its kind.

Plain data with a plain-data form (:meth:`Comparison.to_data`), so that xdist workers can hand
comparisons to the controller and a drift run can keep them in its manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from ..diff import ItemDiff, diff_items

Item = dict[str, Any]


class ComparisonKind(StrEnum):
    CONVERSATION = "conversation"  # a conversation rebuilt from a cassette's pages
    SNAPSHOT = "snapshot"  # a named snapshot of a snapshot file


class ComparisonState(StrEnum):
    SAME = "same"
    CHANGED = "changed"
    NEW = "new"  # only the new side holds it
    GONE = "gone"  # only the old side holds it


@dataclass(frozen=True)
class Comparison:
    """One pair of item lists: ``old`` is what was committed, ``new`` what the run saw; either is
    None when that side does not hold it. Items of a snapshot file are stored masked and
    renumbered already (``premasked``); a cassette's conversations are masked here."""

    test: str
    kind: ComparisonKind
    name: str
    old: Sequence[Item] | None
    new: Sequence[Item] | None
    old_path: str | None = None
    new_path: str | None = None
    masks: tuple[str, ...] = ()
    renumber: bool = False
    premasked: bool = False
    note: str = ""

    @cached_property
    def diff(self) -> ItemDiff:
        masks = () if self.premasked else self.masks
        return diff_items(self.old or [], self.new or [], masks=masks, renumber=self.renumber)

    @property
    def state(self) -> ComparisonState:
        if self.old is None:
            return ComparisonState.NEW
        if self.new is None:
            return ComparisonState.GONE
        return ComparisonState.SAME if self.diff.is_empty else ComparisonState.CHANGED

    @property
    def differs(self) -> bool:
        return self.state is not ComparisonState.SAME

    @property
    def label(self) -> str:
        return (
            f"conversation {self.name}"
            if self.kind is ComparisonKind.CONVERSATION
            else f"snapshot {self.name!r}"
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "kind": self.kind.value,
            "name": self.name,
            "old": None if self.old is None else list(self.old),
            "new": None if self.new is None else list(self.new),
            "old_path": self.old_path,
            "new_path": self.new_path,
            "masks": list(self.masks),
            "renumber": self.renumber,
            "premasked": self.premasked,
            "note": self.note,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Comparison:
        return cls(
            test=str(data["test"]),
            kind=ComparisonKind(data["kind"]),
            name=str(data["name"]),
            old=data.get("old"),
            new=data.get("new"),
            old_path=data.get("old_path"),
            new_path=data.get("new_path"),
            masks=tuple(data.get("masks") or ()),
            renumber=bool(data.get("renumber")),
            premasked=bool(data.get("premasked")),
            note=str(data.get("note") or ""),
        )
