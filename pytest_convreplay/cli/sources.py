"""Items by conversation from any file a user may hand to ``convreplay diff``.

A cassette gives the conversations rebuilt from its recorded pages; a snapshot file gives the
items it stored, under its snapshot names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model.conversations import rebuild_conversations
from ..storage.cassette import load_cassette
from ..storage.snapshots import is_snapshot_file, load_snapshot_file


def conversations_in(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Conversation (or snapshot) name -> items, from a cassette or a snapshot file."""
    if is_snapshot_file(path):
        return load_snapshot_file(path)
    records = rebuild_conversations(load_cassette(path).interactions)
    return {cid: list(record.items) for cid, record in records.items()}
