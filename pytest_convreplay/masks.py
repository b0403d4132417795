"""Volatile fields: masking rules and id renumbering, so a re-recorded conversation compares equal.

A mask is a selector ``<type|*>.<path>``; the path is a chain of field names, ``*`` (any field),
``[n]`` (list index) and ``[*]`` (any index), e.g. ``message.content[*].logprobs``; a path goes on
inside a string that holds JSON (``function_call_output.output.fetched_at``). Masking only
replaces values that are present (an absent field stays absent, so presence is still compared)
and copies only the containers it changes, never whole items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .errors import ConfigError
from .interactions import json_container

Item = dict[str, Any]

MASKED: Final = "<masked>"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INDEX = re.compile(r"\[(\*|\d+)\]")


@dataclass(frozen=True, slots=True)
class AnyField:
    """``*``: every field of an object."""


@dataclass(frozen=True, slots=True)
class AnyIndex:
    """``[*]``: every element of a list."""


Segment = str | int | AnyField | AnyIndex
"""A field name, a list index, or a wildcard for either."""


@dataclass(frozen=True, slots=True)
class Mask:
    """Replace the value at ``path`` in items of ``item_type`` (``None``: every type)."""

    item_type: str | None
    path: tuple[Segment, ...]
    selector: str

    @classmethod
    def parse(cls, text: str) -> Mask:
        """Parse ``<type|*>.<path>``; a ConfigError names the selector and the column that is wrong."""
        type_match = re.match(r"\*|[A-Za-z_][A-Za-z0-9_]*", text)
        if type_match is None:
            raise _bad(text, 0, "expected an item type or '*'")
        pos = type_match.end()
        path: list[Segment] = []
        while pos < len(text):
            if text[pos] == ".":
                pos += 1
                if text.startswith("*", pos):
                    path.append(AnyField())
                    pos += 1
                    continue
                name = _NAME.match(text, pos)
                if name is None:
                    raise _bad(text, pos, "expected a field name or '*' after '.'")
                path.append(name.group())
                pos = name.end()
            elif text[pos] == "[":
                index = _INDEX.match(text, pos)
                if index is None:
                    raise _bad(text, pos, "expected '[<number>]' or '[*]'")
                path.append(AnyIndex() if index.group(1) == "*" else int(index.group(1)))
                pos = index.end()
            else:
                raise _bad(text, pos, "expected '.' or '['")
        if not path:
            raise _bad(
                text, len(text), "expected a path after the item type, e.g. 'reasoning.encrypted_content'"
            )
        if not isinstance(path[0], str | AnyField):
            raise _bad(text, type_match.end(), "the path must start with a field name, not an index")
        item_type = type_match.group()
        return cls(None if item_type == "*" else item_type, tuple(path), text)

    def __str__(self) -> str:
        return self.selector


def _bad(text: str, pos: int, what: str) -> ConfigError:
    return ConfigError(f"mask {text!r}: {what} at position {pos + 1}\n  {text}\n  {' ' * pos}^")


def parse_masks(masks: Iterable[Mask | str]) -> tuple[Mask, ...]:
    """Masks from selectors or Mask objects, as options may hold either."""
    return tuple(mask if isinstance(mask, Mask) else Mask.parse(mask) for mask in masks)


DEFAULT_MASKS: Final[tuple[Mask, ...]] = parse_masks(
    [
        # Encrypted reasoning and compaction blobs are re-encrypted (fresh nonce) on every run,
        # so they never compare equal even when the reasoning is identical.
        "*.encrypted_content",
        # Timestamps differ on every recording by definition.
        "*.created_at",
        # Sampling noise: token logprobs move in the last digits between runs of the same prompt.
        "message.content[*].logprobs",
    ]
)
"""Fields known to change on every recording without meaning anything.

Deliberately not masked: ``status`` (completed → incomplete is a real regression), ids (renumber
them instead, so call/output links are still checked) and ``image_generation_call.result`` (the
output itself; mask it per test if the image does not matter).
"""


def _mask_at(value: Any, path: Sequence[Segment]) -> Any:
    """``value`` with the path masked: the same object when nothing matched, else a shallow copy."""
    head = path[0]
    slots: Iterable[Any]
    if isinstance(value, dict):
        if isinstance(head, AnyField):
            slots = list(value)
        else:
            slots = (head,) if isinstance(head, str) and head in value else ()
    elif isinstance(value, list) and isinstance(head, AnyIndex):
        slots = range(len(value))
    elif isinstance(value, list) and isinstance(head, int):
        slots = (head,) if head < len(value) else ()
    elif isinstance(value, str) and (inner := json_container(value)) is not None:
        # A JSON string (``arguments``, ``output``): the diff reports paths inside it, such as
        # ``output.fetched_at``, so the same path masks there.
        masked = _mask_at(inner, path)
        return value if masked is inner else json.dumps(masked, ensure_ascii=False)
    else:
        return value
    return _replace(value, slots, path[1:])


def _replace(container: Any, slots: Iterable[Any], rest: Sequence[Segment]) -> Any:
    copied: Any = None
    for slot in slots:
        old = container[slot]
        new = _mask_at(old, rest) if rest else (old if old == MASKED else MASKED)
        if new is not old:
            copied = container.copy() if copied is None else copied
            copied[slot] = new
    return container if copied is None else copied


def apply_masks(
    items: Sequence[Mapping[str, Any]], masks: Iterable[Mask | str] = DEFAULT_MASKS
) -> list[Item]:
    """The items with every masked value present replaced by ``"<masked>"``; inputs are not changed."""
    # (type, first field name or None for '*', path): the cheap tests first, as most items match no rule
    rules = [
        (rule.item_type, rule.path[0] if isinstance(rule.path[0], str) else None, rule.path)
        for rule in parse_masks(masks)
    ]
    out: list[Item] = []
    for item in items:
        masked: Any = item
        kind = item.get("type")
        for item_type, first, path in rules:
            if (item_type is None or item_type == kind) and (first is None or first in masked):
                masked = _mask_at(masked, path)
        out.append(masked if isinstance(masked, dict) else dict(masked))
    return out


# --- id renumbering ---------------------------------------------------------------------------------

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
