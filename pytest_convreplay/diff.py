"""Item-level diff of two conversations: one verdict per item, with field paths.

Items are aligned by key (``id``, else ``<type>:<call_id>``, else a content hash), so one inserted
item is one ``added`` verdict rather than every later item "changed". Items present on both sides
that left the longest common subsequence of keys are ``moved``; the subsequence is found as a
longest increasing subsequence (patience style, O(n log n)). Only unequal items are descended
into, and JSON strings (``arguments``, ``output`` …) are compared as JSON, so a re-serialised but
equal argument object is no change and a changed one is reported as ``arguments.city``.

Rendering lives in :mod:`pytest_convreplay.diff_render`; this module is the data and the engine.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .interactions import json_container
from .items import to_item_dicts
from .masks import DEFAULT_MASKS, Mask, apply_masks, is_reference, rename_ids, renumber_ids

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


# --- keys and alignment -----------------------------------------------------------------------------


def item_key(item: Mapping[str, Any]) -> str:
    """What identifies an item across two recordings: its id, else its call id, else its content."""
    ident = item.get("id")
    if isinstance(ident, str) and ident:
        return ident
    call_id = item.get("call_id")
    if isinstance(call_id, str) and call_id:
        return f"{item.get('type')}:{call_id}"
    return _content_hash(item)


def _content_hash(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return "#" + hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()[:12]


def _content_key(item: Mapping[str, Any]) -> str:
    """An item's content without its ids: what still identifies it after renumbering, where an
    inserted item shifts every later ``msg#n``."""
    return _content_hash({key: value for key, value in item.items() if not is_reference(key)})


