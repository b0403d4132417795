"""The items-list semantics of the API, written once.

The emulator answers live requests with it and replay answers re-sliced requests with it, so
the two can never disagree about what a page with ``after``/``limit``/``order``/``include[]`` holds.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Item = dict[str, Any]
Order = Literal["asc", "desc"]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
DEFAULT_ORDER: Order = "desc"


Change = Callable[[Item], Item]
"""An item as shown without one includable field: the same object when it has no such field,
else a copy of only the containers on the way to it (items are never changed in place)."""


def _without(key: str) -> Change:
    def drop(item: Item) -> Item:
        return item if key not in item else {name: value for name, value in item.items() if name != key}

    return drop


def _blank(key: str, empty: Any) -> Change:
    """For fields the schema requires: not asked for, they are sent empty rather than left out."""

    def blank(item: Item) -> Item:
        return item if key not in item or item[key] == empty else {**item, key: copy.copy(empty)}

    return blank


def _in_parts(part_type: str, change: Change) -> Change:
    def apply(item: Item) -> Item:
        content = item.get("content")
        if not isinstance(content, list):
            return item
        parts = [
            change(part) if isinstance(part, dict) and part.get("type") == part_type else part
            for part in content
        ]
        changed = any(new is not old for new, old in zip(parts, content, strict=True))
        return {**item, "content": parts} if changed else item

    return apply


def _drop_nested(parent: str, key: str) -> Change:
    def drop(item: Item) -> Item:
        inner = item.get(parent)
        if not isinstance(inner, dict) or key not in inner:
            return item
        return {**item, parent: {name: value for name, value in inner.items() if name != key}}

    return drop


# include[] value -> (item type it affects, how to remove the field when it is not asked for).
INCLUDABLE: dict[str, tuple[str, Change]] = {
    "file_search_call.results": ("file_search_call", _without("results")),
    "web_search_call.results": ("web_search_call", _without("results")),
    "web_search_call.action.sources": ("web_search_call", _drop_nested("action", "sources")),
    "message.input_image.image_url": (
        "message",
        _in_parts("input_image", _without("image_url")),
    ),
    "computer_call_output.output.image_url": ("computer_call_output", _drop_nested("output", "image_url")),
    "code_interpreter_call.outputs": ("code_interpreter_call", _blank("outputs", None)),
    "reasoning.encrypted_content": ("reasoning", _without("encrypted_content")),
    "message.output_text.logprobs": ("message", _in_parts("output_text", _blank("logprobs", []))),
}


_INCLUDABLE_BY_TYPE: dict[str, list[tuple[str, Change]]] = {}
for _name, (_of, _drop) in INCLUDABLE.items():
    _INCLUDABLE_BY_TYPE.setdefault(_of, []).append((_name, _drop))


def apply_include(item: Item, include: Iterable[str]) -> Item:
    """The item as the API shows it for this ``include[]``: fields not asked for are left out, or
    sent empty (``outputs: null``, ``logprobs: []``) where the schema requires them. The item
    itself when that changes nothing (most items: a message has no image or logprobs to drop),
    else a copy of what changed: the result may share the rest with ``item``, so neither is
    changed in place."""
    kind = item.get("type")
    changes = _INCLUDABLE_BY_TYPE.get(kind) if isinstance(kind, str) else None
    if changes is None:  # most item types have nothing include[] decides
        return item
    wanted = frozenset(include)
    shown = item
    for name, drop in changes:
        if name not in wanted:
            shown = drop(shown)
    return shown


class UnknownCursorError(LookupError):
    """``after`` names an item that is not in the conversation."""


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One items-list request's parameters, validated and defaulted as the API does."""

    after: str | None = None
    limit: int = DEFAULT_LIMIT
    order: Order = DEFAULT_ORDER
    include: frozenset[str] = frozenset()

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]]) -> ListQuery:
        """Parse query pairs; raises ValueError with the parameter's name for an invalid value."""
        after: str | None = None
        limit = DEFAULT_LIMIT
        order: Order = DEFAULT_ORDER
        include: set[str] = set()
        for name, value in pairs:
            if name == "after":
                after = value or None
            elif name == "limit":
                try:
                    limit = int(value)
                except ValueError:
                    raise ValueError(f"limit: expected an integer, got {value!r}") from None
                if not 1 <= limit <= MAX_LIMIT:
                    raise ValueError(f"limit: must be between 1 and {MAX_LIMIT}, got {limit}")
            elif name == "order":
                if value not in ("asc", "desc"):
                    raise ValueError(f"order: must be 'asc' or 'desc', got {value!r}")
                order = "asc" if value == "asc" else "desc"
            elif name in ("include[]", "include"):
                if value not in INCLUDABLE:
                    raise ValueError(f"include[]: unknown value {value!r}")
                include.add(value)
        return cls(after=after, limit=limit, order=order, include=frozenset(include))


def positions_of(items: Sequence[Item]) -> dict[str, int]:
    """Item id -> index, built once per conversation so that each page costs O(limit), not O(n)."""
    return {str(item.get("id")): index for index, item in enumerate(items)}


def list_window(
    items: Sequence[Item], query: ListQuery, positions: Mapping[str, int] | None = None
) -> tuple[list[Item], bool]:
    """The items a page for ``query`` over ``items`` (held in ascending order) shows, in page order
    and as stored (``include[]`` not applied), and whether more follow.

    Raises UnknownCursorError when ``after`` is not an item of ``items``.
    """
    count = len(items)
    start = 0
    if query.after is not None:
        index = (positions if positions is not None else positions_of(items)).get(query.after)
        if index is None:
            raise UnknownCursorError(query.after)
        start = (index if query.order == "asc" else count - 1 - index) + 1
    stop = min(start + query.limit, count)
    window = (
        list(items[start:stop])
        if query.order == "asc"
        else [items[count - 1 - i] for i in range(start, stop)]
    )
    return window, stop < count


def list_page(
    items: Sequence[Item], query: ListQuery, positions: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """The list envelope the API returns for ``query`` over ``items`` (held in ascending order).

    Raises UnknownCursorError when ``after`` is not an item of ``items``.
    """
    window, has_more = list_window(items, query, positions)
    data = [apply_include(item, query.include) for item in window]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
