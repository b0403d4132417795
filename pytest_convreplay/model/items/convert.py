"""Typed models of items, for access by attribute and for noticing schema drift; nothing is lost.

``parse_items(d)[0].model_dump(mode="json", exclude_unset=True) == d`` for every item type.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    dicts = to_item_dicts(items)
    for index, item in enumerate(dicts):
        kind = item.get("type") if isinstance(item, Mapping) else None
        if not isinstance(kind, str):
            shown = f"{item.get('id')!r}" if isinstance(item, Mapping) and item.get("id") else "without an id"
            problem = "has no 'type'" if kind is None else f"has a 'type' that is no string ({kind!r})"
            raise TypeError(
                f"item {index} ({shown}) {problem}: conversation items are tagged by type "
                "(message, function_call, …); pass items as the API returns them"
            )
    parsed = [parse_item(item) for item in dicts]
    if warn:
        warn_schema_drift(parsed)
    return parsed
