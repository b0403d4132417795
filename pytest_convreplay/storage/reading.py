"""Reading a committed file: a regular file (or a symbolic link to one), and never more than a limit.

Cassettes and snapshots come from repositories anyone may commit to. A cassette that is a link to
``/dev/zero`` or a FIFO would be read until memory runs out, or forever; so the kind of file is
checked before it is opened, again on the open descriptor (the link may change in between), and
the read itself stops one byte past the limit, whatever ``stat`` said about the size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
}


class UnreadableFile(Exception):
    """The file exists but is not one to read: the message says why, in words."""


class FileTooLarge(UnreadableFile):
    """The file holds more bytes than the caller's limit (``size`` as far as it was read)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``; FileNotFoundError when there is none (a dangling link included),
    :class:`FileTooLarge` beyond ``max_bytes``, :class:`UnreadableFile` for anything that is not a
    regular file and for any other OS error."""
    try:
        _check(os.stat(path), max_bytes)  # follows links: a link to a regular file may be read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            _check(os.fstat(handle.fileno()), max_bytes)
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    if len(data) > max_bytes:  # it grew since it was measured
        raise FileTooLarge(len(data))
    return data


def _check(status: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a file")
        raise UnreadableFile(f"it is {kind}, not a regular file or a symbolic link to one")
    if status.st_size > max_bytes:
        raise FileTooLarge(status.st_size)
