"""The item-level diff: its engine, its data, and its renderings (text, JSON)."""

from .as_json import to_json
from .engine import diff_items
from .model import DiffCounts, FieldChange, ItemChange, ItemDiff, UnchangedRun, Verdict
from .render import render

__all__ = [
    "DiffCounts",
    "FieldChange",
    "ItemChange",
    "ItemDiff",
    "UnchangedRun",
    "Verdict",
    "diff_items",
    "render",
    "to_json",
]
