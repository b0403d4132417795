"""Aligning two item lists: keys that identify an item across recordings, and the stable order.

Items are aligned by key (``id``, else ``<type>:<call_id>``, else a content hash), so one inserted
item is one ``added`` verdict rather than every later item "changed". Items that left the longest
common subsequence of keys are ``moved``; the subsequence is found as a longest increasing
subsequence (patience style, O(n log n)).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .ids import is_reference, rename_ids

Item = dict[str, Any]


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
    # surrogatepass: a lone surrogate an item decoded from a body is still part of its identity
    return (
        "#" + hashlib.sha1(canonical.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:12]
    )


def _content_key(item: Mapping[str, Any]) -> str:
    """An item's content without its ids: what still identifies it after renumbering, where an
    inserted item shifts every later ``msg#n``."""
    return _content_hash({key: value for key, value in item.items() if not is_reference(key)})


def unique_keys(
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


def renumbered_keys(old: Sequence[Item], new: Sequence[Item]) -> tuple[list[str], list[str]]:
    """Alignment keys for renumbered items: equal content aligns; between two aligned items, the
    old and new items left over are paired in order when their types agree, so an edited item is
    one change, not a removal and an addition."""
    old_keys, new_keys = unique_keys(old, _content_key), unique_keys(new, _content_key)
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


def follow_renumbering(
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
