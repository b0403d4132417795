"""What a test session did with snapshots: counts, unused snapshots, deletion, the summary line.

Unused detection only judges what the run could see. A snapshot name is unused when every test
owning its file passed and none asked for it; a whole file is unused when it lies in the
cassette folder of a module collected in full (no node id narrowed it, no test of it was
deselected by ``-k``, ``-m``, ``--deselect`` or ``--lf``) and no collected test claims it.
Everything is kept as plain data so xdist workers can hand it to the controller, which merges
and reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SnapshotError
from .snapshot import SNAPSHOT_SUFFIX, SnapshotCheck, SnapshotState, read_snapshots, remove_snapshots

WORKER_OUTPUT_KEY = "convreplay_snapshots"


@dataclass(slots=True)
class SnapshotCounts:
    """How many checks ran and how they ended (the summary line)."""

    checked: int = 0
    written: int = 0
    updated: int = 0
    failed: int = 0

    def add(self, check: SnapshotCheck) -> None:
        self.checked += 1
        self.written += check.written and check.state is SnapshotState.NEW
        self.updated += check.written and check.state is SnapshotState.CHANGED
        self.failed += not check.passed


@dataclass(frozen=True, slots=True)
class UnusedSnapshot:
    """Snapshots no test of this run asked for: some names of a file, or the whole file."""

    path: Path
    names: tuple[str, ...]
    whole_file: bool

    def __str__(self) -> str:
        return str(self.path) if self.whole_file else f"{self.path}: {', '.join(self.names)}"


@dataclass(slots=True)
class SnapshotSession:
    """The session's tracker; paths are kept as strings so the state crosses process boundaries."""

    counts: SnapshotCounts = field(default_factory=SnapshotCounts)
    asserted: dict[str, set[str]] = field(default_factory=dict)
    owners_passed: dict[str, bool] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    partial_folders: set[str] = field(default_factory=set)
    unjudged: set[str] = field(default_factory=set)

    # --- what happens during the run ------------------------------------------------------------

    def record(self, check: SnapshotCheck) -> None:
        self.counts.add(check)
        self.asserted.setdefault(str(check.path), set()).add(check.name)

    def claim(self, path: Path, *, folder: Path, complete: bool, selected: bool, shared: bool) -> None:
        """A collected test may own ``path``; ``complete`` is False when its module was narrowed,
        ``shared`` when the file is not the test's own (``snapshot_file=``), so other tests may use it.

        A file's names are not judged when one of its owners did not run: deselected, or maybe not
        even collected (a shared file in a module a node id narrowed)."""
        self.claimed.add(str(path))
        (self.folders if complete else self.partial_folders).add(str(folder))
        if not selected or (shared and not complete):
            self.unjudged.add(str(path))

    def finish_test(self, path: Path, *, passed: bool) -> None:
        """A test owning ``path`` ran; its names are judged only if every owner passed."""
        key = str(path)
        self.claimed.add(key)
        self.owners_passed[key] = self.owners_passed.get(key, True) and passed

    # --- xdist ------------------------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """Plain lists and dicts, what execnet can send from a worker."""
        return {
            "counts": dataclasses.asdict(self.counts),
            "asserted": {path: sorted(names) for path, names in self.asserted.items()},
            "owners_passed": dict(self.owners_passed),
            "claimed": sorted(self.claimed),
            "folders": sorted(self.folders),
            "partial_folders": sorted(self.partial_folders),
            "unjudged": sorted(self.unjudged),
        }

    def merge(self, data: Mapping[str, Any]) -> None:
        """Add a worker's ``to_data``: counts add up, an owner passed only if it passed everywhere."""
        for name, value in data["counts"].items():
            setattr(self.counts, name, getattr(self.counts, name) + value)
        for path, names in data["asserted"].items():
            self.asserted.setdefault(path, set()).update(names)
        for path, passed in data["owners_passed"].items():
            self.owners_passed[path] = self.owners_passed.get(path, True) and passed
        self.claimed.update(data["claimed"])
        self.folders.update(data["folders"])
        self.partial_folders.update(data["partial_folders"])
        self.unjudged.update(data["unjudged"])

    # --- the end of the run ----------------------------------------------------------------------

    def unused(self) -> list[UnusedSnapshot]:
        """Unused names in files whose tests all passed, then unclaimed files of complete folders."""
        found = [
            unused
            for path, passed in sorted(self.owners_passed.items())
            if passed and path not in self.unjudged
            for unused in [_unused_names(Path(path), self.asserted.get(path, set()))]
            if unused is not None
        ]
        for folder in sorted(self.folders - self.partial_folders):
            for file in sorted(Path(folder).glob(f"*{SNAPSHOT_SUFFIX}")):
                if str(file) not in self.claimed:
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


def narrowed_modules(args: Iterable[str], invocation_dir: Path) -> set[Path]:
    """Test files a node id on the command line narrowed (``tests/test_a.py::test_x``)."""
    return {(invocation_dir / arg.split("::", 1)[0]).resolve() for arg in args if "::" in arg}


def delete_unused(unused: Sequence[UnusedSnapshot]) -> None:
    """Remove unused names (and files left empty); only called after a green run."""
    for snapshot in unused:
        if snapshot.whole_file:
            snapshot.path.unlink(missing_ok=True)
        else:
            remove_snapshots(snapshot.path, snapshot.names)


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
        return (
            f"convreplay snapshots: {c.checked} checked, {c.written} written, {c.updated} updated, "
            f"{c.failed} failed, {unused} unused"
        )

    def lines(self) -> list[str]:
        if not (self.counts.checked or self.unused):
            return []
        lines = [self.summary]
        if self.unused:
            verb = "deleted" if self.deleted else "unused"
            lines += [f"  {verb}: {snapshot}" for snapshot in self.unused]
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
    unused = tuple(session.unused())
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
