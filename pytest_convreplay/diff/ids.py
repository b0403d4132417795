"""Id renumbering, so a conversation re-recorded with fresh ids compares equal to the old one."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Item = dict[str, Any]


_FAMILY = re.compile(r"([A-Za-z]+)[_#\-]")


def _family(identifier: str) -> str:
    """``msg_abc`` → ``msg``: the prefix that says what kind of id it is."""
    match = _FAMILY.match(identifier)
    return match.group(1) if match else "id"


def is_reference(key: str) -> bool:
    """Whether a field holds an id: ``id`` itself or a reference such as ``call_id``."""
    return key == "id" or key.endswith("_id")


def _collect(items: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Id → stable name, numbered by first appearance within its prefix family: items' ``id`` and
    ``call_id``, and the ``id`` of objects nested in them (the safety checks a computer call and
    its output share are fresh on every recording too)."""
    names: dict[str, str] = {}
    counters: dict[str, int] = {}
    for value in _identifiers(items):
        if value not in names:
            family = _family(value)
            counters[family] = counters.get(family, 0) + 1
            names[value] = f"{family}#{counters[family]}"
    return names


def _identifiers(items: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for item in items:
        for key in ("id", "call_id"):
            if isinstance(item.get(key), str):
                yield item[key]
        yield from _nested_ids([value for key, value in item.items() if key not in ("id", "call_id")])


def _nested_ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for inner in value.values():
            yield from _nested_ids(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _nested_ids(inner)


def _rename(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            key: names.get(inner, inner)
            if is_reference(key) and isinstance(inner, str)
            else _rename(inner, names)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_rename(inner, names) for inner in value]
    return value


def rename_ids(items: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> list[Item]:
    """The items with every id and reference found in ``names`` renamed (others kept)."""
    return [_rename(item, names) for item in items]


def renumber_ids(items: Sequence[Mapping[str, Any]]) -> list[Item]:
    """The items with ids and call ids renamed by first appearance (``msg#1``, ``fc#1``, ``call#1``).

    Every reference to a renamed id anywhere in the items (``call_id`` of an output,
    ``approval_request_id``, ``previous_item_id``, ``caller_id`` …) gets the same new name, so links
    between a call and its output survive a re-recording that issued fresh ids. Idempotent.
    """
    return rename_ids(items, _collect(items))
