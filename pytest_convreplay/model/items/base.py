"""What every item model shares: unknown fields kept, API field names, ``type``-tagged unions."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Discriminator, Tag

UNKNOWN = "__unknown__"


class Model(BaseModel):
    """Base of every model here: keeps unknown fields and speaks the API's field names."""

    model_config = ConfigDict(extra="allow", serialize_by_alias=True, validate_by_name=True)


class UnknownPart(Model):
    """A nested part whose ``type`` this version does not know; kept whole."""

    type: str


class Family:
    """The members of one union discriminated on ``type``, with the unknown-type fallback.

    ``tag(Model)`` registers the model's ``type`` literal, so each member's tag is written once, on
    the model itself; anything else validates as the family's fallback model.
    """

    def __init__(self) -> None:
        self.models: dict[str, type[BaseModel]] = {}  # type -> its model
        self.fields: dict[str, frozenset[str]] = {}  # type -> the API's field names of its model

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.models)

    def tag(self, model: type[BaseModel]) -> Tag:
        (kind,) = typing.get_args(model.model_fields["type"].annotation)
        self.models[kind] = model
        self.fields[kind] = frozenset(info.alias or name for name, info in model.model_fields.items())
        return Tag(kind)

    def discriminator(self) -> Discriminator:
        return Discriminator(self._pick)

    def _pick(self, value: Any) -> str:
        kind = value.get("type") if isinstance(value, Mapping) else getattr(value, "type", None)
        return kind if isinstance(kind, str) and kind in self.models else UNKNOWN


FALLBACK = Tag(UNKNOWN)
