"""The end of a run: unused snapshots found (only where the run could see every owner), deleted
only when asked after a green run, and the summary line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config.paths import SNAPSHOT_SUFFIX
from ..errors import SnapshotError
from .session import SnapshotCounts, SnapshotSession, module_of

# The YAML stages and the gate load only where a snapshot file is read or rewritten: every run
# ends here, and one that has no snapshot file to judge should not pay for them.


@dataclass(frozen=True, slots=True)
class UnusedSnapshot:
    """Snapshots no test of this run asked for: some names of a file, or the whole file."""

    path: Path
    names: tuple[str, ...]
    whole_file: bool

    def __str__(self) -> str:
        return str(self.path) if self.whole_file else f"{self.path}: {', '.join(self.names)}"


def find_unused(session: SnapshotSession) -> list[UnusedSnapshot]:
    """Unused names of every snapshot file the run can judge (see :class:`_Judge`), whole files
    when no name in them is used."""
    judge = _Judge(session)
    return [unused for path in judge.candidates() if (unused := judge.unused(path)) is not None]


class _Judge:
    """Decides which snapshot files this run may judge: only those where every test that may own
    one is accounted for. The tests that may own a file are those that claim it in this run, those
    its header names as having written to it, and, for a file whose header names nobody (written
    by hand), every test whose file a fixture decides and which did not run through. A test is
    accounted for when its last attempt ran and passed (its names count as used), or when it is
    gone: its test file was deleted, or was collected in full without it. A file no test of this
    run claims is judged only when its module's tests were all collected and all ran."""

    def __init__(self, session: SnapshotSession) -> None:
        self.session = session
        self.claims: dict[str, list[str]] = {}
        session.resolve_claims()
        for nodeid, test in session.tests.items():
            if test.path:  # NO_FILE claims nothing
                self.claims.setdefault(test.path, []).append(nodeid)
        self.unresolved = tuple(nodeid for nodeid, test in session.tests.items() if not test.resolved)
        by_module: dict[str, list[bool]] = {}
        for test in session.tests.values():
            by_module.setdefault(test.module, []).append(test.finished)
        self.ran_in_full = {
            record.folder: module
            for module, record in session.modules.items()
            if record.collected_in_full and all(by_module.get(module, ()))
        }

    def candidates(self) -> list[str]:
        """Claimed files, and every snapshot file in the cassette folder of a collected module."""
        found = set(self.claims)
        for module in self.session.modules.values():
            found.update(str(file) for file in Path(module.folder).glob(f"*{SNAPSHOT_SUFFIX}"))
        return sorted(path for path in found if Path(path).is_file())

    def unused(self, path: str) -> UnusedSnapshot | None:
        claimants = self.claims.get(path, [])
        if not claimants and str(Path(path).parent) not in self.ran_in_full:
            return None
        from ..storage.snapshots import read_owners

        writers = set(read_owners(Path(path)))
        owners = set(claimants) | (writers or set(self.unresolved))
        if not all(self._accounted_for(owner) for owner in owners):
            return None
        used = set().union(*(self.session.tests[nodeid].asserted for nodeid in claimants))
        stored = _names_in(Path(path))
        stale = tuple(name for name in stored if name not in used)
        return UnusedSnapshot(Path(path), stale, whole_file=len(stale) == len(stored)) if stale else None

    def _accounted_for(self, nodeid: str) -> bool:
        test = self.session.tests.get(nodeid)
        if test is not None:
            return test.finished and test.passed
        module = module_of(nodeid)
        record = self.session.modules.get(module)
        if record is not None and record.collected_in_full:
            return True  # its file was collected in full, and it is not there
        return not (Path(self.session.rootdir) / module).exists()


def _names_in(path: Path) -> list[str]:
    """Names stored in a file; an unreadable file has none to judge (its test reports the problem)."""
    from ..storage.snapshots import read_snapshots

    try:
        return list(read_snapshots(path))
    except SnapshotError:
        return []


def delete_unused(unused: Sequence[UnusedSnapshot]) -> None:
    """Remove unused names (and files left empty); only called after a green run. What is left of a
    file is written through the gate like any other write."""
    from ..gate import Gate, KnownSecrets
    from ..rules.redaction import RedactionRules
    from ..storage.snapshots import remove_snapshots

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
