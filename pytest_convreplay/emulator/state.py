"""The emulator's state: conversations with their items as the API stores them, pending faults,
and reproducible ids."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import EmulatorApiError
from ..model.catalogue import ID_PREFIXES
from ..model.listing import Item, positions_of
from .seed import STATUS_REQUIRED, text_message

JSONBody = dict[str, Any]


@dataclass
class Conversation:
    id: str
    created_at: int
    metadata: dict[str, str]
    items: list[Item] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)

    def resource(self) -> JSONBody:
        return {
            "id": self.id,
            "object": "conversation",
            "created_at": self.created_at,
            "metadata": self.metadata,
        }

    def append(self, items: Sequence[Item]) -> None:
        for item in items:
            self.positions[item["id"]] = len(self.items)
            self.items.append(item)

    def remove(self, item_id: str) -> None:
        del self.items[self.positions[item_id]]
        self.positions = positions_of(self.items)


@dataclass
class Fault:
    remaining: int
    status: int
    path_contains: str
    retry_after: float | None


class IdFactory:
    """Realistic ids (``<prefix>_`` + 48 hex) from a seeded generator: reproducible per instance."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def __call__(self, prefix: str) -> str:
        return f"{prefix}_{self._random.getrandbits(192):048x}"


# What the API fills in on input items that leave it out, as the item models require it.
_ITEM_DEFAULTS: dict[str, dict[str, Any]] = {
    "reasoning": {"summary": []},
    "computer_call": {"pending_safety_checks": []},
}
_PART_DEFAULTS: dict[str | None, dict[str, Any]] = {"output_text": {"annotations": [], "logprobs": []}}


def stored_item(item: Any, index: int, new_id: Callable[[str], str]) -> Item:
    """An input item as the API stores it: typed, with an id and the status it reports."""
    if not isinstance(item, dict):
        raise EmulatorApiError(
            400, f"Invalid type for 'items[{index}]': expected an object.", param=f"items[{index}]"
        )
    stored = copy.deepcopy(item)
    if "type" not in stored and "role" in stored:
        stored["type"] = "message"
    kind = stored.get("type")
    if kind not in ID_PREFIXES:
        raise EmulatorApiError(
            400,
            f"Invalid value for 'items[{index}].type': {kind!r} is not a conversation item type.",
            param=f"items[{index}].type",
            code="invalid_value",
        )
    if kind == "message" and isinstance(stored.get("content"), str):
        stored["content"] = text_message("", str(stored.get("role")), stored["content"])["content"]
    if not isinstance(stored.get("id"), str) or not stored["id"]:
        stored["id"] = new_id(ID_PREFIXES[kind])
    if kind in STATUS_REQUIRED:
        stored.setdefault("status", "completed")
    for name, default in _ITEM_DEFAULTS.get(kind, {}).items():
        stored.setdefault(name, copy.deepcopy(default))
    for part in stored.get("content") or () if kind == "message" else ():
        for name, default in _PART_DEFAULTS.get(
            part.get("type") if isinstance(part, dict) else None, {}
        ).items():
            part.setdefault(name, copy.deepcopy(default))
    return stored
