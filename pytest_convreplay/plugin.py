"""pytest glue: options, markers, fixtures and hooks; every decision lives in the modules it calls.

Start-up stays light: vcrpy, the emulator, the item models and the YAML stages are imported only
when a test uses the plugin, so a suite that never does pays almost nothing for having it installed.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from .config.options import (
    INI_OPTIONS,
    IniSource,
    Source,
    build_settings,
    convert_options,
    ini_source,
    read_ini,
    record_mode_in_force,
    running_in_ci,
)
from .config.paths import default_snapshot_path
from .config.settings import RecordMode, Settings
from .errors import ConfigError, ConvreplayError, ConvreplayWarning, SnapshotMismatch
from .snapshot.items import known_snapshot_path, location, marker_options, note_collected, warnings_at
from .snapshot.session import WORKER_OUTPUT_KEY, CollectionLog, SnapshotSession, module_of

if TYPE_CHECKING:
    from .drift.run import DriftHooks
    from .emulator import ConversationsEmulator
    from .record.handle import CassetteHandle
    from .record.recording import Recording
    from .report.collect import ReportHooks
    from .snapshot.assertion import SnapshotAssertion
    from .snapshot.file import SnapshotFile
    from .snapshot.report import SnapshotReport

CALL_EXCEPTION = pytest.StashKey[BaseException | None]()
RECORDING: pytest.StashKey[Recording] = pytest.StashKey()
SNAPSHOTS: pytest.StashKey[SnapshotFile] = pytest.StashKey()
TEST_FAILED = pytest.StashKey[bool]()
SESSION = pytest.StashKey[SnapshotSession]()
COLLECTION = pytest.StashKey[CollectionLog]()
PRODUCED = pytest.StashKey[dict[str, pytest.Item]]()  # every test the collectors produced, by node id
REPORT: pytest.StashKey[SnapshotReport] = pytest.StashKey()
INI = pytest.StashKey[Mapping[str, Any]]()  # the project's ini options, converted once at start-up
INI_SOURCE = pytest.StashKey[IniSource]()
RUN_STARTED = pytest.StashKey[int]()  # time.time_ns() when this pytest run (or its xdist controller) began
RUN_STARTED_KEY = "convreplay_run_started_ns"
DRIFT_HOOKS, REPORT_HOOKS = "convreplay-drift", "convreplay-report"  # plugin names, registered when asked


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convreplay", "record, replay and snapshot OpenAI conversation items")
    group.addoption(
        "--convreplay-record-mode",
        choices=[mode.value for mode in RecordMode],
        default=None,
        help="none (default: replay only; the network is blocked for tests that use the plugin), once, "
        "new_episodes or all",
    )
    group.addoption(
        "--convreplay-block-network",
        action="store_true",
        default=None,
        help="block connections off this machine for every test, also those that use no cassette "
        "(loopback and convreplay_allowed_hosts stay reachable); ini: convreplay_block_network",
    )
    group.addoption(
        "--convreplay-update", action="store_true", default=False, help="write new and changed snapshots"
    )
    group.addoption(
        "--convreplay-delete-unused",
        action="store_true",
        default=False,
        help="after a green run, delete the snapshots no selected test used",
    )
    group.addoption(
        "--convreplay-pending",
        action="store_true",
        default=False,
        help="leave new and changed snapshots as pending files beside the committed ones (convreplay review)",
    )
    group.addoption(
        "--convreplay-drift",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="re-record every convreplay test into DIR (default: under the pytest cache) and report what "
        "drifted from the committed cassettes and snapshots, which are not touched; exit status 6 when "
        "something drifted and no test failed",
    )
    group.addoption(
        "--convreplay-report",
        default=None,
        metavar="PATH",
        help="write an HTML report of the item-level differences: a drift run's, or the unmatched snapshots",
    )
    parser.addini("convreplay_cassette_dir", "cassette folder, relative to the rootdir", default="cassettes")
    parser.addini(
        "convreplay_block_network",
        "block the network for every test (see --convreplay-block-network)",
        "bool",
    )
    for name, ini_type in INI_OPTIONS.items():
        help_text = f"default for the convreplay option {name}"
        parser.addini(f"convreplay_{name}", help_text, type=ini_type, default=None)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "convreplay(**options): run the test under a cassette (record/replay items-list traffic)",
    )
    overridden = frozenset(
        entry.partition("=")[0].strip().removeprefix("convreplay_")
        for entry in config.option.override_ini or ()
    )
    config.stash[INI_SOURCE] = ini_source(config.inipath, overridden)
    try:  # one start-up error for a bad ini value, not one per test
        config.stash[INI] = read_ini(config.getini, config.stash[INI_SOURCE])
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SESSION] = SnapshotSession()
    config.stash[COLLECTION] = CollectionLog()
    config.stash[PRODUCED] = {}
    _CONFIG["config"] = config
    # xdist workers take the controller's start, so "written during this run" means the same on all.
    started = getattr(config, "workerinput", {}).get(RUN_STARTED_KEY)
    config.stash[RUN_STARTED] = time.time_ns() if started is None else int(started)
    if config.getoption("--convreplay-drift") is not None or config.getoption("--convreplay-report"):
        from .drift.run import register_hooks  # the drift and report stages load only when asked for

        try:
            register_hooks(config, config.stash[INI])
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: hand the run's start time to each worker."""
    node.workerinput[RUN_STARTED_KEY] = node.config.stash[RUN_STARTED]


