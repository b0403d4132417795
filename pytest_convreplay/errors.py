"""Every error and warning the plugin raises, in one tree, so users can catch what they mean.

::

    ConvreplayError                     base of everything raised on purpose
    ├── ConfigError                     an option's value (.option, .source)
    ├── CassetteError                   a cassette cannot be read or written (.path)
    │   └── FileLockTimeout             another process holds the file's lock (.path, .lock_path)
    ├── UnmatchedRequestError           replay holds no answer (.path, .request)
    ├── PaginationError                 a recorded cursor chain is inconsistent (.path, .request)
    ├── SecretLeakError                 a secret would be written or printed (.path, .findings)
    ├── UndecodableBodyError            a body cannot be decoded to be checked (.request)
    ├── NetworkBlockedError             a connection off the machine while replaying (.host)
    ├── EmulatorApiError                the emulator's answer to a bad call (.status, .body)
    ├── SnapshotError                   a snapshot file cannot be read or written (.path)
    └── SnapshotMismatch                items differ from the snapshot (also an AssertionError)

    RequestRefused (pytest's failure outcome, a BaseException)
                                        an error above raised inside an HTTP transport (.error)

    ConvreplayWarning (UserWarning)
    ├── CassetteExpiredWarning          a cassette is older than its max_age (.path)
    ├── PaginationWarning               recorded list ids are inconsistent, harmless to replay
    ├── MaskWarning                     a mask names a field its item type lacks
    └── SchemaDriftWarning              an item type or field the models do not know (.item)

Each carries its context as attributes as well as in its message; ``request`` is always the
redacted request line (``GET /v1/conversations/conv_1/items?limit=20``), never what was sent.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _pytest.outcomes import Failed

__all__ = [
    "CassetteError",
    "CassetteExpiredWarning",
    "ConfigError",
    "ConvreplayError",
    "ConvreplayWarning",
    "EmulatorApiError",
    "FileLockTimeout",
    "MaskWarning",
    "NetworkBlockedError",
    "PaginationError",
    "PaginationWarning",
    "RequestRefused",
    "SchemaDriftWarning",
    "SecretLeakError",
    "SnapshotError",
    "SnapshotMismatch",
    "UndecodableBodyError",
    "UnmatchedRequestError",
]


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


PACKAGE_DIR = os.path.dirname(__file__)


def warn_at_user_code(warning: Warning) -> None:
    """Warn at the first line outside this package that led here (the test's ``assert_match``), not
    at the plugin's own file. Reached from a hook or a fixture, that line is pytest's; the plugin
    moves such warnings to the test function."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(warning, stacklevel=level + 1)


def quoted_nodeid(nodeid: str) -> str:
    """A node id for a shell command in a message: single-quoted (brackets of parametrized ids
    are globs), a quote inside it escaped so the command still works when pasted."""
    return "'" + nodeid.replace("'", "'\"'\"'") + "'"


class ConvreplayError(Exception):
    """Base of every error this plugin raises on purpose; the message says what to do."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        request: str | None = None,
        item: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.request = request
        self.item = item

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(ConvreplayError):
    """An option has a value the plugin cannot use (names the option, its source and what is accepted)."""

    def __init__(self, message: str, *, option: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.option = option
        self.source = source


class CassetteError(ConvreplayError):
    """A cassette file cannot be read or written; the message names the file and the problem."""


class FileLockTimeout(CassetteError, TimeoutError):
    """Another process held a file's lock for longer than the timeout; the message names both files."""

    def __init__(self, message: str, *, path: Path, lock_path: Path) -> None:
        super().__init__(message, path=path)
        self.lock_path = lock_path


class UnmatchedRequestError(ConvreplayError):
    """A request reached replay that the cassette does not hold."""


class PaginationError(ConvreplayError):
    """A recorded items-list chain is inconsistent (page numbers and ids in the message)."""


class SecretLeakError(ConvreplayError):
    """A known secret is still present in data about to be written or shown; nothing was written."""

    def __init__(self, message: str, *, path: Path | None = None, findings: Sequence[Any] = ()) -> None:
        super().__init__(message, path=path)
        self.findings = tuple(findings)


class UndecodableBodyError(ConvreplayError):
    """A body uses an encoding the plugin cannot decode, so it cannot be checked for secrets."""


class NetworkBlockedError(ConvreplayError):
    """A connection to a non-loopback host was attempted while replaying offline."""

    def __init__(self, message: str, *, host: str, path: Path | None = None) -> None:
        super().__init__(message, path=path)
        self.host = host


class EmulatorApiError(ConvreplayError):
    """An error the emulator answers with an OpenAI error body (and raises from its Python methods)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {
            "error": {"message": message, "type": type, "param": param, "code": code}
        }


class SnapshotError(ConvreplayError):
    """A snapshot file cannot be read or written."""


class SnapshotMismatch(AssertionError, ConvreplayError):
    """Items differ from the stored snapshot; the message is the item-level diff."""


class RequestRefused(Failed):
    """A request the plugin refused inside the HTTP transport: a replay miss, a pagination that
    would never end. It is pytest's own failure outcome (a BaseException), so the openai SDK does
    not take it for a connection error and retry it, and code under test that catches
    ``Exception`` cannot swallow it; the test fails with the message. ``error`` is the
    :class:`ConvreplayError` (``UnmatchedRequestError``, ``PaginationError``) that says why."""

    def __init__(self, error: ConvreplayError) -> None:
        super().__init__(str(error), pytrace=False)
        self.error = error


class ConvreplayWarning(UserWarning):
    """Base of every warning the plugin emits; ``-W error::pytest_convreplay.ConvreplayWarning``."""


class CassetteExpiredWarning(ConvreplayWarning):
    """A cassette is older than its ``max_age``; re-record it to see what the live API says now."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


class PaginationWarning(ConvreplayWarning):
    """Recorded list pages whose ids disagree (``first_id``/``last_id`` that are not the page's
    items, as mock servers with random ids send): replay answers the exact requests recorded, so
    the cassette is written, but complete listings are not re-sliced from such a chain."""


class MaskWarning(ConvreplayWarning):
    """A mask names a field its item type does not have: most likely a typo, and it masks nothing."""


class SchemaDriftWarning(ConvreplayWarning):
    """The API sent an item type or field this version does not model; the data was kept."""


# Shown as pytest_convreplay.X in tracebacks and -W filters, where users import them from.
for _name in __all__:
    globals()[_name].__module__ = "pytest_convreplay"
del _name
