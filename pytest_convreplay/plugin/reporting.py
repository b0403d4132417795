"""What leaves the process: test reports and warnings of the plugin, through the egress gate."""

from __future__ import annotations

import contextlib
import linecache
import os
import warnings
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from ..errors import PACKAGE_DIR, ConvreplayError, ConvreplayWarning, SnapshotMismatch
from .keys import CALL_EXCEPTION, INI, RECORDING, REPORT, TEST_FAILED
from .ownership import _finish_test


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
            from ..record.unreachable import unreachable_note

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
        text = str(report.longrepr)
        masked = _egress(item)(text)
        if masked != text or isinstance(report.longrepr, str):
            report.longrepr = masked  # else pytest's own report stays, and its summary line the message
    _finish_test(item, report)
    return report


def _egress(item: pytest.Item | None, config: pytest.Config | None = None) -> Callable[[str], str]:
    """How a message of the plugin leaves the process: every value the gate knows (the test's,
    learned while it ran, or the environment's and the project's) and every pattern hit masked."""
    from ..gate.egress import message_gate

    recording = item.stash.get(RECORDING, None) if item is not None else None
    if recording is not None:
        return recording.message_mask()
    source = item.config if item is not None else config
    return message_gate(source.stash[INI] if source is not None else {})


@contextlib.contextmanager
def warnings_at(item: pytest.Item) -> Iterator[None]:
    """The plugin's warnings raised where no code of the user's is on the stack (a hook, a
    fixture's set-up) point at the test function instead of the plugin's file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    path, line, _ = item.reportinfo()
    machinery = (PACKAGE_DIR, f"{os.sep}_pytest{os.sep}", f"{os.sep}pluggy{os.sep}")
    for warning in caught:
        ours = issubclass(warning.category, ConvreplayWarning) and any(
            part in warning.filename for part in machinery
        )
        warnings.warn_explicit(
            warning.message,
            warning.category,
            str(path) if ours else warning.filename,
            (line or 0) + 1 if ours else warning.lineno,
            source=warning.source,
        )


@pytest.hookimpl(tryfirst=True)
def pytest_warning_recorded(warning_message: Any, nodeid: str) -> None:
    """A warning the plugin emits is masked before any reporter formats it, and so is the source
    line a report prints under it (the test's own line, which may spell a secret out)."""
    message = warning_message.message
    if isinstance(message, ConvreplayWarning) and message.args:
        running = _RUNNING.get(nodeid)
        mask = _egress(running, None if running is not None else _CONFIG.get("config"))
        message.args = (mask(str(message.args[0])), *message.args[1:])
        if warning_message.line is None:
            source = linecache.getline(warning_message.filename, warning_message.lineno)
            warning_message.line = mask(source)


_RUNNING: dict[str, pytest.Item] = {}  # the test whose warnings are being recorded, by node id


_CONFIG: dict[str, pytest.Config] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    _RUNNING[item.nodeid] = item
    try:
        return (yield)
    finally:
        _RUNNING.pop(item.nodeid, None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    lines = report.lines() if report is not None else []
    mask = _egress(None, config) if lines else str
    for line in lines:
        terminalreporter.write_line(mask(line))
