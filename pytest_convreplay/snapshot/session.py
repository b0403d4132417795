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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import SnapshotCheck, SnapshotState

WORKER_OUTPUT_KEY = "convreplay_snapshots"


@dataclass(slots=True)
class SnapshotCounts:
    """How many checks ran and how they ended (the summary line)."""

    checked: int = 0
    written: int = 0
    updated: int = 0
    failed: int = 0
    pending: int = 0

    def add(self, check: SnapshotCheck) -> None:
        self.checked += 1
        self.written += check.written and check.state is SnapshotState.NEW
        self.updated += check.written and check.state is SnapshotState.CHANGED
        self.failed += not check.passed
        self.pending += check.pending


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


def narrowed_modules(args: Iterable[str], invocation_dir: Path) -> set[Path]:
    """Test files a node id on the command line narrowed (``tests/test_a.py::test_x``)."""
    return {(invocation_dir / arg.split("::", 1)[0]).resolve() for arg in args if "::" in arg}
