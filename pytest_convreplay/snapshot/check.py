"""The outcome of one snapshot comparison, and where a snapshot stands in its lifecycle."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SnapshotState(enum.StrEnum):
    """Where a snapshot stands in its lifecycle (insta's states)."""

    NEW = "new"  # not stored yet
    MATCHED = "matched"  # stored and equal after masking
    CHANGED = "changed"  # stored and different
    UNUSED = "unused"  # stored but no test asked for it (decided by the session)


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    """The outcome of one comparison; ``failure`` is the message when the test must fail."""

    path: Path
    name: str
    state: SnapshotState
    written: bool = False
    failure: str | None = None
    pending: bool = False  # left as a pending snapshot for review (the check still fails)
    # When it did not match, for reports: what the file holds and what the test took (as stored).
    stored: Sequence[dict[str, Any]] | None = field(default=None, compare=False, repr=False)
    taken: Sequence[dict[str, Any]] | None = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.failure is None
