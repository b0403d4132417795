"""Masks applied to items: every masked value present becomes ``"<masked>"``.

Masking only replaces values that are present (an absent field stays absent, so presence is still
compared), goes on inside strings that hold JSON (``function_call_output.output.fetched_at``), and
copies only the containers it changes, never whole items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..model.interactions import dump_json, json_container
from ..rules.masks import DEFAULT_MASKS, MASKED, Mask, parse_masks
from ..rules.selector import Step, Wildcard

Item = dict[str, Any]


def _masked(value: Any) -> Any:
    return value if value == MASKED else MASKED


Masker = Callable[[Any], Any]


def compiled_mask(steps: tuple[Step, ...]) -> Masker:
    """The function masking ``steps`` in a value (the same object when nothing matched, else a
    shallow copy), with the steps looked at once when compiled instead of on every item (a diff
    of 10,000 messages masked ``content[*].logprobs`` step by step for a third of its time)."""
    head, rest = steps[0], steps[1:]
    inner = compiled_mask(rest) if rest else _masked

    def in_json(value: str) -> Any:
        """A JSON string (``arguments``, ``output``): the diff reports paths inside it, such as
        ``output.fetched_at``, so the same path masks there."""
        contained = json_container(value)
        if contained is None:
            return value
        masked = at(contained)
        return value if masked is contained else dump_json(masked)

    if head is Wildcard.DEEP:  # zero steps here, then one or more below

        def at(value: Any) -> Any:
            if isinstance(value, str):
                return in_json(value)
            value = inner(value)
            if isinstance(value, dict):
                return _changed(value, list(value), at)
            if isinstance(value, list):
                return _changed(value, range(len(value)), at)
            return value

    elif isinstance(head, str):

        def at(value: Any) -> Any:
            if isinstance(value, dict):
                if head not in value:
                    return value
                old = value[head]
                new = inner(old)
                if new is old:
                    return value
                copied = value.copy()
                copied[head] = new
                return copied
            return in_json(value) if isinstance(value, str) else value

    elif head is Wildcard.ANY or head is Wildcard.ANY_INDEX:
        keys_too = head is Wildcard.ANY  # `*` is a key or an index, `[*]` an index only

        def at(value: Any) -> Any:
            if isinstance(value, dict):
                return _changed(value, list(value), inner) if keys_too else value
            if isinstance(value, list):
                return _changed(value, range(len(value)), inner)
            return in_json(value) if isinstance(value, str) else value

    else:
        index = int(head)

        def at(value: Any) -> Any:
            if isinstance(value, list):
                return _changed(value, (index,), inner) if index < len(value) else value
            return in_json(value) if isinstance(value, str) else value

    return at


def _changed(container: Any, slots: Iterable[Any], inner: Masker) -> Any:
    copied: Any = None
    for slot in slots:
        old = container[slot]
        new = inner(old)
        if new is not old:
            copied = container.copy() if copied is None else copied
            copied[slot] = new
    return container if copied is None else copied


def apply_masks(
    items: Sequence[Mapping[str, Any]], masks: Iterable[Mask | str] = DEFAULT_MASKS
) -> list[Item]:
    """The items with every masked value present replaced by ``"<masked>"``; inputs are not changed."""
    # (type, first field name or None for a wildcard, steps): the cheap tests first, as most items
    # match no rule
    rules = [
        (rule.item_type, rule.steps[0] if isinstance(rule.steps[0], str) else None, compiled_mask(rule.steps))
        for rule in parse_masks(masks)
    ]
    out: list[Item] = []
    for item in items:
        masked: Any = item
        kind = item.get("type")
        for item_type, first, mask in rules:
            if (item_type is None or item_type == kind) and (first is None or first in masked):
                masked = mask(masked)
        out.append(masked if isinstance(masked, dict) else dict(masked))
    return out
