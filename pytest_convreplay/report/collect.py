"""A run's snapshot checks that did not match, as comparisons for ``--convreplay-report``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..errors import shown_path
from ..gate import Gate
from ..snapshot.check import SnapshotCheck
from ..snapshot.file import SnapshotFile
from ..snapshot.options import SnapshotOptions
from .model import Comparison, ComparisonKind


def comparison_of(check: SnapshotCheck, options: SnapshotOptions, gate: Gate) -> Comparison | None:
    """The check as a comparison, or None when it matched. The test's items have been seen by no
    gate yet (a failed check writes nothing): one that holds a secret this test knows is reported
    without its items, by where the secret is."""
    if check.taken is None:
        return None
    comparison = Comparison(
        test=options.test,
        kind=ComparisonKind.SNAPSHOT,
        name=check.name,
        old=check.stored,
        new=check.taken,
        old_path=shown_path(check.path),
        masks=tuple(mask.selector for mask in options.masks),
        renumber=options.renumber_ids,
        premasked=True,
        note="written" if check.written else "pending review" if check.pending else "",
    )
    data = comparison.to_data()
    findings = gate.findings(data, "", path=shown_path(check.path))
    if not findings:
        return comparison
    places = "; ".join(str(finding) for finding in findings)
    return Comparison(
        test=options.test,
        kind=ComparisonKind.SNAPSHOT,
        name=check.name,
        old=[],
        new=[],
        old_path=comparison.old_path,
        note=f"items not shown: they hold a secret ({places}); mask that field with the masks option",
    )


WORKER_OUTPUT_KEY = "convreplay_report"


class ReportHooks:
    """``--convreplay-report=PATH`` in an ordinary run: the snapshot checks that did not match."""

    def __init__(self, path: Path, gate: Gate) -> None:
        self.path = path
        self.gate = gate
        self.comparisons: list[Comparison] = []
        self.written = False

    def listener(self, file: SnapshotFile) -> Callable[[SnapshotCheck], None]:
        """``file``'s check listener, extended to keep the checks that did not match."""
        then = file.on_check

        def on_check(check: SnapshotCheck) -> None:
            then(check)
            comparison = comparison_of(check, file.options, file.gate())
            if comparison is not None:
                self.comparisons.append(comparison)

        return on_check

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        data = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        self.comparisons += [Comparison.from_data(raw) for raw in data or ()]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workeroutput"):
            config.workeroutput[WORKER_OUTPUT_KEY] = [c.to_data() for c in self.comparisons]
            return
        from .html import write_report

        comparisons = sorted(self.comparisons, key=lambda c: (c.test, c.name))
        write_report(
            self.path,
            comparisons,
            self.gate,
            title="convreplay snapshot report",
            source=f"{len(comparisons)} snapshot check(s) that did not match, in {config.rootpath}",
            sides=("committed", "this run"),
        )
        self.written = True

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.written:
            terminalreporter.write_line(f"convreplay report: {self.path}")
