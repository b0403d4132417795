"""Answering items requests the recording never saw, from conversations it saw in full.

A cassette recorded with ``limit=100&order=asc`` holds every item of the conversation, so a
replayed ``limit=7&order=desc`` (or ``get_items(limit=5)``, or a single item retrieve) has exactly
one right answer: the one ``listing.list_page`` computes. Conversations the recording did not
see completely, or that changed while it recorded, are not answered; the caller reports the
request as unmatched. Only listings recorded after a conversation's last mutation count: an
earlier one shows items since deleted and lacks those since added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model.conversations import ConversationRecord, rebuild_conversations
from ..model.interactions import Interaction, dump_json
from ..model.listing import UnknownCursorError, apply_include, list_page, positions_of
from ..model.pages import mutated_conversation, read_request


class CompleteListings:
    """The complete, consistent conversations of one cassette, indexed once so each answer is O(limit)."""

    def __init__(self, records: Mapping[str, ConversationRecord]) -> None:
        self._records = {
            cid: record for cid, record in records.items() if record.complete and record.consistent
        }
        self._positions = {cid: positions_of(record.items) for cid, record in self._records.items()}

    @classmethod
    def from_interactions(cls, interactions: Sequence[Interaction]) -> CompleteListings:
        """From a cassette's interactions in the order they were recorded (``storage.segments.
        chronological``; a cassette's file order groups them by test instead)."""
        return cls(rebuild_conversations(since_last_mutation(interactions)))

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


def since_last_mutation(interactions: Sequence[Interaction]) -> list[Interaction]:
    """The recording without the items requests a later mutation of their conversation outdated.

    ``interactions`` come in the order they were recorded, so a mutation any test sharing the
    cassette recorded after a listing outdates it, wherever the file keeps the two.
    """
    last = {
        cid: n for n, interaction in enumerate(interactions) if (cid := mutated_conversation(interaction))
    }

    def outdated(index: int, interaction: Interaction) -> bool:
        request = read_request(interaction["request"]["method"], interaction["request"]["uri"])
        return request is not None and index < last.get(request.conversation_id, -1)

    return [interaction for n, interaction in enumerate(interactions) if not outdated(n, interaction)]


def synthesized_response(envelope: dict[str, Any]) -> dict[str, Any]:
    """A vcrpy response dict for an answer computed from a complete recorded listing."""
    body = dump_json(envelope, separators=(",", ":")).encode("utf-8")
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"], "content-length": [str(len(body))]},
        "body": {"string": body},
    }
