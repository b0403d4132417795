"""One test's snapshot file: named item lists compared with what the test holds, rewritten when allowed.

Items are stored as compared: renumbered and masked (``<masked>``), and only after passing the
secret gate. Each check (new, matched, changed) is reported to a listener, the session's tracker.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Final

from ..config.paths import hide_secrets_in_path
from ..diff import ItemDiff, diff_items, render
from ..errors import SnapshotError, shown_path
from ..gate import Gate, KnownSecrets
from ..redact import redact_text
from ..rules.redaction import RedactionRules
from ..storage.atomic import file_stamp, locked
from ..storage.parsed import ParsedCache, collection_paused
from ..storage.pending import pending_note, propose, withdraw
from ..storage.snapshots import read_owners, read_snapshots, snapshot_document, snapshot_header
from ..storage.write import write_document
from .check import SnapshotCheck, SnapshotState
from .options import SnapshotOptions

Item = dict[str, Any]

DEFAULT_NAME: Final = "default"


class SnapshotFile:
    """One test's snapshot file: compares named item lists with it and rewrites it when allowed.

    Loaded once per test; every check is reported to ``on_check`` (the session's tracker).
    """

    def __init__(
        self,
        options: SnapshotOptions,
        *,
        on_check: Callable[[SnapshotCheck], None] = lambda check: None,
        known_secrets: Callable[[], KnownSecrets] | None = None,
    ) -> None:
        self.options = options
        self.on_check = on_check
        self._known_from = known_secrets
        self.asserted: set[str] = set()
        self._stored: dict[str, list[Item]] | None = None
        self._stamp: tuple[int, int] | None = None
        self._unnamed = 0

    @property
    def stored(self) -> dict[str, list[Item]]:
        if self._stored is None:
            self._stamp = file_stamp(self.options.path)
            self._stored = read_snapshots(self.options.path, self._cache)
        return self._stored

    @property
    def _cache(self) -> ParsedCache | None:
        folder = self.options.parsed_cache_dir
        return ParsedCache(folder, kind="snapshot") if folder is not None else None

    def next_name(self) -> str:
        """``default``, then ``default.2`` …: unnamed snapshots of one test, in the order taken."""
        self._unnamed += 1
        return DEFAULT_NAME if self._unnamed == 1 else f"{DEFAULT_NAME}.{self._unnamed}"

    def check(self, items: Any, name: str) -> SnapshotCheck:
        """Compare ``items`` with snapshot ``name``; write it when new or changed and allowed."""
        if name in self.asserted:
            raise SnapshotError(
                f"{self.options.test}: snapshot {name!r} is asserted twice; give each snapshot of a test "
                "its own name (conv_snapshot['name'])",
                path=self.options.path,
            )
        with collection_paused():  # thousands of fresh dicts, no cycles: nothing for it to find
            prepared = self.options.prepare(items, name)
            self.asserted.add(name)
            stored = self.stored.get(name)
            diff = (
                None
                if stored is None
                else diff_items(stored, prepared, masks=(), renumber=self.options.renumber_ids)
            )
        if diff is not None and diff.is_empty:
            check = SnapshotCheck(self.options.path, name, SnapshotState.MATCHED)
            if self.options.pending:
                withdraw(self.options.path, [name], self.gate())  # a stale proposal goes
        elif self.options.may_write:
            self._write(name, prepared)
            withdraw(self.options.path, [name], self.gate())
            state = SnapshotState.NEW if diff is None else SnapshotState.CHANGED
            check = SnapshotCheck(self.options.path, name, state, written=True, stored=stored, taken=prepared)
        elif self.options.may_propose:
            check = self._propose(name, prepared, diff, stored)
        elif diff is None:
            check = SnapshotCheck(
                self.options.path,
                name,
                SnapshotState.NEW,
                failure=self._missing(name, prepared),
                taken=prepared,
            )
        else:
            # masked before the diff is rendered: a cut long value must not show a secret's start
            shown = diff_items(
                self._masked(stored or []),
                self._masked(prepared),
                masks=(),
                renumber=self.options.renumber_ids,
            )
            failure = self._shown(
                self._describe(name)
                + "\n"
                + render(shown, labels=("snapshot", "now"))
                + "\n"
                + self._to_accept("update it")
            )
            check = SnapshotCheck(
                self.options.path, name, SnapshotState.CHANGED, failure=failure, stored=stored, taken=prepared
            )
        self.on_check(check)
        return check

    def _propose(
        self, name: str, items: list[Item], diff: ItemDiff | None, stored: list[Item] | None
    ) -> SnapshotCheck:
        """Leave the snapshot pending for review; the test still fails: a pending snapshot never
        passes for a committed one."""
        where = propose(
            self.options.path,
            name,
            items,
            self.gate(),
            test=self.options.test,
            renumber_ids=self.options.renumber_ids,
        )
        note = pending_note(self.options.test, where)
        if diff is None:
            failure = (
                f"{shown_path(self.options.path)} has no snapshot {name!r} for {self.options.test}; {note}"
            )
            state = SnapshotState.NEW
        else:
            failure = self._shown(self._describe(name) + "\n" + render(diff) + "\n" + note)
            state = SnapshotState.CHANGED
        return SnapshotCheck(
            self.options.path, name, state, failure=failure, pending=True, stored=stored, taken=items
        )

    def _describe(self, name: str) -> str:
        return f"snapshot {name!r} of {self.options.test} ({shown_path(self.options.path)}) differs:"

    def _missing(self, name: str, items: Sequence[Item]) -> str:
        where = shown_path(self.options.path)
        return (
            f"{where} has no snapshot {name!r} for {self.options.test} ({len(items)} items); "
            + self._to_accept("write it")
        )

    def _to_accept(self, what: str) -> str:
        if self.options.ci:
            return (
                f"snapshots are never written when CI is set: run {self.options.update_command} "
                "locally and commit the file"
            )
        return f"if this is intended, run {self.options.update_command} to {what}"

    def _write(self, name: str, items: list[Item]) -> None:
        """record → check → persist: the text is refused whole if it holds a known secret. The file
        is re-read under its lock, so tests sharing it on other xdist workers lose nothing."""
        gate = self.gate()
        path = hide_secrets_in_path(self.options.path, gate.secret_spans)  # named before it is locked
        if path != self.options.path:
            self.options = dataclasses.replace(self.options, path=path)
        with locked(self.options.path, error=SnapshotError):
            self._write_locked(name, items, gate)

    def _write_locked(self, name: str, items: list[Item], gate: Gate) -> None:
        current = self.stored  # the file as read, unless another test or worker has written it since
        if file_stamp(self.options.path) != self._stamp:
            current = read_snapshots(self.options.path, self._cache)
        snapshots = {**current, name: items}
        write_document(
            self.options.path,
            snapshot_document(snapshots),
            gate,
            header=snapshot_header(*read_owners(self.options.path), self.options.test),
            hint=f"For a snapshot of {self.options.test}: mask the field holding it with the masks "
            "option, e.g. @pytest.mark.convreplay(masks=['message.content[*].text']).",
            error=SnapshotError,
        )
        self._stored, self._stamp = snapshots, file_stamp(self.options.path)

    def gate(self) -> Gate:
        """What this test's writes are checked against: its known secrets and secret patterns."""
        return Gate(self._known_secrets(), self.options.patterns)

    def _known_secrets(self) -> KnownSecrets:
        if self._known_from is not None:
            return self._known_from()
        return KnownSecrets.from_env(names=self.options.secret_env, values=self.options.secrets)

    def _masked(self, items: Sequence[Item]) -> list[Item]:
        """Items as a message may quote them: every string with known values and pattern hits masked."""
        gate = self.gate()
        return [_masked_strings(item, gate.mask) for item in items]

    def _shown(self, message: str) -> str:
        """A failure message as printed: it quotes live items, which the gate has not seen, so known
        values and pattern hits are masked as they would be in the file."""
        return redact_text(
            self._known_secrets().mask(message), RedactionRules(patterns=self.options.patterns)
        )


def _masked_strings(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {mask(str(key)): _masked_strings(inner, mask) for key, inner in value.items()}
    if isinstance(value, list):
        return [_masked_strings(inner, mask) for inner in value]
    return value
