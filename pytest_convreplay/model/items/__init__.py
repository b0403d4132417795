"""Typed models of the ``ConversationItem`` union (split by family) and schema-drift reporting.

The models exist for typed access and for noticing schema drift; they never lose data. Every model
keeps unknown fields (``extra="allow"``), an unknown ``type`` becomes an :class:`UnknownItem` (or
:class:`UnknownPart` for nested parts) holding everything it was given. Open enums (``status``,
``role``, ``detail``) are typed ``str`` so a new value the API starts sending does not make an item
unparseable. Importing this package costs about 0.1 s (pydantic builds every model), so only what
needs typed items imports it.
"""

from .base import Model, UnknownPart
from .convert import check_items, item_fields, parse_item, parse_items
from .drift import Drift, drift_of, schema_drift, warn_schema_drift
from .types import (
    ITEM_FIELDS,
    ITEM_MODELS,
    KNOWN_ITEM_TYPES,
    ConversationItem,
    FunctionCall,
    Message,
    UnknownItem,
)

__all__ = [
    "ITEM_FIELDS",
    "ITEM_MODELS",
    "KNOWN_ITEM_TYPES",
    "ConversationItem",
    "Drift",
    "FunctionCall",
    "Message",
    "Model",
    "UnknownItem",
    "UnknownPart",
    "check_items",
    "drift_of",
    "item_fields",
    "parse_item",
    "parse_items",
    "schema_drift",
    "warn_schema_drift",
]
