"""Items by conversation from any file a user may hand to ``convreplay diff``.

A cassette gives the conversations rebuilt from its recorded pages; a snapshot file gives the
items it stored, under its snapshot names. Cassettes the project's test runs parsed are read from
their cache (pytest's, see :func:`~pytest_convreplay.config.project.pytest_cache_dir`), found by
content, so an edited cassette is parsed anew.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config.project import pytest_cache_dir
from ..model.conversations import rebuild_conversations
from ..storage.cassette import load_cassette
from ..storage.parsed import FOLDER, ParsedCache
from ..storage.snapshots import is_snapshot_file, load_snapshot_file


def project_parsed_cache() -> ParsedCache | None:
    """The parsed cassettes the project's test runs keep (the plugin's folder of pytest's cache),
    or None when the project has no pytest cache to keep them in."""
    cache = pytest_cache_dir()
    return None if cache is None else ParsedCache(cache / "d" / FOLDER)


def conversations_in(path: Path, cache: ParsedCache | None = None) -> dict[str, list[dict[str, Any]]]:
    """Conversation (or snapshot) name -> items, from a cassette or a snapshot file."""
    if is_snapshot_file(path):
        return load_snapshot_file(path)
    records = rebuild_conversations(load_cassette(path, cache=cache).interactions)
    return {cid: list(record.items) for cid, record in records.items()}
