"""pytest-convreplay: record, redact, replay and snapshot-diff OpenAI conversation items.

This module lists exactly what users may import; everything else is internal.
"""

from .config import RecordMode, Settings
from .diff import ItemDiff, diff_items, render
from .emulator import ConversationsEmulator
from .errors import (
    CassetteError,
    ConfigError,
    ConvreplayError,
    PaginationError,
    SecretLeakError,
    SnapshotError,
    SnapshotMismatch,
    UndecodableBodyError,
    UnmatchedRequestError,
)
from .items import SchemaDriftWarning, parse_items, to_item_dicts
from .masks import DEFAULT_MASKS, Mask
from .recorder import Recording
from .redact import RedactionRules
from .snapshot import MaskWarning, SnapshotAssertion

__all__ = [
    "DEFAULT_MASKS",
    "CassetteError",
    "ConfigError",
    "ConversationsEmulator",
    "ConvreplayError",
    "ItemDiff",
    "Mask",
    "MaskWarning",
    "PaginationError",
    "RecordMode",
    "Recording",
    "RedactionRules",
    "SchemaDriftWarning",
    "SecretLeakError",
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
