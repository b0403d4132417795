"""pytest glue: options, markers, fixtures and hooks; every decision lives in the modules it calls.

Start-up stays light: vcrpy, the emulator, the item models and the YAML stages are imported only
when a test uses the plugin, so a suite that never does pays almost nothing for having it installed.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .config.options import (
    INI_OPTIONS,
    Source,
    build_settings,
    convert_options,
    ini_source,
    read_ini,
    record_mode_in_force,
    running_in_ci,
)
from .config.paths import TestLocation, default_snapshot_path, resolve_file_option
from .config.settings import RecordMode, Settings
from .errors import ConfigError, ConvreplayError, SnapshotMismatch
from .snapshot.session import WORKER_OUTPUT_KEY, SnapshotSession, narrowed_modules

if TYPE_CHECKING:
    from .emulator import ConversationsEmulator
    from .record.handle import CassetteHandle
    from .record.recording import Recording
    from .snapshot.assertion import SnapshotAssertion
    from .snapshot.file import SnapshotFile
    from .snapshot.report import SnapshotReport

CALL_EXCEPTION = pytest.StashKey[BaseException | None]()
RECORDING: pytest.StashKey[Recording] = pytest.StashKey()
SNAPSHOTS: pytest.StashKey[SnapshotFile] = pytest.StashKey()
SNAPSHOT_PATH = pytest.StashKey[Path]()  # where a collected test's snapshots are, as far as collection knows
TEST_FAILED = pytest.StashKey[bool]()
SESSION = pytest.StashKey[SnapshotSession]()
REPORT: pytest.StashKey[SnapshotReport] = pytest.StashKey()
INI = pytest.StashKey[Mapping[str, Any]]()  # the project's ini options, converted once at start-up
RUN_STARTED = pytest.StashKey[int]()  # time.time_ns() when this pytest run (or its xdist controller) began
RUN_STARTED_KEY = "convreplay_run_started_ns"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convreplay", "record, replay and snapshot OpenAI conversation items")
    group.addoption(
        "--convreplay-record-mode",
        choices=[mode.value for mode in RecordMode],
        default=None,
        help="none (default: replay only, network blocked), once, new_episodes or all",
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
    parser.addini("convreplay_cassette_dir", "cassette folder, relative to the rootdir", default="cassettes")
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
    try:  # one start-up error for a bad ini value, not one per test
        config.stash[INI] = read_ini(config.getini, ini_source(config.inipath, overridden))
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SESSION] = SnapshotSession()
    # xdist workers take the controller's start, so "written during this run" means the same on all.
    started = getattr(config, "workerinput", {}).get(RUN_STARTED_KEY)
    config.stash[RUN_STARTED] = time.time_ns() if started is None else int(started)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: hand the run's start time to each worker."""
    node.workerinput[RUN_STARTED_KEY] = node.config.stash[RUN_STARTED]


def pytest_report_header(config: pytest.Config) -> str:
    """The record mode tests will really use: in CI only the command line can ask for recording."""
    cli_mode = config.getoption("--convreplay-record-mode")
    chosen = RecordMode(cli_mode) if cli_mode else config.stash[INI].get("record_mode", RecordMode.NONE)
    mode = record_mode_in_force(chosen, explicit=cli_mode is not None, ci=running_in_ci())
    shown = (
        mode.value if mode is chosen else f"none (CI is set: the ini's {chosen.value} applies off CI only)"
    )
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


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("convreplay"))):  # closest marker wins
        if marker.args:
            raise ConfigError(
                f"@pytest.mark.convreplay on {node.nodeid} takes keyword options only, got {marker.args!r}; "
                "name a cassette with cassette='name'"
            )
        options.update(marker.kwargs)
    return options


