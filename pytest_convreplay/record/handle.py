"""What a test gets from the ``convreplay`` fixture: a small, read-only view of its cassette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config.settings import RecordMode
from ..model.conversations import ConversationRecord
from ..model.interactions import Interaction, RecordedRequest
from .recording import Recording


class CassetteHandle:
    """The test's cassette, as it is or will be stored: redacted, and every value the gate knows
    masked, so a test never gets a secret to print or snapshot.

    ``conversations`` maps each conversation id to its items in chronological order, rebuilt from
    every items-list page the cassette holds (recorded before and during this test).
    """

    __slots__ = ("_recording",)

    def __init__(self, recording: Recording) -> None:
        self._recording = recording

    @property
    def path(self) -> Path:
        """The cassette file."""
        return self._recording.path

    @property
    def mode(self) -> RecordMode:
        """The record mode in force (``none`` in CI unless the command line asked for recording)."""
        return self._recording.mode

    @property
    def interactions(self) -> list[Interaction]:
        """Every exchange of the cassette: recorded before this test, and during it."""
        return self._recording.interactions

    @property
    def requests(self) -> list[RecordedRequest]:
        """The request of every exchange."""
        return [interaction["request"] for interaction in self.interactions]

    @property
    def records(self) -> dict[str, ConversationRecord]:
        """Per conversation: its items, whether the listing was complete, the ``include[]`` it had."""
        return self._recording.records

    @property
    def conversations(self) -> dict[str, list[dict[str, Any]]]:
        """Conversation id → its items in chronological order."""
        return {cid: list(record.items) for cid, record in self.records.items()}

    def __repr__(self) -> str:
        return f"<convreplay cassette {self.path} mode={self.mode.value}>"
