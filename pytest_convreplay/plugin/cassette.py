"""The cassette a test runs under, and the fixtures that reach it (convreplay, convreplay_config,
conversations_api)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ..errors import ConvreplayError, SnapshotMismatch
from .keys import BLOCKS_NETWORK, CALL_EXCEPTION, INI, RECORDING, RUN_STARTED
from .ownership import start_attempt
from .reporting import warnings_at
from .settings import _settings

if TYPE_CHECKING:
    from ..emulator import ConversationsEmulator
    from ..record.handle import CassetteHandle
    from ..record.recording import Recording


@pytest.fixture
def convreplay_config() -> dict[str, Any]:
    """Options for every test below this fixture's definition; override it in a conftest."""
    return {}


@pytest.fixture
def conversations_api() -> Iterator[ConversationsEmulator]:
    """A running Conversations API emulator per test: fresh state and the same id sequence, so
    recordings repeat."""
    from ..emulator import ConversationsEmulator

    with ConversationsEmulator() as emulator:
        yield emulator


CASSETTE_FIXTURE = "_convreplay_cassette"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test with the marker (every test, under ``--convreplay-block-network``) gets the cassette
    fixture first among its function-scoped fixtures, where an autouse one would be; a test that
    never uses the plugin does not pay pytest's fixture machinery for it (an autouse fixture cost
    a suite of 2,000 trivial tests 10 %). One that asks for ``convreplay`` or ``conv_snapshot`` has
    it through them, moved first too."""
    start_attempt(item)
    names = getattr(item, "fixturenames", None)
    if not isinstance(names, list):
        return
    if CASSETTE_FIXTURE in names:  # asked for through a fixture: set up first all the same
        names.remove(CASSETTE_FIXTURE)
    elif item.get_closest_marker("convreplay") is None and not item.config.stash[BLOCKS_NETWORK]:
        return
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs if info is not None else {}
    first = next(
        (
            index
            for index, name in enumerate(names)
            if definitions.get(name) and definitions[name][-1].scope == "function"
        ),
        len(names),
    )
    names.insert(first, CASSETTE_FIXTURE)


@pytest.fixture
def _convreplay_cassette(request: pytest.FixtureRequest) -> Iterator[Recording | None]:
    """Puts the test under its cassette when it has the marker or asks for the ``convreplay`` fixture."""
    if request.node.get_closest_marker("convreplay") is None and "convreplay" not in request.fixturenames:
        blocked = request.config.stash[BLOCKS_NETWORK]
        with _blocked_suite_wide(request) if blocked else contextlib.nullcontext():
            yield None
        return
    from ..record.recording import Recording
    from ..record.vcr import use_cassette

    with warnings_at(request.node):  # an expired cassette's warning points at the test
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


def _blocked_suite_wide(request: pytest.FixtureRequest) -> contextlib.AbstractContextManager[None]:
    """``--convreplay-block-network`` for a test without a cassette: every host but loopback and
    ``convreplay_allowed_hosts`` is refused, the message naming the host and what to do."""
    from ..replay.network import block_network, refusal_for_test_without_cassette

    nodeid = request.node.nodeid
    refusal = refusal_for_test_without_cassette(nodeid)
    return block_network(request.config.stash[INI].get("allowed_hosts", ()), nodeid, refusal=refusal)


@pytest.fixture
def convreplay(_convreplay_cassette: Recording | None) -> CassetteHandle:
    """The test's cassette, read-only: ``path``, ``mode``, ``conversations``, ``records``,
    ``requests``, ``interactions``."""
    from ..record.handle import CassetteHandle

    assert _convreplay_cassette is not None
    return CassetteHandle(_convreplay_cassette)
