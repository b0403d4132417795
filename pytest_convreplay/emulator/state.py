"""The emulator's state: conversations with their items, pending faults, and reproducible ids."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model.listing import Item, positions_of

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
