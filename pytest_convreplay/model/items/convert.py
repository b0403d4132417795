"""Typed models of items, for access by attribute and for noticing schema drift; nothing is lost.

``parse_items(d)[0].model_dump(mode="json", exclude_unset=True) == d`` for every item type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ..item_dicts import to_item_dicts
from .drift import warn_schema_drift
from .types import ITEM_ADAPTER, ITEM_FIELDS, KNOWN_ITEM_TYPES, ConversationItem, UnknownItem


def parse_item(item: Mapping[str, Any]) -> ConversationItem:
    """The typed model of one item; an item that no longer fits its model is kept as UnknownItem."""
    try:
        return ITEM_ADAPTER.validate_python(item)
    except ValidationError as error:
        fallback = UnknownItem.model_validate(item)
        errors = error.errors()
        where = ".".join(str(part) for part in errors[0]["loc"] if part not in KNOWN_ITEM_TYPES)
        more = f", +{len(errors) - 1} more" if len(errors) > 1 else ""
        fallback._problem = f"{where or 'item'}: {errors[0]['msg']}{more}"
        return fallback


def item_fields(item_type: str) -> frozenset[str] | None:
    """The fields the models know for an item type, or None for a type they do not know."""
    return ITEM_FIELDS.get(item_type)


def parse_items(items: Any, *, warn: bool = True) -> list[ConversationItem]:
    """Typed models of ``items`` (anything :func:`to_item_dicts` accepts), warning once per drift.

    Raises TypeError naming the first item without a ``type``: that tag is what makes an item a
    conversation item, and no model (not even the unknown-type one) can keep one without it."""
    dicts = _tagged(to_item_dicts(items))
    parsed = [parse_item(item) for item in dicts]
    if warn:
        warn_schema_drift(parsed)
    return parsed


def check_items(items: Sequence[Mapping[str, Any]]) -> None:
    """What :func:`parse_items` warns about ``items`` (item dicts), without building the models of
    items shaped like one seen before: a snapshot of 10,000 items parsed them all only for this.

    Items of one shape (the same keys, leaf types and ``type`` tags at every depth) validate alike
    and drift alike, once the first of them validated exactly as given (no value coerced, which
    could depend on the value: ``"12"`` is an integer to pydantic, ``"ab"`` is not, and ``1.0`` is
    one where ``1.5`` is not)."""
    for item in _tagged(items):
        shape = _shape(item)
        if shape in _FITTING_SHAPES:
            continue
        parsed = parse_item(item)
        warn_schema_drift([parsed])
        if getattr(parsed, "problem", None) is None and _as_given(parsed, item):
            if len(_FITTING_SHAPES) >= _SHAPES_KEPT:
                _FITTING_SHAPES.clear()
            _FITTING_SHAPES.add(shape)


_FITTING_SHAPES: set[object] = set()  # shapes whose items validate exactly, drift already warned
_SHAPES_KEPT = 4096


def _shape(value: Any) -> object:
    """The keys, leaf types and ``type`` tags of ``value`` at every depth (loops, not generators:
    this walks every node of every item checked)."""
    kind = type(value)
    if kind is list:
        return list, frozenset([_shape(inner) for inner in value])  # elements validate one by one
    if kind is not dict:
        return kind
    shape: list[tuple[Any, object]] = []
    for key, inner in value.items():
        leaf = type(inner)
        if leaf is str:
            shape.append((key, inner if key == "type" else str))
        else:
            shape.append((key, _shape(inner) if leaf is dict or leaf is list else leaf))
    return tuple(shape)


def _as_given(parsed: ConversationItem, item: Mapping[str, Any]) -> bool:
    """Whether validation kept every value as given (types included: ``true`` is not ``1``)."""
    try:
        dumped = json.dumps(parsed.model_dump(mode="json", exclude_unset=True), sort_keys=True)
        return dumped == json.dumps(item, sort_keys=True)
    except (TypeError, ValueError):  # not JSON (a set, a NaN key …): never taken as a shape
        return False


def _tagged(dicts: Sequence[Any]) -> Sequence[Mapping[str, Any]]:
    """``dicts``, once every one is a mapping with a string ``type`` (else TypeError naming it)."""
    for index, item in enumerate(dicts):
        kind = item.get("type") if isinstance(item, Mapping) else None
        if not isinstance(kind, str):
            shown = f"{item.get('id')!r}" if isinstance(item, Mapping) and item.get("id") else "without an id"
            problem = "has no 'type'" if kind is None else f"has a 'type' that is no string ({kind!r})"
            raise TypeError(
                f"item {index} ({shown}) {problem}: conversation items are tagged by type "
                "(message, function_call, …); pass items as the API returns them"
            )
    return dicts
