"""The front door for what a test holds: openai SDK objects, page objects, our models or dicts, as
plain item dicts.

Kept apart from the item models (and free of pydantic) so that diffs and snapshots of plain dicts
never pay for importing the models.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

Item = dict[str, Any]


def _dump(obj: Any, owned: bool = False, index: int | None = None) -> Item:
    """One item as the API's JSON: SDK models via ``to_dict`` (API field names), ours via dump; a
    dict as it is, or deep-copied when the result must be ``owned`` (a model's dump already is)."""
    if isinstance(obj, dict):
        return copy.deepcopy(obj) if owned else obj
    to_dict = getattr(obj, "to_dict", None)
    model_dump = getattr(obj, "model_dump", None)
    where = "" if index is None else f"item {index}: "
    if callable(to_dict):
        dumped = to_dict(mode="json", exclude_unset=True)
    elif callable(model_dump):
        dumped = model_dump(mode="json", exclude_unset=True, by_alias=True)
    else:
        raise TypeError(f"{where}expected a conversation item (a dict or an SDK model), got {_kind(obj)}")
    if not isinstance(dumped, dict):
        raise TypeError(f"{where}{type(obj).__name__} did not dump to a dict")
    return dumped


def _kind(obj: object) -> str:
    return "None" if obj is None else type(obj).__name__


def _is_single_item(obj: Any) -> bool:
    """Items carry a string ``type``; list pages and iterables of items do not."""
    kind = obj.get("type") if isinstance(obj, Mapping) else getattr(obj, "type", None)
    return isinstance(kind, str)


def _is_sequence(obj: object) -> bool:
    return isinstance(obj, Iterable) and not isinstance(obj, str | bytes | Mapping)


def to_item_dicts(obj: Any, *, owned: bool = False) -> list[Item]:
    """Plain item dicts from a list page (SDK object or its JSON), an iterable of items, or one item.

    Dicts are passed through without copying unless ``owned`` (nothing the caller holds is shared
    then); models are dumped as the API would send them, so ``async`` stays ``async`` and unset
    optional fields stay absent. Only the page's own ``data`` is taken: iterating an SDK page would
    fetch further pages over the network. Anything else is a TypeError naming the item by index.
    """
    if type(obj) is list and not owned and all(type(item) is dict for item in obj):
        return list(obj)  # already item dicts (what a snapshot check prepared): nothing to dump
    if _is_single_item(obj):
        return [_dump(obj, owned)]
    data = obj.get("data") if isinstance(obj, Mapping) else getattr(obj, "data", None)
    if data is not None:
        if not _is_sequence(data):
            raise TypeError(f"expected a list page's 'data' to be a list of items, got {_kind(data)}")
        return [_dump(item, owned, index) for index, item in enumerate(data)]
    if isinstance(obj, Mapping):
        raise TypeError(
            "expected conversation items, got a dict with neither a 'type' (an item) nor 'data' (a page)"
        )
    if _is_sequence(obj):
        return [_dump(item, owned, index) for index, item in enumerate(obj)]
    expected = "a list page, an iterable of items or one item"
    raise TypeError(f"expected conversation items ({expected}), got {_kind(obj)}")
