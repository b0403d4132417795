"""Item snapshots: the file format and the ``conv_snapshot`` assertion.

One YAML file per test (``<test name>.snapshot.yaml`` beside its cassette) holds named snapshots,
each a list of items. Every item is one YAML block whose keys come in a stable order (``id`` and
``type`` first, the rest sorted, at every depth), so re-recording gives the same bytes and git
diffs and merge conflicts stay inside the item that changed. Items are stored as compared:
renumbered and masked (``<masked>``), and only after passing the secret gate.

The assertion reports each check (new, matched, changed) to a listener; tracking which snapshots
were used and printing the session report live in :mod:`pytest_convreplay.snapshot_session`.
"""

from __future__ import annotations

import copy
import enum
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

import yaml

from .atomic import file_stamp, locked, write_atomic
from .cassette import DEFAULT_MAX_BYTES, dump_yaml, load_plain_yaml, yaml_problem
from .config import Settings
from .diff import diff_items, render
from .errors import SecretLeakError, SnapshotError, SnapshotMismatch, quoted_nodeid, shown_path
from .items import item_fields, parse_items, to_item_dicts
from .masks import DEFAULT_MASKS, Mask, apply_masks, parse_masks, renumber_ids
from .redact import PatternRule, RedactionRules, redact_text
from .secrets_gate import KnownSecrets, check_text

if TYPE_CHECKING:
    from .recorder import Recording

Item = dict[str, Any]

SNAPSHOT_VERSION: Final = 1
SNAPSHOT_SUFFIX: Final = ".snapshot.yaml"
DEFAULT_NAME: Final = "default"
_FIRST_KEYS: Final = ("id", "type")


# --- the file format -----------------------------------------------------------------------------


def ordered(value: Any) -> Any:
    """``value`` with every mapping's keys in the file's order: ``id``, ``type``, then sorted."""
    if isinstance(value, Mapping):
        first = [key for key in _FIRST_KEYS if key in value]
        rest = sorted(key for key in value if key not in _FIRST_KEYS)
        return {key: ordered(value[key]) for key in (*first, *rest)}
    if isinstance(value, list | tuple):
        return [ordered(inner) for inner in value]
    return value


def snapshot_header(test: str) -> str:
    """The comment every snapshot file starts with: whose it is and how to rewrite it."""
    return (
        f"# pytest-convreplay snapshots of {test}\n"
        f"# Masked values read <masked>. Rewrite with: pytest --convreplay-update {quoted_nodeid(test)}\n"
    )


def dump_snapshots(snapshots: Mapping[str, Sequence[Item]], *, header: str = "") -> str:
    """The file text for ``snapshots`` (name → items), after ``header`` (comment lines)."""
    document = {
        "version": SNAPSHOT_VERSION,
        "snapshots": {name: ordered(list(items)) for name, items in snapshots.items()},
    }
    return header + dump_yaml(document)


def parse_snapshots(text: str, path: Path) -> dict[str, list[Item]]:
    """Snapshot name → items from file text; ``path`` only names the file in errors."""
    fix = f"fix or delete {path} and run pytest --convreplay-update to write it again"
    try:
        data = load_plain_yaml(text)
    except yaml.YAMLError as error:
        raise SnapshotError(f"{path}: {yaml_problem(error, text)}; {fix}") from None
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(f"{path}: not a version {SNAPSHOT_VERSION} convreplay snapshot file; {fix}")
    snapshots = data.get("snapshots") or {}
    if not isinstance(snapshots, dict):
        raise SnapshotError(f"{path}: 'snapshots' must map names to item lists; {fix}")
    for name, items in snapshots.items():
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and "type" in item for item in items
        ):
            raise SnapshotError(f"{path}: snapshot {name!r} must be a list of items with a 'type'; {fix}")
    return {str(name): items for name, items in snapshots.items()}


