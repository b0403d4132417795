"""The conv_snapshot fixture, automatic snapshots after a passing body, and assertion messages."""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

from ..config.settings import Settings
from .keys import RECORDING, REPORT_HOOKS, SESSION, SNAPSHOTS
from .reporting import warnings_at
from .settings import _settings

if TYPE_CHECKING:
    from ..record.recording import Recording
    from ..report.collect import ReportHooks
    from ..snapshot.assertion import SnapshotAssertion
    from ..snapshot.file import SnapshotFile


def _snapshot_file(item: pytest.Item, settings: Settings) -> SnapshotFile:
    """The test's snapshot file, shared by ``conv_snapshot`` and the automatic snapshots."""
    file = item.stash.get(SNAPSHOTS, None)
    if file is None:
        from ..snapshot.file import SnapshotFile
        from ..snapshot.options import SnapshotOptions

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
    from ..snapshot.assertion import SnapshotAssertion

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
        with warnings_at(item):
            recording.check_pagination()
    if recording is not None and recording.settings.snapshot and not recording.refused:
        from ..snapshot.assertion import assert_conversations

        with warnings_at(item):
            assert_conversations(_snapshot_file(item, recording.settings), recording.conversations)


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    import sys

    assertion = sys.modules.get("pytest_convreplay.snapshot.assertion")  # no snapshot taken: not ours
    return assertion.explain_comparison(op, left, right) if assertion is not None else None
