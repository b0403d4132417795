"""pytest-convreplay: record, redact, replay and snapshot-diff OpenAI conversation items.

This module lists exactly what users may import; everything else is internal. Names are loaded on
first use (PEP 562), so importing the package, as pytest does for the plugin, costs almost nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config.settings import RecordMode, Settings
    from .diff import ItemDiff, diff_items, render
    from .emulator import ConversationsEmulator
    from .errors import (
        CassetteError,
        CassetteExpiredWarning,
        ConfigError,
        ConvreplayError,
        ConvreplayWarning,
        EmulatorApiError,
        FileLockTimeout,
        MaskWarning,
        NetworkBlockedError,
        PaginationError,
        PaginationWarning,
        RequestRefused,
        SchemaDriftWarning,
        SecretLeakError,
        SnapshotError,
        SnapshotMismatch,
        UndecodableBodyError,
        UnmatchedRequestError,
    )
    from .model.item_dicts import to_item_dicts
    from .model.items import parse_items
    from .record.handle import CassetteHandle
    from .rules.masks import DEFAULT_MASKS, Mask
    from .rules.redaction import RedactionRules
    from .rules.selector import Selector
    from .snapshot.assertion import SnapshotAssertion

_WHERE = {
    "CassetteError": ".errors",
    "CassetteExpiredWarning": ".errors",
    "CassetteHandle": ".record.handle",
    "ConfigError": ".errors",
    "ConversationsEmulator": ".emulator",
    "ConvreplayError": ".errors",
    "ConvreplayWarning": ".errors",
    "DEFAULT_MASKS": ".rules.masks",
    "EmulatorApiError": ".errors",
    "FileLockTimeout": ".errors",
    "ItemDiff": ".diff",
    "Mask": ".rules.masks",
    "MaskWarning": ".errors",
    "NetworkBlockedError": ".errors",
    "PaginationError": ".errors",
    "PaginationWarning": ".errors",
    "RecordMode": ".config.settings",
    "RedactionRules": ".rules.redaction",
    "RequestRefused": ".errors",
    "SchemaDriftWarning": ".errors",
    "SecretLeakError": ".errors",
    "Selector": ".rules.selector",
    "Settings": ".config.settings",
    "SnapshotAssertion": ".snapshot.assertion",
    "SnapshotError": ".errors",
    "SnapshotMismatch": ".errors",
    "UndecodableBodyError": ".errors",
    "UnmatchedRequestError": ".errors",
    "diff_items": ".diff",
    "parse_items": ".model.items",
    "render": ".diff",
    "to_item_dicts": ".model.item_dicts",
}

__all__ = [
    "DEFAULT_MASKS",
    "CassetteError",
    "CassetteExpiredWarning",
    "CassetteHandle",
    "ConfigError",
    "ConversationsEmulator",
    "ConvreplayError",
    "ConvreplayWarning",
    "EmulatorApiError",
    "FileLockTimeout",
    "ItemDiff",
    "Mask",
    "MaskWarning",
    "NetworkBlockedError",
    "PaginationError",
    "PaginationWarning",
    "RecordMode",
    "RedactionRules",
    "RequestRefused",
    "SchemaDriftWarning",
    "SecretLeakError",
    "Selector",
    "Settings",
    "SnapshotAssertion",
    "SnapshotError",
    "SnapshotMismatch",
    "UndecodableBodyError",
    "UnmatchedRequestError",
    "diff_items",
    "parse_items",
    "render",
    "to_item_dicts",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return __all__