def pytest_report_header(config: pytest.Config) -> str:
    """The record mode tests will really use: in CI only the command line can ask for recording."""
    cli_mode = config.getoption("--convreplay-record-mode")
    chosen = RecordMode(cli_mode) if cli_mode else config.stash[INI].get("record_mode", RecordMode.NONE)
    mode = record_mode_in_force(chosen, explicit=cli_mode is not None, ci=running_in_ci())
    shown = mode.value
    if mode is not chosen:
        shown = f"none (CI is set: the ini's {chosen.value} applies off CI only)"
    elif running_in_ci() and cli_mode is None:
        shown += " (CI is set: record modes of markers and convreplay_config fixtures apply off CI only)"
    return f"convreplay: record mode {shown}, cassettes in {config.getini('convreplay_cassette_dir')}"


@pytest.fixture
def convreplay_config() -> dict[str, Any]:
    """Options for every test below this fixture's definition; override it in a conftest."""
    return {}


@pytest.fixture
def conversations_api() -> Iterator[ConversationsEmulator]:
    """A running Conversations API emulator per test: fresh state and the same id sequence, so
    recordings repeat."""
    from .emulator import ConversationsEmulator

    with ConversationsEmulator() as emulator:
        yield emulator


# --- settings ---------------------------------------------------------------------------------


def _fixture_source(request: pytest.FixtureRequest) -> Source:
    """``convreplay_config in tests/conftest.py``: the file of the definition in force."""
    try:
        definition = request._get_active_fixturedef("convreplay_config")  # pytest's own record of it
        file = inspect.getsourcefile(definition.func)
    except (AttributeError, TypeError, ValueError):
        file = None
    if file is None:
        return Source("convreplay_config fixture")
    return Source(f"convreplay_config in {os.path.relpath(file, request.config.rootpath)}")


def _settings(request: pytest.FixtureRequest) -> Settings:
    config = request.config
    node = request.node
    fixture = request.getfixturevalue("convreplay_config")
    cli_mode = config.getoption("--convreplay-record-mode")
    sources = [
        config.stash[INI_SOURCE],
        _fixture_source(request),
        Source(f"@pytest.mark.convreplay on {node.nodeid}"),
    ]
    settings = build_settings(
        location(node),
        [
            config.stash[INI],
            convert_options(fixture, sources[1]),
            convert_options(marker_options(node), sources[2]),
        ],
        sources=sources,
        cli_record_mode=RecordMode(cli_mode) if cli_mode else None,
        update_snapshots=config.getoption("--convreplay-update"),
        pending_snapshots=config.getoption("--convreplay-pending"),
        ci=running_in_ci(),
        cassette_dir=config.getini("convreplay_cassette_dir"),
    )
    config.stash[SESSION].uses(node.nodeid, str(settings.snapshot_path))
    drift: DriftHooks | None = config.pluginmanager.get_plugin(DRIFT_HOOKS)
    return settings if drift is None else drift.run.redirect(settings, node.nodeid)


