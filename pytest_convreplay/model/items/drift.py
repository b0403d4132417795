"""Schema drift: item types, part types and fields the models do not know, reported once each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

from ...errors import SchemaDriftWarning, warn_at_user_code
from .base import UnknownPart
from .types import ConversationItem, UnknownItem


@dataclass(frozen=True, slots=True)
class Drift:
    """One thing the models did not know: an item or part type, a field, or a misfit."""

    item_type: str
    item_id: str | None
    path: str
    problem: str

    @property
    def kind(self) -> tuple[str, str]:
        """What is deduplicated on: the item type and the field path without list indices."""
        return self.item_type, _strip_indices(self.path)

    def __str__(self) -> str:
        where = f"{self.item_type}.{self.path}" if self.path else self.item_type
        return f"{where}: {self.problem} (item {self.item_id or '<no id>'}); kept as is"


def _strip_indices(path: str) -> str:
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[*]")
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _extras(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, problem) for every unknown field or part type below ``value``."""
    if isinstance(value, UnknownPart):
        yield path, f"unknown part type {value.type!r}"
        return
    if isinstance(value, BaseModel):
        for name in value.model_extra or {}:
            yield (f"{path}.{name}" if path else name), "unknown field"
        for name in value.model_fields_set:
            if name in type(value).model_fields:
                yield from _extras(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield from _extras(element, f"{path}[{index}]")


def drift_of(item: ConversationItem) -> list[Drift]:
    """What the models did not know about one parsed item."""
    kind, item_id = item.type, item.id
    if isinstance(item, UnknownItem):
        problem = item.problem or "unknown item type"
        return [Drift(kind, item_id, "", f"does not fit its model ({problem})" if item.problem else problem)]
    return [Drift(kind, item_id, path, problem) for path, problem in _extras(item, "")]


def schema_drift(items: Iterable[ConversationItem]) -> list[str]:
    """One readable line per unknown type or field, naming the item id."""
    return [str(drift) for item in items for drift in drift_of(item)]


class _DriftWarner:
    """Warns once per process for each (item type, field) so a long suite is not flooded."""

    warned: ClassVar[set[tuple[str, str]]] = set()

    @classmethod
    def warn(cls, items: Iterable[ConversationItem]) -> None:
        for item in items:
            for drift in drift_of(item):
                if drift.kind not in cls.warned:
                    cls.warned.add(drift.kind)
                    warn_at_user_code(SchemaDriftWarning(f"schema drift: {drift}"))


def warn_schema_drift(items: Iterable[ConversationItem]) -> None:
    """Emit a :class:`SchemaDriftWarning` for drift not yet reported in this process."""
    _DriftWarner.warn(items)