def _location(node: pytest.Item) -> TestLocation:
    """The test's name for its files: every enclosing class, so nested classes of one name differ."""
    classes = [parent.name for parent in node.listchain() if isinstance(parent, pytest.Class)]
    return TestLocation(Path(node.config.rootpath), Path(node.path), ".".join([*classes, node.name]))


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
    return build_settings(
        _location(node),
        [
            config.stash[INI],
            convert_options(fixture, _fixture_source(request)),
            convert_options(_marker_options(node), Source(f"@pytest.mark.convreplay on {node.nodeid}")),
        ],
        cli_record_mode=RecordMode(cli_mode) if cli_mode else None,
        update_snapshots=config.getoption("--convreplay-update"),
        ci=running_in_ci(),
        cassette_dir=config.getini("convreplay_cassette_dir"),
    )


# --- the cassette -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _convreplay_cassette(request: pytest.FixtureRequest) -> Iterator[Recording | None]:
    """Puts the test under its cassette when it has the marker or asks for the ``convreplay`` fixture."""
    if request.node.get_closest_marker("convreplay") is None and "convreplay" not in request.fixturenames:
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
            on_check=item.config.stash[SESSION].record,
            known_secrets=recording.known_secrets if recording is not None else None,
        )
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
    return SnapshotAssertion(_snapshot_file(request.node, settings))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After a passing body: the pagination checks of what it recorded (so the test learns in its own
    call phase whether its cassette will be written), and with ``snapshot=True`` a snapshot of every
    conversation the test paginated."""
    __tracebackhide__ = True  # a mismatch is the test's failure, not this hook's
    yield
    recording = item.stash.get(RECORDING, None)
    if recording is not None and not recording.refused:
        recording.check_pagination()
    if recording is not None and recording.settings.snapshot and not recording.refused:
        from .snapshot.assertion import assert_conversations

        assert_conversations(_snapshot_file(item, recording.settings), recording.conversations)


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    import sys

    assertion = sys.modules.get(f"{__package__}.snapshot.assertion")  # no snapshot taken: not ours
    return assertion.explain_comparison(op, left, right) if assertion is not None else None


def _claim(item: pytest.Item, *, selected: bool, complete: bool = False) -> None:
    """Tell the session which snapshot file a collected test may own (a marker's ``snapshot_file``
    included; a bad marker is the test's own error to report)."""
    location = _location(item)
    cassette_dir = item.config.getini("convreplay_cassette_dir")
    default = default_snapshot_path(location, cassette_dir)
    try:
        named = _marker_options(item).get("snapshot_file")
    except ConfigError:
        named = None
    path = resolve_file_option(named, location, cassette_dir, ".snapshot.yaml") or default
    item.stash[SNAPSHOT_PATH] = path
    item.config.stash[SESSION].claim(
        path, folder=default.parent, complete=complete, selected=selected, shared=path != default
    )


def pytest_deselected(items: Sequence[pytest.Item]) -> None:
    for item in items:
        _claim(item, selected=False)


def pytest_collection_finish(session: pytest.Session) -> None:
    narrowed = narrowed_modules(session.config.args, session.config.invocation_params.dir)
    for item in session.items:
        _claim(item, selected=True, complete=Path(item.path).resolve() not in narrowed)


def _finish_test(item: pytest.Item, report: pytest.TestReport) -> None:
    if not report.passed:
        item.stash[TEST_FAILED] = True
    if report.when == "teardown":
        file = item.stash.get(SNAPSHOTS, None)
        path = file.options.path if file is not None else item.stash.get(SNAPSHOT_PATH, None)
        if path is not None:
            item.config.stash[SESSION].finish_test(path, passed=not item.stash.get(TEST_FAILED, False))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller merges and reports
        config.workeroutput[WORKER_OUTPUT_KEY] = config.stash[SESSION].to_data()
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
    for line in report.lines() if report is not None else ():
        terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, ConvreplayError) and not isinstance(error, SnapshotMismatch):
        report.longrepr = str(error)  # the message names the file and what to do; a traceback adds nothing
    if call.when == "call":
        item.stash[CALL_EXCEPTION] = call.excinfo.value if call.excinfo else None
        recording = item.stash.get(RECORDING, None)
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
    _finish_test(item, report)
    return report
