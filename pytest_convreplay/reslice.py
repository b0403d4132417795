"""Answering items requests the recording never saw, from conversations it saw in full.

A cassette recorded with ``limit=100&order=asc`` holds every item of the conversation, so a
replayed ``limit=7&order=desc`` (or ``get_items(limit=5)``, or a single item retrieve) has exactly
one right answer: the one ``listing.list_page`` computes. Conversations the recording did not
see completely, or that changed while it recorded, are not answered; the caller reports the
request as unmatched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .interactions import Interaction
from .listing import UnknownCursorError, apply_include, list_page, positions_of
from .pagination import ConversationRecord, read_request, rebuild_conversations


class CompleteListings:
    """The complete, consistent conversations of one cassette, indexed once so each answer is O(limit)."""

    def __init__(self, records: Mapping[str, ConversationRecord]) -> None:
        self._records = {
            cid: record for cid, record in records.items() if record.complete and record.consistent
        }
        self._positions = {cid: positions_of(record.items) for cid, record in self._records.items()}

    @classmethod
    def from_interactions(cls, interactions: Sequence[Interaction]) -> CompleteListings:
        return cls(rebuild_conversations(interactions))

    @property
    def conversation_ids(self) -> frozenset[str]:
        return frozenset(self._records)

    def answer(self, method: str, uri: str) -> dict[str, Any] | None:
        """The JSON body the API gives for this list or retrieve request, or None if unknown.

        None covers: not an items request, an invalid query, a conversation not recorded in full,
        an ``include[]`` wider than the recording's, and an ``after`` or item id the list lacks.
        The answer shares item dicts with the recording: serialize it, do not mutate it.
        """
        request = read_request(method, uri)
        if request is None:
            return None
        record = self._records.get(request.conversation_id)
        if record is None or not request.query.include <= record.include:
            return None
        positions = self._positions[request.conversation_id]
        if request.item_id is not None:
            index = positions.get(request.item_id)
            return None if index is None else apply_include(record.items[index], request.query.include)
        try:
            return list_page(record.items, request.query, positions)
        except UnknownCursorError:
            return None
