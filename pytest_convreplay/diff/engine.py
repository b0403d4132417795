"""The diff engine: two item lists in, one verdict per item out, in display order.

Only unequal items are descended into (:mod:`.fields`); alignment and moves are :mod:`.align`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model.item_dicts import to_item_dicts
from ..rules.masks import DEFAULT_MASKS, Mask, item_path, parse_masks
from .align import follow_renumbering, longest_increasing, renumbered_keys, unique_keys
from .fields import field_changes, same
from .ids import renumber_ids
from .masking import apply_masks
from .model import DiffCounts, FieldChange, ItemChange, ItemDiff, UnchangedRun, Verdict

Item = dict[str, Any]


def _prepare(items: Any, masks: tuple[Mask, ...], renumber: bool) -> list[Item]:
    dicts = to_item_dicts(items)
    if renumber:
        dicts = renumber_ids(dicts)
    return apply_masks(dicts, masks) if masks else dicts


class _Builder:
    """Collects entries in display order, folding consecutive unchanged items into runs."""

    def __init__(self) -> None:
        self.entries: list[ItemChange | UnchangedRun] = []
        self.tally = dict.fromkeys(Verdict, 0)
        self.unchanged = 0
        self._run: tuple[int, int, int] | None = None

    def same(self, old_index: int, new_index: int) -> None:
        self.unchanged += 1
        run = self._run
        self._run = (run[0], run[1], run[2] + 1) if run else (old_index, new_index, 1)

    def add(self, change: ItemChange) -> None:
        self._flush()
        self.tally[change.verdict] += 1
        self.entries.append(change)

    def _flush(self) -> None:
        if self._run:
            self.entries.append(UnchangedRun(*self._run))
            self._run = None

    def finish(self) -> tuple[tuple[ItemChange | UnchangedRun, ...], DiffCounts]:
        self._flush()
        tally = self.tally
        return tuple(self.entries), DiffCounts(
            added=tally[Verdict.ADDED],
            removed=tally[Verdict.REMOVED],
            moved=tally[Verdict.MOVED],
            changed=tally[Verdict.CHANGED],
            type_changed=tally[Verdict.TYPE_CHANGED],
            unchanged=self.unchanged,
        )


def _judge(key: str, old: Item, new: Item, old_index: int, new_index: int, moved: bool) -> ItemChange | None:
    """The verdict on an item found on both sides, or None when it is unchanged in place."""
    old_type, new_type = str(old.get("type")), str(new.get("type"))
    changes = tuple(
        FieldChange(item_path(new_type, change.path), change.old, change.new)
        for change in field_changes(old, new)
    )
    if old_type != new_type:
        verdict = Verdict.TYPE_CHANGED
    elif changes:
        verdict = Verdict.CHANGED
    elif moved:
        verdict = Verdict.MOVED
    else:
        return None
    return ItemChange(verdict, key, new_type, old_index, new_index, changes, moved)


def diff_items(
    old: Any,
    new: Any,
    *,
    masks: Iterable[Mask | str] = DEFAULT_MASKS,
    renumber: bool = False,
) -> ItemDiff:
    """Compare two item lists (anything :func:`~pytest_convreplay.model.item_dicts.to_item_dicts` accepts).

    ``masks`` hide volatile values on both sides first (pass ``()`` to compare everything);
    ``renumber`` renames ids by first appearance on each side, for conversations re-recorded
    with fresh ids.
    """
    rules = parse_masks(masks)
    old_items, new_items = _prepare(old, rules, renumber), _prepare(new, rules, renumber)
    if same(old_items, new_items):  # a snapshot that still holds: one walk, nothing to align
        unchanged = (UnchangedRun(0, 0, len(new_items)),) if new_items else ()
        return ItemDiff(old_items, new_items, unchanged, DiffCounts(unchanged=len(new_items)))
    return _aligned(old_items, new_items, renumber)


def _aligned(old_items: list[Item], new_items: list[Item], renumber: bool) -> ItemDiff:
    """The diff of two prepared lists: items matched by key, moves found, fields compared."""
    old_labels, new_labels = unique_keys(old_items), unique_keys(new_items)  # what the report calls each item
    if renumber:
        old_keys, new_keys = renumbered_keys(old_items, new_items)
        old_items = follow_renumbering(old_items, old_keys, new_items, new_keys)
    else:
        old_keys, new_keys = old_labels, new_labels
    old_at = {key: index for index, key in enumerate(old_keys)}
    new_at = {key: index for index, key in enumerate(new_keys)}
    if old_keys == new_keys:
        stable: set[int] = set(range(len(new_keys)))
    else:
        stable = longest_increasing([new_at[key] for key in old_keys if key in new_at])

    out = _Builder()
    i = j = 0
    while i < len(old_items) or j < len(new_items):
        if i < len(old_items):
            key = old_keys[i]
            target = new_at.get(key)
            if target is None:
                out.add(ItemChange(Verdict.REMOVED, old_labels[i], str(old_items[i].get("type")), i, None))
                i += 1
                continue
            if target not in stable:  # reported where it landed
                i += 1
                continue
        key, label = new_keys[j], new_labels[j]
        source = old_at.get(key)
        if source is None:
            out.add(ItemChange(Verdict.ADDED, label, str(new_items[j].get("type")), None, j))
        elif j not in stable:
            moved = _judge(label, old_items[source], new_items[j], source, j, moved=True)
            if moved is not None:
                out.add(moved)
        else:
            change = (
                None
                if same(old_items[i], new_items[j])
                else _judge(label, old_items[i], new_items[j], i, j, False)
            )
            if change is None:
                out.same(i, j)
            else:
                out.add(change)
            i += 1
        j += 1
    entries, counts = out.finish()
    return ItemDiff(old_items, new_items, entries, counts)