# --- the cassette -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _convreplay_cassette(request: pytest.FixtureRequest) -> Iterator[Recording | None]:
    """Puts the test under its cassette when it has the marker or asks for the ``convreplay`` fixture."""
    if request.node.get_closest_marker("convreplay") is None and "convreplay" not in request.fixturenames:
        with _blocked_suite_wide(request) if _blocks_every_test(request.config) else contextlib.nullcontext():
            yield None
        return
    from .record.recording import Recording
    from .record.vcr import use_cassette

    recording = Recording(
        _settings(request), nodeid=request.node.nodeid, run_started_ns=request.config.stash[RUN_STARTED]
    )
    request.node.stash[RECORDING] = recording
    with use_cassette(recording):
        yield recording
    error = request.node.stash.get(CALL_EXCEPTION, None)
    plugin_error = isinstance(error, ConvreplayError | KeyboardInterrupt) and not isinstance(
        error, SnapshotMismatch
    )
    if not plugin_error and not recording.refused:  # a snapshot mismatch is an ordinary test failure
        recording.save()


def _blocks_every_test(config: pytest.Config) -> bool:
    option = config.getoption("--convreplay-block-network")
    return bool(option if option is not None else config.getini("convreplay_block_network"))


def _blocked_suite_wide(request: pytest.FixtureRequest) -> contextlib.AbstractContextManager[None]:
    """``--convreplay-block-network`` for a test without a cassette: every host but loopback and
    ``convreplay_allowed_hosts`` is refused, the message naming the host and what to do."""
    from .replay.network import block_network, refusal_for_test_without_cassette

    nodeid = request.node.nodeid
    refusal = refusal_for_test_without_cassette(nodeid)
    return block_network(request.config.stash[INI].get("allowed_hosts", ()), nodeid, refusal=refusal)


@pytest.fixture
def convreplay(_convreplay_cassette: Recording | None) -> CassetteHandle:
    """The test's cassette, read-only: ``path``, ``mode``, ``conversations``, ``records``,
    ``requests``, ``interactions``."""
    from .record.handle import CassetteHandle

    assert _convreplay_cassette is not None
    return CassetteHandle(_convreplay_cassette)


# --- snapshots --------------------------------------------------------------------------------


def _snapshot_file(item: pytest.Item, settings: Settings) -> SnapshotFile:
    """The test's snapshot file, shared by ``conv_snapshot`` and the automatic snapshots."""
    file = item.stash.get(SNAPSHOTS, None)
    if file is None:
        from .snapshot.file import SnapshotFile
        from .snapshot.options import SnapshotOptions

        recording = item.stash.get(RECORDING, None)
        file = SnapshotFile(
            SnapshotOptions.from_settings(settings, test=item.nodeid),
            on_check=functools.partial(item.config.stash[SESSION].record, item.nodeid),
            known_secrets=recording.known_secrets if recording is not None else None,
        )
        report: ReportHooks | None = item.config.pluginmanager.get_plugin(REPORT_HOOKS)
        if report is not None:
            file.on_check = report.listener(file)
        item.stash[SNAPSHOTS] = file
    return file


