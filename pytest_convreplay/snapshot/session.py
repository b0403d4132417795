"""What a test session did with snapshots: which tests were collected, which ran, what they checked.

Unused detection (``report.find_unused``) only judges what this bookkeeping can prove. Every test
the collectors produced is recorded, before any plugin narrows the run (``--lf`` filters a module's
items without deselecting them, a conftest's ``pytest_collection_modifyitems`` may drop some,
``-k``, ``-m``, ``--deselect``, ``--sw``, node ids and sharding plugins narrow further), together
with its snapshot file when collection can tell it; a test whose file a ``convreplay_config``
fixture decides has it recorded when it runs. Only the last attempt of a rerun test counts.
Everything is plain data, so xdist workers can hand it to the controller, which merges and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .check import SnapshotCheck, SnapshotState

WORKER_OUTPUT_KEY = "convreplay_snapshots"
NO_FILE = ""
"""A test's snapshot file when it is known to be none that exists: its module's cassette folder
holds no snapshot file, and nothing but the test itself could have put one there."""


@dataclass(slots=True)
class SnapshotCounts:
    """How many checks ran and how they ended (the summary line)."""

    checked: int = 0
    written: int = 0
    updated: int = 0
    failed: int = 0
    pending: int = 0


@dataclass(slots=True)
class TestRecord:
    """One collected test: its module, its snapshot file and how its last attempt went."""

    __test__ = False  # a "Test…" name pytest must not collect

    module: str  # the file part of its node id
    path: str | None = None  # its snapshot file; None until known (a fixture may decide it)
    # (NO_FILE: a file in its module's cassette folder, which holds no snapshot file)
    finished: bool = False  # its last attempt reached the end of teardown
    passed: bool = True  # every phase of its last attempt passed
    asserted: set[str] = field(default_factory=set)  # names its last attempt checked
    outcomes: list[tuple[str, bool]] = field(default_factory=list)  # (state, passed) per check
    written: dict[str, str] = field(default_factory=dict)  # name -> state, over every attempt
    pending: set[str] = field(default_factory=set)  # names its last attempt left pending for review
    ambiguous: bool = False  # another collected test has its node id: never accounted for
    claim: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)
    """How to tell ``path`` from what collection saw, asked only when the run is judged: working
    it out for every collected test would cost a suite that never uses the plugin."""

    @property
    def resolved(self) -> bool:
        """Its snapshot file is known, or it ran through and so used none."""
        return self.path is not None or (self.finished and self.passed)

    def to_data(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "path": self.path,
            "finished": self.finished,
            "passed": self.passed,
            "asserted": sorted(self.asserted),
            "outcomes": [list(outcome) for outcome in self.outcomes],
            "written": dict(self.written),
            "pending": sorted(self.pending),
            "ambiguous": self.ambiguous,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TestRecord:
        return cls(
            module=data["module"],
            path=data["path"],
            finished=data["finished"],
            passed=data["passed"],
            asserted=set(data["asserted"]),
            outcomes=[(state, passed) for state, passed in data["outcomes"]],
            written=dict(data["written"]),
            pending=set(data["pending"]),
            ambiguous=data["ambiguous"],
        )

    def merge(self, other: TestRecord) -> None:
        """The same test seen by another process: it ran when it ran anywhere (``--dist load``),
        it passed only if it passed everywhere it ran (``--dist each``)."""
        if other.finished:
            self.passed = other.passed and (self.passed or not self.finished)
            self.finished = True
            self.asserted |= other.asserted
            self.outcomes += other.outcomes
            self.pending |= other.pending
        self.path = self.path or other.path
        self.written = {**other.written, **self.written}
        self.ambiguous = self.ambiguous or other.ambiguous


@dataclass(slots=True)
class ModuleRecord:
    """A collected test file: its cassette folder, and whether every test in it was collected."""

    folder: str
    collected_in_full: bool


@dataclass(slots=True)
class SnapshotSession:
    """The session's tracker: tests by node id, their modules, and the rootdir node ids start from."""

    rootdir: str = ""
    tests: dict[str, TestRecord] = field(default_factory=dict)
    modules: dict[str, ModuleRecord] = field(default_factory=dict)

    # --- collection ----------------------------------------------------------------------------

    def collect(
        self,
        nodeid: str,
        *,
        path: str | None = None,
        claim: Callable[[], str | None] | None = None,
        ambiguous: bool = False,
    ) -> None:
        """A collected test; ``path`` is its snapshot file when collection can tell it, or
        ``claim`` tells it when asked (:meth:`resolve_claims`; ``NO_FILE``: none that exists).
        ``ambiguous``: several tests have this node id (pytest gives files outside the rootdir
        such ids), so what it did cannot be told apart."""
        self.tests.setdefault(nodeid, TestRecord(module_of(nodeid), path, ambiguous=ambiguous, claim=claim))

    def resolve_claims(self) -> None:
        """Work out the snapshot file of every collected test whose test has not said it itself:
        before the run is judged or handed to the xdist controller."""
        for test in self.tests.values():
            if test.claim is not None:
                claim, test.claim = test.claim, None
                test.path = test.path or claim()

    def collect_module(self, module: str, *, folder: str, collected_in_full: bool) -> None:
        self.modules.setdefault(module, ModuleRecord(folder, collected_in_full))

    # --- what happens during the run ------------------------------------------------------------

    def _test(self, nodeid: str) -> TestRecord:
        """A test the collection did not report (added later by a plugin) is recorded when it runs."""
        return self.tests.setdefault(nodeid, TestRecord(module_of(nodeid)))

    def start_attempt(self, nodeid: str) -> None:
        """A test starts (again: a rerun forgets what its earlier attempts checked, not what they wrote)."""
        test = self._test(nodeid)
        test.finished, test.passed = False, True
        test.asserted, test.outcomes, test.pending = set(), [], set()

    def uses(self, nodeid: str, path: str) -> None:
        """The test's snapshot file, as its settings say while it runs."""
        test = self._test(nodeid)
        test.path, test.claim = path, None

    def record(self, nodeid: str, check: SnapshotCheck) -> None:
        test = self._test(nodeid)
        test.path, test.claim = str(check.path), None
        test.asserted.add(check.name)
        test.outcomes.append((check.state.value, check.passed))
        if check.written:
            test.written.setdefault(check.name, check.state.value)
        if check.pending:
            test.pending.add(check.name)

    def finish_test(self, nodeid: str, *, passed: bool) -> None:
        test = self._test(nodeid)
        test.finished, test.passed = not test.ambiguous, passed

    # --- the summary -----------------------------------------------------------------------------

    @property
    def counts(self) -> SnapshotCounts:
        """Checks of each test's last attempt; names written by any attempt."""
        counts = SnapshotCounts()
        for test in self.tests.values():
            counts.checked += len(test.outcomes)
            counts.failed += sum(not passed for _, passed in test.outcomes)
            counts.written += sum(state == SnapshotState.NEW for state in test.written.values())
            counts.updated += sum(state == SnapshotState.CHANGED for state in test.written.values())
            counts.pending += len(test.pending)
        return counts

    # --- xdist ------------------------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """Plain lists and dicts, what execnet can send from a worker."""
        self.resolve_claims()
        return {
            "rootdir": self.rootdir,
            "tests": {nodeid: test.to_data() for nodeid, test in self.tests.items()},
            "modules": {
                module: [record.folder, record.collected_in_full] for module, record in self.modules.items()
            },
        }

    def merge(self, data: Mapping[str, Any]) -> None:
        """Add a worker's ``to_data``: each worker collected the whole run and ran its share."""
        self.rootdir = self.rootdir or data["rootdir"]
        for nodeid, test in data["tests"].items():
            incoming = TestRecord.from_data(test)
            if nodeid in self.tests:
                self.tests[nodeid].merge(incoming)
            else:
                self.tests[nodeid] = incoming
        for module, (folder, in_full) in data["modules"].items():
            known = self.modules.setdefault(module, ModuleRecord(folder, in_full))
            known.collected_in_full = known.collected_in_full and in_full


@dataclass(slots=True)
class CollectionLog:
    """What the collectors produced, seen before any plugin filters their reports."""

    collectors_seen: set[str] = field(default_factory=set)  # collectors some report listed
    collectors_done: set[str] = field(default_factory=set)  # collectors whose own report came in
    ambiguous: set[str] = field(default_factory=set)  # node ids several produced tests share

    def modules_collected_in_full(self, modules: set[str]) -> set[str]:
        """The test files whose own collection and every collection below them ran: a node id
        (``test_a.py::TestX``) leaves the file's other classes uncollected."""
        pending = {module_of(nodeid) for nodeid in self.collectors_seen - self.collectors_done}
        pending |= {module_of(nodeid) for nodeid in self.ambiguous}
        return {module for module in modules if module in self.collectors_done and module not in pending}


def module_of(nodeid: str) -> str:
    """``tests/test_a.py`` of ``tests/test_a.py::TestX::test_y[1]``."""
    return nodeid.split("::", 1)[0]
