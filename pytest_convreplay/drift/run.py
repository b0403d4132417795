"""The drift run inside pytest: every convreplay test re-recorded into the scratch folder, and at
the end the comparison, its manifest, its report and the run's exit status.

Each test's settings are redirected (record mode ``all``, cassette and snapshot file mirrored into
the scratch folder, snapshots written there): the committed files are only ever read, afterwards.
An explicit command-line request that writes nowhere else, it runs under CI too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ..config.settings import RecordMode, Settings
from ..errors import ConfigError, shown_path
from ..gate import Gate
from ..report.collect import ReportHooks
from ..report.html import INSTALL_HINT, report_available, write_report
from ..storage.atomic import cannot_write
from .compare import DriftResult, compare_entries
from .manifest import DriftEntry, DriftManifest
from .scratch import DEFAULT_FOLDER, DRIFT_EXIT_STATUS, Scratch

WORKER_OUTPUT_KEY = "convreplay_drift"


class DriftRun:
    """What a drift run has seen so far; plain data crosses from xdist workers to the controller."""

    def __init__(self, scratch: Scratch) -> None:
        self.scratch = scratch
        self._tests: dict[str, DriftEntry] = {}

    def start(self, cassette_dir: Path, gate: Gate) -> None:
        """Empty the scratch folder (only a drift run's own) and mark it as one."""
        self.scratch.prepare(cassette_dir)
        DriftManifest(str(self.scratch.rootdir)).write(self.scratch.manifest, gate)

    def redirect(self, settings: Settings, test: str) -> Settings:
        """The test's settings for the drift run: record everything, into the scratch folder."""
        self._tests.setdefault(
            test,
            DriftEntry(
                test,
                passed=True,
                cassette=self.scratch.pair(settings.cassette_path),
                snapshot=self.scratch.pair(settings.snapshot_path),
                masks=tuple(mask.selector for mask in settings.all_masks),
                renumber=settings.renumber_ids,
            ),
        )
        return dataclasses.replace(
            settings,
            cassette_path=self.scratch.mirror(settings.cassette_path),
            snapshot_path=self.scratch.mirror(settings.snapshot_path),
            record_mode=RecordMode.ALL,
            update_snapshots=True,
            pending_snapshots=False,
            ci=False,  # every file the test writes now is in the scratch folder
        )

    def finish_test(self, test: str, *, passed: bool) -> None:
        entry = self._tests.get(test)
        if entry is not None and not passed:
            self._tests[test] = dataclasses.replace(entry, passed=False)

    def to_data(self) -> list[dict[str, Any]]:
        return [entry.to_data() for entry in self._tests.values()]

    def merge(self, data: list[Mapping[str, Any]]) -> None:
        for raw in data:
            entry = DriftEntry.from_data(raw)
            known = self._tests.get(entry.test)
            self._tests[entry.test] = (
                entry if known is None else dataclasses.replace(known, passed=known.passed and entry.passed)
            )

    def conclude(self, gate: Gate, report: Path | None) -> DriftOutcome:
        """Compare, then write the manifest and the report (when Jinja2 is there or one was asked
        for) through the gate."""
        entries = sorted(self._tests.values(), key=lambda entry: entry.test)
        result = compare_entries(entries, self.scratch)
        DriftManifest(str(self.scratch.rootdir), entries, finished=True).write(self.scratch.manifest, gate)
        written: Path | None = None
        if report is not None or report_available():
            written = report or self.scratch.report
            when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            write_report(
                written,
                result.comparisons,
                gate,
                title="convreplay drift report",
                source=f"{len(result.tests)} test{'s' if len(result.tests) != 1 else ''} re-recorded {when} "
                f"into {self.scratch.root}, "
                f"compared with the committed files of {self.scratch.rootdir}",
                sides=("committed", "re-recorded"),
            )
        return DriftOutcome(result, self.scratch.root, written)


@dataclasses.dataclass(frozen=True, slots=True)
class DriftOutcome:
    result: DriftResult
    scratch: Path
    report: Path | None

    def exit_status(self, status: int) -> int:
        """A failure (or any other status) wins; a green run that drifted gets its own status."""
        return DRIFT_EXIT_STATUS if status == 0 and self.result.drifted else status

    def lines(self) -> list[str]:
        lines = self.result.lines(self.scratch, self.report)
        if self.report is None:
            lines.append("  no HTML report: pip install 'pytest-convreplay[report]' for one")
        return lines


class DriftHooks:
    """The drift run's pytest hooks, registered only when ``--convreplay-drift`` is given."""

    DIR_KEY = "convreplay_drift_dir"

    def __init__(self, run: DriftRun, *, gate: Gate, report: Path | None) -> None:
        self.run = run
        self.gate = gate
        self.report = report
        self.outcome: DriftOutcome | None = None
        self.status = 0

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist controller: workers write into the folder the controller prepared."""
        node.workerinput[self.DIR_KEY] = str(self.run.scratch.root)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        data = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if data is not None:
            self.run.merge(data)

    def pytest_report_header(self, config: pytest.Config) -> str:
        where = shown_path(self.run.scratch.root)
        return f"convreplay: drift check, re-recording every convreplay test into {where}"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        if hasattr(config, "workeroutput"):
            config.workeroutput[WORKER_OUTPUT_KEY] = self.run.to_data()
            return
        self.outcome = self.run.conclude(self.gate, self.report)
        self.status = self.outcome.exit_status(int(exitstatus))
        session.exitstatus = self.status

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.outcome is None:
            return
        for line in self.outcome.lines():
            terminalreporter.write_line(line)
        if self.status == DRIFT_EXIT_STATUS:
            terminalreporter.write_line(
                f"  exit status {DRIFT_EXIT_STATUS}: something drifted and no test failed"
            )


def default_scratch(config: pytest.Config, given: str) -> Scratch:
    """The folder a drift run records into: the one given (relative to where pytest was started),
    else ``convreplay-drift`` in pytest's cache folder."""
    if given:
        root = Path(config.invocation_params.dir, given)
    elif getattr(config, "cache", None) is not None:
        root = config.cache.mkdir(DEFAULT_FOLDER)
    else:  # -p no:cacheprovider (which also owns the cache_dir ini): where the cache would be
        root = Path(config.rootpath, ".pytest_cache", "d", DEFAULT_FOLDER)
    return Scratch(root.absolute(), Path(config.rootpath))


def run_gate(ini: Mapping[str, Any]) -> Gate:
    """What a run's own files (manifest, report) are checked against: the environment's secrets
    and those the project's ini declares, with its secret patterns."""
    from ..record.learned import known_secrets_for

    settings = Settings(cassette_path=Path(os.devnull), snapshot_path=Path(os.devnull), **ini)
    return Gate(known_secrets_for(settings), settings.redaction_rules().patterns)


def check_report_path(report: Path, given: str) -> None:
    """The report is written when the run ends: a path it cannot be written to is said at once.
    Missing folders are made then, as pytest does for ``--junitxml``."""
    problem = cannot_write(report)
    if problem == "it is a folder":
        example = shown_path(report / "report.html")
        raise ConfigError(
            f"--convreplay-report {given}: {problem}; name the HTML file to write, such as {example}"
        )
    if problem is not None:
        raise ConfigError(f"--convreplay-report {given}: cannot write {shown_path(report)}: {problem}")


def register_hooks(config: pytest.Config, ini: Mapping[str, Any]) -> None:
    """Register the drift run's hooks (``--convreplay-drift``) or the report's (``--convreplay-report``
    alone) under the names the plugin looks them up by."""
    given = config.getoption("--convreplay-report")
    report = Path(config.invocation_params.dir, given) if given else None
    if report is not None and not report_available():
        raise ConfigError(f"--convreplay-report: {INSTALL_HINT}")
    if report is not None and not hasattr(config, "workerinput"):  # the controller writes it, at the end
        check_report_path(report, given)
    gate = run_gate(ini)
    drift = config.getoption("--convreplay-drift")
    if drift is None:
        assert report is not None
        config.pluginmanager.register(ReportHooks(report, gate), "convreplay-report")
        return
    worker_dir = getattr(config, "workerinput", {}).get(DriftHooks.DIR_KEY)
    run = DriftRun(default_scratch(config, drift if worker_dir is None else worker_dir))
    if worker_dir is None:  # the controller (or a run without xdist) empties the folder, once
        run.start(Path(config.rootpath, str(config.getini("convreplay_cassette_dir"))), gate)
    config.pluginmanager.register(DriftHooks(run, gate=gate, report=report), "convreplay-drift")