@pytest.fixture
def conv_snapshot(
    request: pytest.FixtureRequest, _convreplay_cassette: Recording | None
) -> SnapshotAssertion:
    """``conv_snapshot.assert_match(items)`` / ``assert items == conv_snapshot`` against the test's
    ``<test name>.snapshot.yaml``; ``conv_snapshot["name"]`` for several snapshots per test."""
    from .snapshot.assertion import SnapshotAssertion

    settings = _convreplay_cassette.settings if _convreplay_cassette is not None else _settings(request)
    with warnings_at(request.node):
        return SnapshotAssertion(_snapshot_file(request.node, settings))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After a passing body: the pagination checks of what it recorded (so the test learns in its own
    call phase whether its cassette will be written), and with ``snapshot=True`` a snapshot of every
    conversation the test paginated."""
    __tracebackhide__ = True  # a mismatch is the test's failure, not this hook's
    try:
        yield
    finally:
        recording = item.stash.get(RECORDING, None)
        if recording is not None:  # monkeypatch.setenv values are gone by teardown, when it saves
            recording.note_environment()
    if recording is not None and not recording.refused:
        recording.check_pagination()
    if recording is not None and recording.settings.snapshot and not recording.refused:
        from .snapshot.assertion import assert_conversations

        with warnings_at(item):
            assert_conversations(_snapshot_file(item, recording.settings), recording.conversations)


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    import sys

    assertion = sys.modules.get(f"{__package__}.snapshot.assertion")  # no snapshot taken: not ours
    return assertion.explain_comparison(op, left, right) if assertion is not None else None


# --- which tests may own which snapshot files ----------------------------------------------------


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
    for nodeid, item in produced.items():
        ambiguous = nodeid in config.stash[COLLECTION].ambiguous
        tracker.collect(
            nodeid,
            path=None if ambiguous else known_snapshot_path(item, config.stash[INI]),
            ambiguous=ambiguous,
        )
        modules.setdefault(module_of(nodeid), item)
    in_full = config.stash[COLLECTION].modules_collected_in_full(set(modules))
    for module, item in modules.items():
        folder = default_snapshot_path(location(item), cassette_dir).parent
        tracker.collect_module(module, folder=str(folder), collected_in_full=module in in_full)
    config.stash[PRODUCED] = {}  # the items themselves are not needed any more


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
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
    from .snapshot.report import finish_session

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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    lines = report.lines() if report is not None else []
    mask = _egress(None, config) if lines else str
    for line in lines:
        terminalreporter.write_line(mask(line))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, ConvreplayError | ConvreplayWarning) and not isinstance(error, SnapshotMismatch):
        report.longrepr = str(error)  # the message names the file and what to do; a traceback adds nothing
    if call.when == "call":
        item.stash[CALL_EXCEPTION] = call.excinfo.value if call.excinfo else None
        recording = item.stash.get(RECORDING, None)
        if recording is not None and error is not None and report.failed:
            from .record.unreachable import unreachable_note

            note = unreachable_note(error, recording)
            if note is not None:
                report.sections.append(("convreplay", note))
        if recording is not None and recording.refused:
            # The client may have swallowed or wrapped the error; the test fails with our message anyway.
            report.outcome = "failed"
            report.longrepr = "\n\n".join(dict.fromkeys(map(str, recording.refused)))
    elif (
        call.when == "teardown"
        and isinstance(error, ConvreplayError)
        and not item.stash.get(TEST_FAILED, False)
    ):
        report.longrepr = f"the test passed, but its cassette was not written:\n{error}"
    if isinstance(error, ConvreplayError | ConvreplayWarning) or (
        isinstance(report.longrepr, str) and item.stash.get(RECORDING, None) is not None
    ):  # what the plugin says leaves through the egress gate (terminal, JUnit XML, xdist)
        report.longrepr = _egress(item)(str(report.longrepr))
    _finish_test(item, report)
    return report


def _egress(item: pytest.Item | None, config: pytest.Config | None = None) -> Callable[[str], str]:
    """How a message of the plugin leaves the process: every value the gate knows (the test's,
    learned while it ran, or the environment's and the project's) and every pattern hit masked."""
    from .gate.egress import message_gate

    recording = item.stash.get(RECORDING, None) if item is not None else None
    if recording is not None:
        return recording.gate().mask
    source = item.config if item is not None else config
    return message_gate(source.stash[INI] if source is not None else {})


@pytest.hookimpl(tryfirst=True)
def pytest_warning_recorded(warning_message: Any, nodeid: str) -> None:
    """A warning the plugin emits is masked before any reporter formats it."""
    message = warning_message.message
    if isinstance(message, ConvreplayWarning) and message.args:
        running = _RUNNING.get(nodeid)
        mask = _egress(running, None if running is not None else _CONFIG.get("config"))
        message.args = (mask(str(message.args[0])), *message.args[1:])


_RUNNING: dict[str, pytest.Item] = {}  # the test whose warnings are being recorded, by node id
_CONFIG: dict[str, pytest.Config] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    _RUNNING[item.nodeid] = item
    try:
        return (yield)
    finally:
        _RUNNING.pop(item.nodeid, None)
