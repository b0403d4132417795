"""The diff as JSON-ready data, for tools and machine reports (``convreplay diff --json``)."""

from __future__ import annotations

from typing import Any

from .model import MISSING, FieldChange, ItemDiff, Verdict


def to_json(diff: ItemDiff) -> dict[str, Any]:
    """The diff as JSON-ready data (absent sides are left out), for tools and machine reports."""

    def change_json(change: FieldChange) -> dict[str, Any]:
        data: dict[str, Any] = {"path": change.path}
        if change.old is not MISSING:
            data["old"] = change.old
        if change.new is not MISSING:
            data["new"] = change.new
        return data

    counts = diff.counts
    return {
        "old_count": len(diff.old),
        "new_count": len(diff.new),
        "counts": {verdict.value: getattr(counts, verdict.name.lower()) for verdict in Verdict}
        | {"unchanged": counts.unchanged},
        "items": [
            {
                "verdict": item.verdict.value,
                "key": item.key,
                "type": item.item_type,
                "old_index": item.old_index,
                "new_index": item.new_index,
                "moved": item.moved,
                "fields": [change_json(change) for change in item.fields],
            }
            for item in diff.verdicts
        ],
    }
