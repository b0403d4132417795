"""pytest glue: options, markers and fixtures; every decision lives in the modules it calls."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .config import INI_OPTIONS, RecordMode, Settings, TestLocation, build_settings
from .emulator import conversations_api
from .errors import ConvreplayError
from .recorder import Recording, running_in_ci, use_cassette

__all__ = ["conversations_api"]

CALL_EXCEPTION = pytest.StashKey[BaseException | None]()
RECORDING = pytest.StashKey[Recording]()


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
    parser.addini("convreplay_cassette_dir", "cassette folder, relative to the rootdir", default="cassettes")
    for name in INI_OPTIONS:
        parser.addini(f"convreplay_{name}", f"default for the convreplay option {name}", default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "convreplay(**options): run the test under a cassette (record/replay items-list traffic)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    mode = config.getoption("--convreplay-record-mode") or config.getini("convreplay_record_mode") or "none"
    return f"convreplay: record mode {mode}, cassettes in {config.getini('convreplay_cassette_dir')}"


@pytest.fixture
def convreplay_config() -> dict[str, Any]:
    """Options for every test below this fixture's definition; override it in a conftest."""
    return {}


def _settings(request: pytest.FixtureRequest) -> Settings:
    config = request.config
    node = request.node
    ini = {name: config.getini(f"convreplay_{name}") for name in INI_OPTIONS}
    marker_options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("convreplay"))):  # closest marker wins
        marker_options.update(marker.kwargs)
    test_name = node.name if node.cls is None else f"{node.cls.__name__}.{node.name}"
    return build_settings(
        TestLocation(Path(config.rootpath), Path(node.path), test_name),
        ini={name: value for name, value in ini.items() if value not in (None, "", [])},
        config_fixture=request.getfixturevalue("convreplay_config"),
        marker=marker_options,
        cli_record_mode=config.getoption("--convreplay-record-mode"),
        update_snapshots=config.getoption("--convreplay-update"),
        ci=running_in_ci(),
        cassette_dir=config.getini("convreplay_cassette_dir"),
    )


@pytest.fixture(autouse=True)
def _convreplay_cassette(request: pytest.FixtureRequest) -> Iterator[Recording | None]:
    """Puts the test under its cassette when it has the marker or asks for the ``convreplay`` fixture."""
    if request.node.get_closest_marker("convreplay") is None and "convreplay" not in request.fixturenames:
        yield None
        return
    recording = Recording(_settings(request), nodeid=request.node.nodeid)
    request.node.stash[RECORDING] = recording
    with use_cassette(recording):
        yield recording
    error = request.node.stash.get(CALL_EXCEPTION, None)
    if not isinstance(error, ConvreplayError | KeyboardInterrupt) and not recording.unmatched:
        recording.save()


@pytest.fixture
def convreplay(_convreplay_cassette: Recording | None) -> Recording:
    """The test's cassette: ``path``, ``mode``, ``conversations``, ``requests``, ``interactions``."""
    assert _convreplay_cassette is not None
    return _convreplay_cassette


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    if call.when == "call":
        item.stash[CALL_EXCEPTION] = call.excinfo.value if call.excinfo else None
        recording = item.stash.get(RECORDING, None)
        if recording is not None and recording.unmatched:
            # The client may have swallowed or wrapped the error; the test fails with our message anyway.
            report.outcome = "failed"
            report.longrepr = "\n\n".join(dict.fromkeys(u.message for u in recording.unmatched))
    return report