def _keys(
    items: Sequence[Mapping[str, Any]], key_of: Callable[[Mapping[str, Any]], str] = item_key
) -> list[str]:
    """Keys made unique within one side: a repeated key gets ``@2``, ``@3`` … by occurrence."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        key = key_of(item)
        if key in seen:
            seen[key] += 1
            key = f"{key}@{seen[key]}"
        else:
            seen[key] = 1
        keys.append(key)
    return keys


def _renumbered_keys(old: Sequence[Item], new: Sequence[Item]) -> tuple[list[str], list[str]]:
    """Alignment keys for renumbered items: equal content aligns; between two aligned items, the
    old and new items left over are paired in order when their types agree, so an edited item is
    one change, not a removal and an addition."""
    old_keys, new_keys = _keys(old, _content_key), _keys(new, _content_key)
    new_at = {key: index for index, key in enumerate(new_keys)}
    stable = longest_increasing([new_at[key] for key in old_keys if key in new_at])
    anchors = [(i, new_at[key]) for i, key in enumerate(old_keys) if new_at.get(key) in stable]
    old_set = set(old_keys)
    previous = (-1, -1)
    for anchor in [*anchors, (len(old), len(new))]:
        old_gap = [i for i in range(previous[0] + 1, anchor[0]) if old_keys[i] not in new_at]
        new_gap = [j for j in range(previous[1] + 1, anchor[1]) if new_keys[j] not in old_set]
        for i, j in zip(old_gap, new_gap, strict=False):
            if old[i].get("type") == new[j].get("type"):
                new_keys[j] = old_keys[i]
        previous = anchor
    return old_keys, new_keys


def _follow_renumbering(
    old: Sequence[Item], old_keys: Sequence[str], new: Sequence[Item], new_keys: Sequence[str]
) -> list[Item]:
    """The old items with their renumbered ids and references renamed to those of their aligned
    new items: after an insertion ``msg#3`` is ``msg#4``, and only a link that really changed (an
    output now answering another call) is left to show as a change."""
    new_at = {key: index for index, key in enumerate(new_keys)}
    names: dict[str, str] = {}
    for index, key in enumerate(old_keys):
        partner = new_at.get(key)
        if partner is None:
            continue
        for name in ("id", "call_id"):
            before, after = old[index].get(name), new[partner].get(name)
            if isinstance(before, str) and isinstance(after, str):
                names.setdefault(before, after)
    return rename_ids(old, names)


def longest_increasing(seq: Sequence[int]) -> set[int]:
    """The values of one longest strictly increasing subsequence of ``seq`` (O(n log n))."""
    tails: list[int] = []
    tail_at: list[int] = []
    previous = [-1] * len(seq)
    for index, value in enumerate(seq):
        slot = bisect_left(tails, value)
        if slot:
            previous[index] = tail_at[slot - 1]
        if slot == len(tails):
            tails.append(value)
            tail_at.append(index)
        else:
            tails[slot] = value
            tail_at[slot] = index
    chain: set[int] = set()
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        chain.add(seq[index])
        index = previous[index]
    return chain


# --- field-level comparison -------------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def same(old: Any, new: Any) -> bool:
    """JSON equality: Python's ``==`` plus ``true`` never equal to ``1`` (``True == 1`` in Python,
    but an argument turning from a boolean into a number is a change a snapshot must show)."""
    return bool(old == new) and _same_bools(old, new)


_MAY_HIDE_A_BOOL: Final = frozenset({bool, int, float, dict, list})  # str/None leaves equal only themselves


def _same_bools(old: Any, new: Any) -> bool:
    """Given ``old == new``: whether booleans sit in the same places on both sides. Strings, the
    most common leaves, are skipped without a call: equal to a string means being one."""
    kind = type(old)
    if kind is dict:
        return all(
            _same_bools(value, new[key]) for key, value in old.items() if type(value) in _MAY_HIDE_A_BOOL
        )
    if kind is list:
        return all(
            _same_bools(value, other)
            for value, other in zip(old, new, strict=True)
            if type(value) in _MAY_HIDE_A_BOOL
        )
    return (kind is bool) == (type(new) is bool)


def _compare(old: Any, new: Any, path: str, out: list[FieldChange]) -> None:
    """Append the changes from ``old`` to ``new``; the caller has checked that they differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in new:
                out.append(FieldChange(_join(path, key), value, MISSING))
            elif not same(value, new[key]):
                _compare(value, new[key], _join(path, key), out)
        out.extend(
            FieldChange(_join(path, key), MISSING, value) for key, value in new.items() if key not in old
        )
    elif isinstance(old, list) and isinstance(new, list):
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            if not same(before, after):
                _compare(before, after, _join(path, index), out)
        out.extend(FieldChange(_join(path, i), old[i], MISSING) for i in range(len(new), len(old)))
        out.extend(FieldChange(_join(path, i), MISSING, new[i]) for i in range(len(old), len(new)))
    elif isinstance(old, str) and isinstance(new, str):
        old_json, new_json = json_container(old), json_container(new)
        if old_json is None or new_json is None:
            out.append(FieldChange(path, old, new))
        elif not same(old_json, new_json):
            _compare(old_json, new_json, path, out)
    else:
        out.append(FieldChange(path, old, new))


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Every differing leaf between two items, with paths like ``content[0].text`` or ``arguments.city``."""
    out: list[FieldChange] = []
    if not same(old, new):
        _compare(old, new, "", out)
    return out


# --- the engine ---------------------------------------------------------------------------------------


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
    changes = tuple(field_changes(old, new))
    old_type, new_type = str(old.get("type")), str(new.get("type"))
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
    """Compare two item lists (anything :func:`~pytest_convreplay.items.to_item_dicts` accepts).

    ``masks`` hide volatile values on both sides first (pass ``()`` to compare everything);
    ``renumber`` renames ids by first appearance on each side, for conversations re-recorded
    with fresh ids.
    """
    rules = tuple(mask if isinstance(mask, Mask) else Mask.parse(mask) for mask in masks)
    old_items, new_items = _prepare(old, rules, renumber), _prepare(new, rules, renumber)
    old_labels, new_labels = _keys(old_items), _keys(new_items)  # what the report calls each item
    if renumber:
        old_keys, new_keys = _renumbered_keys(old_items, new_items)
        old_items = _follow_renumbering(old_items, old_keys, new_items, new_keys)
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


def to_json(diff: ItemDiff) -> dict[str, Any]:
    """The diff as JSON-ready data (absent sides are left out), for tools and machine reports."""

    def change_json(change: FieldChange) -> dict[str, Any]:
        data: dict[str, Any] = {"path": change.path}
        if change.old is not MISSING:
            data["old"] = change.old
        if change.new is not MISSING:
            data["new"] = change.new
        return data

    counts = diff.counts
    return {
        "old_count": len(diff.old),
        "new_count": len(diff.new),
        "counts": {verdict.value: getattr(counts, verdict.name.lower()) for verdict in Verdict}
        | {"unchanged": counts.unchanged},
        "items": [
            {
                "verdict": item.verdict.value,
                "key": item.key,
                "type": item.item_type,
                "old_index": item.old_index,
                "new_index": item.new_index,
                "moved": item.moved,
                "fields": [change_json(change) for change in item.fields],
            }
            for item in diff.verdicts
        ],
    }


def render(diff: ItemDiff, *, color: bool = False, context: int = 0, max_field_details: int = 20) -> str:
    """The diff as text for people: header with counts, one block per verdict, unchanged runs folded.

    ``context`` unchanged items are shown on each side of a change; ``max_field_details`` caps the
    field lines of one item (the rest are counted as "+N more"), nothing else is cut.
    """
    from .diff_render import render_text  # the renderer imports this module's types

    return render_text(diff, color=color, context=context, max_field_details=max_field_details)


def explain(old: Any, new: Any, **options: Any) -> list[str]:
    """Lines for ``pytest_assertrepr_compare``: the rendered item diff of ``old`` against ``new``."""
    return render(diff_items(old, new, **options)).splitlines()
