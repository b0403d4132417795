"""The end of a run: unused snapshots found (only where the run could see every owner), deleted
only when asked after a green run, and the summary line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import SnapshotError
from ..gate import Gate, KnownSecrets
from ..rules.redaction import RedactionRules
from ..storage.snapshots import SNAPSHOT_SUFFIX, read_snapshots, remove_snapshots
from .session import SnapshotCounts, SnapshotSession


@dataclass(frozen=True, slots=True)
class UnusedSnapshot:
    """Snapshots no test of this run asked for: some names of a file, or the whole file."""

    path: Path
    names: tuple[str, ...]
    whole_file: bool

    def __str__(self) -> str:
        return str(self.path) if self.whole_file else f"{self.path}: {', '.join(self.names)}"


def find_unused(session: SnapshotSession) -> list[UnusedSnapshot]:
    """Unused names in files whose tests all passed, then unclaimed files of complete folders."""
    found = [
        unused
        for path, passed in sorted(session.owners_passed.items())
        if passed and path not in session.unjudged
        for unused in [_unused_names(Path(path), session.asserted.get(path, set()))]
        if unused is not None
    ]
    for folder in sorted(session.folders - session.partial_folders):
        for file in sorted(Path(folder).glob(f"*{SNAPSHOT_SUFFIX}")):
            if str(file) not in session.claimed:
                found.append(UnusedSnapshot(file, tuple(_names_in(file)), whole_file=True))
    return found


def _names_in(path: Path) -> list[str]:
    """Names stored in a file; an unreadable file has none to judge (its test reports the problem)."""
    try:
        return list(read_snapshots(path))
    except SnapshotError:
        return []


def _unused_names(path: Path, asserted: set[str]) -> UnusedSnapshot | None:
    stored = _names_in(path)
    stale = tuple(name for name in stored if name not in asserted)
    return UnusedSnapshot(path, stale, whole_file=len(stale) == len(stored)) if stale else None


def delete_unused(unused: Sequence[UnusedSnapshot]) -> None:
    """Remove unused names (and files left empty); only called after a green run. What is left of a
    file is written through the gate like any other write."""
    gate = Gate(KnownSecrets.from_env(), RedactionRules.default().patterns)
    for snapshot in unused:
        if snapshot.whole_file:
            snapshot.path.unlink(missing_ok=True)
        else:
            remove_snapshots(snapshot.path, snapshot.names, gate)


@dataclass(frozen=True, slots=True)
class SnapshotReport:
    """What the terminal summary prints."""

    counts: SnapshotCounts
    unused: tuple[UnusedSnapshot, ...] = ()
    judged_unused: bool = True  # False when the run stopped early: unused cannot be told
    deleted: bool = False
    refused_delete: bool = False  # deletion was asked for but the run was not green
    refused_in_ci: bool = False  # deletion was asked for with CI set

    @property
    def summary(self) -> str:
        c = self.counts
        unused = str(len(self.unused)) if self.judged_unused else "?"
        pending = f", {c.pending} pending" if c.pending else ""
        return (
            f"convreplay snapshots: {c.checked} checked, {c.written} written, {c.updated} updated, "
            f"{c.failed} failed, {unused} unused{pending}"
        )

    def lines(self) -> list[str]:
        if not (self.counts.checked or self.unused):
            return []
        lines = [self.summary]
        if self.unused:
            verb = "deleted" if self.deleted else "unused"
            lines += [f"  {verb}: {snapshot}" for snapshot in self.unused]
        if self.counts.pending:
            lines.append(
                "  review pending snapshots with: convreplay review (or --accept-all / --reject-all)"
            )
        if self.refused_delete:
            lines.append("  not deleting unused snapshots: the run was not green; fix the failures first")
        elif self.refused_in_ci:
            lines.append("  not deleting unused snapshots: CI is set; delete them locally and commit")
        elif self.unused and not self.deleted:
            lines.append("  delete them with: pytest --convreplay-delete-unused (after a green full run)")
        if not self.judged_unused:
            lines.append("  unused snapshots are not judged: the run stopped early")
        return lines


def finish_session(
    session: SnapshotSession, *, green: bool, complete: bool, delete: bool, ci: bool = False
) -> SnapshotReport:
    """Decide the end of the run: find unused snapshots, delete them only if asked, green and not
    in CI (CI checks what was committed and never writes a snapshot file, nor deletes one)."""
    if not complete:
        return SnapshotReport(session.counts, judged_unused=False, refused_delete=delete)
    unused = tuple(find_unused(session))
    deleting = delete and green and not ci
    if deleting and unused:
        delete_unused(unused)
    return SnapshotReport(
        session.counts,
        unused,
        deleted=deleting,
        refused_delete=delete and not green,
        refused_in_ci=delete and green and ci,
    )
