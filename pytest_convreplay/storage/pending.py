"""Pending snapshots: new or changed snapshots a run proposes, beside the committed file, for review.

``<test>.snapshot.yaml.pending`` holds only the proposed names, in the snapshot file's format. It
never ends in ``.yaml``, so nothing that reads committed files mistakes it for one: snapshot checks,
unused detection and the CLI's cassette globs skip it, and the sdist excludes it. Accepting a name
moves its items into the committed file through the gate; rejecting drops it; a file left empty
is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path
from typing import Any, Final

from ..config.paths import SNAPSHOT_SUFFIX
from ..errors import SnapshotError, quoted_nodeid
from ..gate import Gate
from .atomic import locked
from .snapshots import (
    SNAPSHOT_VERSION,
    ordered,
    parse_snapshots,
    read_snapshots,
    snapshot_document,
    snapshot_header,
)
from .write import write_document
from .yaml_io import load_plain_yaml

Item = dict[str, Any]

PENDING_SUFFIX: Final = ".pending"


def pending_path(snapshot_path: Path) -> Path:
    return snapshot_path.with_name(snapshot_path.name + PENDING_SUFFIX)


def is_pending_file(path: Path) -> bool:
    return path.name.endswith(SNAPSHOT_SUFFIX + PENDING_SUFFIX)


def committed_path(pending: Path) -> Path:
    """The snapshot file a pending file proposes changes to."""
    return pending.with_name(pending.name.removesuffix(PENDING_SUFFIX))


@dataclass(frozen=True, slots=True)
class PendingSnapshots:
    """What one pending file proposes: names and their items, whose test, how its ids compare."""

    path: Path
    test: str
    renumber_ids: bool
    snapshots: dict[str, list[Item]]


def read_pending(path: Path) -> PendingSnapshots:
    """The pending file at ``path``; an empty proposal when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PendingSnapshots(path, "", False, {})
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotError(f"{path}: cannot be read ({error})", path=path) from None
    snapshots = parse_snapshots(text, path)
    data = load_plain_yaml(text)
    return PendingSnapshots(path, str(data.get("test") or ""), bool(data.get("renumber_ids")), snapshots)


def _pending_header(test: str) -> str:
    return (
        f"# pytest-convreplay PENDING snapshots of {test}: proposed, not committed; never passes for the\n"
        "# snapshot file beside it. Review with: convreplay review (accept, reject or skip each one)\n"
    )


def _write(pending: PendingSnapshots, gate: Gate) -> None:
    if not pending.snapshots:
        pending.path.unlink(missing_ok=True)
        return
    document = {
        "version": SNAPSHOT_VERSION,
        "test": pending.test,
        "renumber_ids": pending.renumber_ids,
        "snapshots": {name: ordered(items) for name, items in pending.snapshots.items()},
    }
    write_document(pending.path, document, gate, header=_pending_header(pending.test))


def propose(
    snapshot_path: Path, name: str, items: Sequence[Item], gate: Gate, *, test: str, renumber_ids: bool
) -> Path:
    """Leave ``items`` as pending snapshot ``name`` beside ``snapshot_path``; returns the pending file."""
    path = pending_path(snapshot_path)
    with locked(path):  # tests sharing a snapshot file on other xdist workers lose nothing
        current = read_pending(path)
        _write(PendingSnapshots(path, test, renumber_ids, {**current.snapshots, name: list(items)}), gate)
    return path


def withdraw(snapshot_path: Path, names: Iterable[str], gate: Gate) -> None:
    """Drop ``names`` from the pending file beside ``snapshot_path`` (a stale proposal: the snapshot
    now matches, or was written); the file goes when nothing is left."""
    path = pending_path(snapshot_path)
    if not path.exists():
        return
    with locked(path):
        current = read_pending(path)
        gone = set(names) & current.snapshots.keys()
        if gone:
            kept = {name: items for name, items in current.snapshots.items() if name not in gone}
            _write(PendingSnapshots(path, current.test, current.renumber_ids, kept), gate)


def accept(pending: Path, names: Iterable[str], gate: Gate) -> None:
    """Move ``names`` from the pending file into the committed snapshot file (written through the
    gate, keeping the committed file's header), then drop them from the pending file."""
    target = committed_path(pending)
    chosen = list(names)
    with locked(target), locked(pending):
        proposal = read_pending(pending)
        missing = [name for name in chosen if name not in proposal.snapshots]
        if missing:
            raise SnapshotError(
                f"{pending}: no pending snapshot {', '.join(map(repr, missing))}", path=pending
            )
        header = _committed_header(target) or snapshot_header(proposal.test)
        merged = {**read_snapshots(target), **{name: proposal.snapshots[name] for name in chosen}}
        write_document(target, snapshot_document(merged), gate, header=header)
        withdraw(target, chosen, gate)


def reject(pending: Path, names: Iterable[str], gate: Gate) -> None:
    """Drop ``names`` from the pending file; the committed file is not touched."""
    withdraw(committed_path(pending), names, gate)


def _committed_header(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    return "".join(takewhile(lambda line: line.startswith("#"), text.splitlines(keepends=True)))


def find_pending(paths: Iterable[Path]) -> list[Path]:
    """Pending files named, or found below the folders named (hidden folders skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                file
                for file in path.rglob(f"*{SNAPSHOT_SUFFIX}{PENDING_SUFFIX}")
                if file.is_file() and not any(part.startswith(".") for part in file.relative_to(path).parts)
            )
        elif is_pending_file(path):
            found.append(path)
        elif path.exists():
            raise SnapshotError(
                f"{path}: not a pending snapshot file (*{SNAPSHOT_SUFFIX}{PENDING_SUFFIX})", path=Path(path)
            )
    return list(dict.fromkeys(found))


def pending_note(test: str, path: Path) -> str:
    """What a failing check says when it left a pending snapshot."""
    return f"the new snapshot is pending in {path}: review it with convreplay review, or run " + (
        f"pytest --convreplay-update {quoted_nodeid(test)}"
    )
