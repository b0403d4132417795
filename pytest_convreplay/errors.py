"""One exception hierarchy, so users can catch `ConvreplayError` and every message says what to do."""

from __future__ import annotations

from pathlib import Path


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ConvreplayError(Exception):
    """Base of every error this plugin raises on purpose."""


class ConfigError(ConvreplayError):
    """An option has a value the plugin cannot use (names the option and the accepted values)."""


class CassetteError(ConvreplayError):
    """A cassette file cannot be read or written; the message names the file and the problem."""


class UnmatchedRequestError(ConvreplayError):
    """A request reached replay that the cassette does not hold."""


class PaginationError(ConvreplayError):
    """A recorded items-list chain is inconsistent (page numbers and ids in the message)."""


class SecretLeakError(ConvreplayError):
    """A known secret is still present in data about to be written; nothing was written."""


class UndecodableBodyError(ConvreplayError):
    """A body uses an encoding the plugin cannot decode, so it cannot be checked for secrets."""


class SnapshotError(ConvreplayError):
    """A snapshot file cannot be read or written."""


class SnapshotMismatch(AssertionError, ConvreplayError):
    """Items differ from the stored snapshot; the message is the item-level diff."""


def quoted_nodeid(nodeid: str) -> str:
    """A node id for a shell command in a message: single-quoted (brackets of parametrized ids
    are globs), a quote inside it escaped so the command still works when pasted."""
    return "'" + nodeid.replace("'", "'\"'\"'") + "'"
