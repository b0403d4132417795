"""Which tests may own which snapshot files (collection, attempts, outcomes), and the end of the run."""

from __future__ import annotations

import functools
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from ..config.options import (
    running_in_ci,
)
from ..config.paths import default_snapshot_path
from ..snapshot.items import SnapshotClaims, location, note_collected
from ..snapshot.session import WORKER_OUTPUT_KEY, module_of
from .keys import (
    CALL_EXCEPTION,
    COLLECTION,
    DRIFT_HOOKS,
    INI,
    PRODUCED,
    RECORDING,
    REPORT,
    SESSION,
    SNAPSHOTS,
    TEST_FAILED,
)

if TYPE_CHECKING:
    from ..drift.run import DriftHooks


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    """Note what each collector produced before any other plugin filters the report (``--lf``
    drops a module's passed tests here, without deselecting them): only a test known to exist can
    be known not to have run. Innermost of the wrappers, so it sees the collector's own result."""
    report: pytest.CollectReport = yield
    note_collected(collector, report, collector.config.stash[COLLECTION], collector.config.stash[PRODUCED])
    return report


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    tracker = config.stash[SESSION]
    tracker.rootdir = str(config.rootpath)
    produced = config.stash[PRODUCED]
    produced.update((item.nodeid, item) for item in session.items)  # a plugin may add tests
    cassette_dir = config.getini("convreplay_cassette_dir")
    modules: dict[str, pytest.Item] = {}
    for item in produced.values():
        modules.setdefault(module_of(item.nodeid), item)
    folders = {
        module: str(default_snapshot_path(location(item), cassette_dir).parent)
        for module, item in modules.items()
    }
    claims = SnapshotClaims(config.stash[INI], folders)
    ambiguous = config.stash[COLLECTION].ambiguous
    for nodeid, item in produced.items():
        if nodeid in ambiguous:
            tracker.collect(nodeid, ambiguous=True)
        else:
            tracker.collect(nodeid, claim=functools.partial(claims.path_of, item))
    in_full = config.stash[COLLECTION].modules_collected_in_full(set(modules))
    for module, folder in folders.items():
        tracker.collect_module(module, folder=folder, collected_in_full=module in in_full)
    config.stash[PRODUCED] = {}


def start_attempt(item: pytest.Item) -> None:
    """Each attempt starts afresh: a rerun (pytest-rerunfailures) asserts ``default`` again, not
    ``default.2``, and its outcome replaces the earlier attempt's."""
    attempt_keys: tuple[pytest.StashKey[Any], ...] = (SNAPSHOTS, TEST_FAILED, RECORDING, CALL_EXCEPTION)
    for key in attempt_keys:
        if key in item.stash:
            del item.stash[key]
    item.config.stash[SESSION].start_attempt(item.nodeid)


def _finish_test(item: pytest.Item, report: pytest.TestReport) -> None:
    if not report.passed:
        item.stash[TEST_FAILED] = True
    if report.when == "teardown":
        passed = not item.stash.get(TEST_FAILED, False)
        drift: DriftHooks | None = item.config.pluginmanager.get_plugin(DRIFT_HOOKS)
        if drift is not None:
            drift.run.finish_test(item.nodeid, passed=passed)
        item.config.stash[SESSION].finish_test(item.nodeid, passed=passed)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller merges and reports
        config.workeroutput[WORKER_OUTPUT_KEY] = config.stash[SESSION].to_data()
        return
    if config.pluginmanager.has_plugin(DRIFT_HOOKS):  # snapshots went to the scratch folder: see its summary
        return
    from ..snapshot.report import finish_session

    config.stash[REPORT] = finish_session(
        config.stash[SESSION],
        green=exitstatus == pytest.ExitCode.OK,
        complete=exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        and not (session.shouldstop or session.shouldfail),
        delete=config.getoption("--convreplay-delete-unused"),
        ci=running_in_ci(),
    )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist controller: add a finished worker's snapshot bookkeeping to the session's."""
    data: Mapping[str, Any] | None = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
    if data is not None:
        node.config.stash[SESSION].merge(data)
