"""Start-up: the command-line and ini options, the marker, one check of every ini value, the header."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ..config.options import (
    INI_OPTIONS,
    IniSource,
    ini_source,
    read_ini,
    record_mode_in_force,
    running_in_ci,
)
from ..config.paths import cassette_folder_problem
from ..config.settings import RecordMode
from ..errors import ConfigError
from ..snapshot.session import CollectionLog, SnapshotSession
from .keys import BLOCKS_NETWORK, COLLECTION, INI, INI_SOURCE, PRODUCED, RUN_STARTED, RUN_STARTED_KEY, SESSION
from .reporting import _CONFIG


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
        config.stash[BLOCKS_NETWORK] = _blocks_every_test(config, config.stash[INI_SOURCE])
        _check_cassette_dir(config, config.stash[INI_SOURCE])
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
        from ..drift.run import register_hooks  # the drift and report stages load only when asked for

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


def _blocks_every_test(config: pytest.Config, source: IniSource) -> bool:
    option = config.getoption("--convreplay-block-network")
    if option is not None:
        return bool(option)
    try:
        return bool(config.getini("convreplay_block_network"))
    except (ValueError, pytest.UsageError) as error:  # pytest converts: "invalid truth value 'maybe'"
        where = source.of("block_network")
        raise ConfigError(f"{where}: {error}", option="block_network", source=where) from None


def _check_cassette_dir(config: pytest.Config, source: IniSource) -> None:
    """A cassette folder that cannot be one (a file stands there) is said once, at start-up."""
    problem = cassette_folder_problem(str(config.getini("convreplay_cassette_dir")), config.rootpath)
    if problem is not None:
        where = source.of("cassette_dir")
        raise ConfigError(
            f"{where}: {problem}; name a folder for cassettes, relative to the rootdir or absolute "
            "(default: cassettes)",
            option="cassette_dir",
            source=where,
        )
