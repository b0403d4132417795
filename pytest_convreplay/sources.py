"""Items by conversation from any file a user may hand to ``convreplay diff``.

A cassette gives the conversations rebuilt from its recorded pages; a snapshot file gives the
items it stored, under its snapshot names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cassette import load_cassette
from .pagination import rebuild_conversations
from .snapshot import SNAPSHOT_SUFFIX


def is_snapshot_file(path: Path) -> bool:
    return path.name.endswith(SNAPSHOT_SUFFIX)


def conversations_in(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Conversation (or snapshot) name -> items, from a cassette or a snapshot file."""
    if is_snapshot_file(path):
        from .snapshot import load_snapshot_file

        return load_snapshot_file(path)
    records = rebuild_conversations(load_cassette(path).interactions)
    return {cid: list(record.items) for cid, record in records.items()}
