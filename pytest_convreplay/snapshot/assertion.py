"""What tests hold: the ``conv_snapshot`` assertion, and the automatic snapshots of ``snapshot=True``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from ..errors import SnapshotMismatch
from .check import SnapshotCheck
from .file import DEFAULT_NAME, SnapshotFile

Item = dict[str, Any]


class SnapshotAssertion:
    """The ``conv_snapshot`` fixture: ``conv_snapshot.assert_match(items)`` or ``items == conv_snapshot``.

    ``conv_snapshot["name"]`` (or ``conv_snapshot(name="name")``) addresses one of several
    snapshots of the test; without a name, snapshots are named ``default``, ``default.2`` …
    """

    __hash__: ClassVar[None]  # type: ignore[assignment]

    def __init__(self, file: SnapshotFile, name: str | None = None) -> None:
        self.file = file
        self.name = name
        self.last: SnapshotCheck | None = None

    def __call__(self, name: str | int) -> SnapshotAssertion:
        return SnapshotAssertion(self.file, str(name))

    def __getitem__(self, name: str | int) -> SnapshotAssertion:
        """``conv_snapshot["turn"]``; a number (``conv_snapshot[turn]`` in a loop) names it too."""
        return SnapshotAssertion(self.file, str(name))

    def _check(self, items: Any, name: str | int | None) -> SnapshotCheck:
        __tracebackhide__ = True
        chosen = name if name is not None else self.name
        self.last = self.file.check(items, str(chosen) if chosen is not None else self.file.next_name())
        return self.last

    def assert_match(self, items: Any, name: str | int | None = None) -> None:
        """Fail with the item-level diff when ``items`` differ from the stored snapshot."""
        __tracebackhide__ = True  # the failure is the test's line, not this one
        check = self._check(items, name)
        if check.failure is not None:
            raise SnapshotMismatch(check.failure)

    def __eq__(self, other: object) -> bool:
        """``assert items == conv_snapshot``; pytest then shows :meth:`explanation`."""
        __tracebackhide__ = True
        return self._check(other, None).passed

    def explanation(self) -> list[str]:
        """Lines for ``pytest_assertrepr_compare``: the last failed check's message."""
        if self.last is None or self.last.failure is None:
            return []
        return self.last.failure.splitlines()

    def __repr__(self) -> str:
        name = self.name or (self.last.name if self.last else DEFAULT_NAME)
        return f"conv_snapshot[{name!r}]"


def explain_comparison(op: str, left: object, right: object) -> list[str] | None:
    """What ``pytest_assertrepr_compare`` shows for ``items == conv_snapshot`` (either side)."""
    if op != "==":
        return None
    snapshot = right if isinstance(right, SnapshotAssertion) else left
    if not isinstance(snapshot, SnapshotAssertion):
        return None
    return snapshot.explanation() or None


# --- automatic snapshots -----------------------------------------------------------------------


def snapshot_names(conversations: Iterable[str], *, renumber: bool) -> dict[str, str]:
    """Name → conversation id: the id itself, or ``conv#n`` by first appearance when renumbering."""
    if renumber:
        return {f"conv#{number}": cid for number, cid in enumerate(conversations, start=1)}
    return {cid: cid for cid in conversations}


def assert_conversations(file: SnapshotFile, conversations: Mapping[str, Sequence[Item]]) -> None:
    """Snapshot each conversation under its id (skipping names the test asserted itself), or with
    ``renumber_ids`` under ``conv#1``, ``conv#2`` … in the order the test first listed them, since
    a re-recording creates fresh conversation ids; every failure is reported at once."""
    __tracebackhide__ = True
    named = snapshot_names(conversations, renumber=file.options.renumber_ids)
    failures = [
        check.failure
        for name, cid in sorted(named.items())
        if name not in file.asserted
        for check in [file.check(conversations[cid], name)]
        if check.failure is not None
    ]
    if failures:
        raise SnapshotMismatch("\n\n".join(failures))