def read_snapshots(path: Path) -> dict[str, list[Item]]:
    """The snapshots stored at ``path``; none when the file does not exist yet."""
    try:
        size = path.stat().st_size
        if size > DEFAULT_MAX_BYTES:
            raise SnapshotError(
                f"{path}: the file is {size / 2**20:.1f} MiB, over the {DEFAULT_MAX_BYTES / 2**20:.0f} MiB "
                "a snapshot may hold; snapshot fewer items per test (or name several snapshots)"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotError(f"{path}: cannot be read ({error})") from None
    return parse_snapshots(text, path)


def remove_snapshots(path: Path, names: Iterable[str]) -> None:
    """Drop ``names`` from the file (keeping its header), or the whole file when nothing is left."""
    with locked(path):  # a read-modify-write: no other worker may write in between
        text = path.read_text(encoding="utf-8")
        gone = set(names)
        kept = {name: items for name, items in parse_snapshots(text, path).items() if name not in gone}
        if not kept:
            path.unlink()
            return
        header = "".join(takewhile(lambda line: line.startswith("#"), text.splitlines(keepends=True)))
        write_atomic(path, dump_snapshots(kept, header=header))


def load_snapshot_file(path: Path) -> dict[str, list[Item]]:
    """Snapshot name → items, for ``convreplay diff``; a missing file is an error there."""
    if not path.exists():
        raise SnapshotError(f"{path}: no such snapshot file")
    return read_snapshots(path)


# --- one check and its outcome ------------------------------------------------------------------


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

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    """Everything a test's snapshots depend on, typed once from its Settings."""

    path: Path
    test: str  # the node id, shown in messages and commands
    masks: tuple[Mask, ...] = DEFAULT_MASKS
    renumber_ids: bool = False
    update: bool = False
    ci: bool = False
    secret_env: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    patterns: tuple[PatternRule, ...] = ()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, test: str, patterns: Iterable[PatternRule]
    ) -> SnapshotOptions:
        user_masks = parse_masks(settings.masks)
        for mask in user_masks:
            _warn_if_unknown(mask)
        return cls(
            path=settings.snapshot_path,
            test=test,
            masks=(*(DEFAULT_MASKS if settings.mask_defaults else ()), *user_masks),
            renumber_ids=settings.renumber_ids,
            update=settings.update_snapshots,
            ci=settings.ci,
            secret_env=settings.secret_env,
            secrets=settings.secrets,
            patterns=tuple(patterns),
        )

    @property
    def may_write(self) -> bool:
        """Only an explicit update writes, and never under CI: CI checks what was committed."""
        return self.update and not self.ci

    @property
    def update_command(self) -> str:
        return f"pytest --convreplay-update {quoted_nodeid(self.test)}"

    def prepare(self, items: Any) -> list[Item]:
        """Items as stored and compared: plain dicts, renumbered if asked, then masked.

        They are also parsed through the item models once, so that an item type or field this
        version does not know is reported (a SchemaDriftWarning per type and field), never dropped.
        """
        dicts = copy.deepcopy(to_item_dicts(items))  # the test may change its items after asserting
        parse_items(dicts)
        if self.renumber_ids:
            dicts = renumber_ids(dicts)
        return apply_masks(dicts, self.masks) if self.masks else dicts


class MaskWarning(UserWarning):
    """A mask names a field its item type does not have: most likely a typo, and it masks nothing."""


def _warn_if_unknown(mask: Mask) -> None:
    """A typed mask whose first field the item models do not know (``reasoning.sumary``) is
    reported, not refused: a field newer than these models is still maskable."""
    first = mask.path[0]
    fields = item_fields(mask.item_type) if mask.item_type is not None else None
    if fields is not None and isinstance(first, str) and first not in fields:
        known = ", ".join(sorted(fields - {"type"}))
        warnings.warn(
            MaskWarning(
                f"mask {mask.selector!r}: {mask.item_type} items have no field {first!r} (they have {known})"
            ),
            stacklevel=3,
        )


class SnapshotFile:
    """One test's snapshot file: compares named item lists with it and rewrites it when allowed.

    Loaded once per test; every check is reported to ``on_check`` (the session's tracker).
    """

    def __init__(
        self,
        options: SnapshotOptions,
        *,
        on_check: Callable[[SnapshotCheck], None] = lambda check: None,
        recording: Recording | None = None,
    ) -> None:
        self.options = options
        self.on_check = on_check
        self.recording = recording
        self.asserted: set[str] = set()
        self._stored: dict[str, list[Item]] | None = None
        self._stamp: tuple[int, int] | None = None
        self._unnamed = 0

    @property
    def stored(self) -> dict[str, list[Item]]:
        if self._stored is None:
            self._stamp = file_stamp(self.options.path)
            self._stored = read_snapshots(self.options.path)
        return self._stored

    def next_name(self) -> str:
        """``default``, then ``default.2`` …: unnamed snapshots of one test, in the order taken."""
        self._unnamed += 1
        return DEFAULT_NAME if self._unnamed == 1 else f"{DEFAULT_NAME}.{self._unnamed}"

    def check(self, items: Any, name: str) -> SnapshotCheck:
        """Compare ``items`` with snapshot ``name``; write it when new or changed and allowed."""
        if name in self.asserted:
            raise SnapshotError(
                f"{self.options.test}: snapshot {name!r} is asserted twice; give each snapshot of a test "
                "its own name (conv_snapshot['name'])"
            )
        self.asserted.add(name)
        prepared = self.options.prepare(items)
        stored = self.stored.get(name)
        diff = (
            None
            if stored is None
            else diff_items(stored, prepared, masks=(), renumber=self.options.renumber_ids)
        )
        if diff is not None and diff.is_empty:
            check = SnapshotCheck(self.options.path, name, SnapshotState.MATCHED)
        elif self.options.may_write:
            self._write(name, prepared)
            state = SnapshotState.NEW if diff is None else SnapshotState.CHANGED
            check = SnapshotCheck(self.options.path, name, state, written=True)
        elif diff is None:
            check = SnapshotCheck(
                self.options.path, name, SnapshotState.NEW, failure=self._missing(name, prepared)
            )
        else:
            failure = self._shown(
                self._describe(name) + "\n" + render(diff) + "\n" + self._to_accept("update it")
            )
            check = SnapshotCheck(self.options.path, name, SnapshotState.CHANGED, failure=failure)
        self.on_check(check)
        return check

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
        with locked(self.options.path):
            self._write_locked(name, items)

    def _write_locked(self, name: str, items: list[Item]) -> None:
        current = self.stored  # the file as read, unless another test or worker has written it since
        if file_stamp(self.options.path) != self._stamp:
            current = read_snapshots(self.options.path)
        snapshots = {**current, name: items}
        text = dump_snapshots(snapshots, header=snapshot_header(self.options.test))
        try:
            check_text(
                text,
                self._known_secrets(),
                path=shown_path(self.options.path),
                patterns=self.options.patterns,
            )
        except SecretLeakError as error:
            raise SecretLeakError(
                f"{error}\nFor a snapshot of {self.options.test}: mask the field holding it with the masks "
                "option, e.g. @pytest.mark.convreplay(masks=['message.content[*].text'])."
            ) from None
        write_atomic(self.options.path, text)
        self._stored, self._stamp = snapshots, file_stamp(self.options.path)

    def _known_secrets(self) -> KnownSecrets:
        if self.recording is not None:
            return self.recording.known_secrets()
        return KnownSecrets.from_env(names=self.options.secret_env, values=self.options.secrets)

    def _shown(self, message: str) -> str:
        """A failure message as printed: it quotes live items, which the gate has not seen, so known
        values and pattern hits are masked as they would be in the file."""
        return redact_text(
            self._known_secrets().mask(message), RedactionRules(patterns=self.options.patterns)
        )


# --- what tests hold ----------------------------------------------------------------------------


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
