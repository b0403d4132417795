"""Crash-safe, one-writer-at-a-time replacement of cassette and snapshot files.

Readers see the old file or the new one, never a half-written one: text goes to a temporary file
in the same folder, is fsynced, then renamed over the target. Writers first take the target's
lock, so two xdist workers (or two pytest runs) never write the same file at once, and a
read-modify-write wrapped in :func:`locked` sees no concurrent change in between.

The lock is an OS lock (``flock``; ``msvcrt.locking`` on Windows) on a dot-file beside the target,
so the kernel releases it when its holder is killed, and the dot-file is removed on release, so
cassette folders stay clean in ``git status``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import FileLockTimeout

TEMP_SUFFIX = ".convreplay-tmp"
LOCK_SUFFIX = ".convreplay-lock"
LOCK_TIMEOUT = 120.0
"""Seconds a writer waits for another one; far above any single write, short of a hung CI job."""


if sys.platform == "win32":  # pragma: no cover - this suite runs on POSIX
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


class _HeldLocks(threading.local):
    """Targets this thread has locked: nested ``locked`` calls on one path must not self-deadlock."""

    def __init__(self) -> None:
        self.paths: set[str] = set()


_held = _HeldLocks()


def file_stamp(path: Path) -> tuple[int, int] | None:
    """Enough to tell that a file changed since it was read: modification time and size."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: a dot-file beside it, never mistaken for a cassette or snapshot."""
    return path.with_name(f".{path.name}{LOCK_SUFFIX}")


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``path``'s lock; other processes and threads wait for it, this thread may nest freely."""
    key = os.path.abspath(path)
    if key in _held.paths:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_file = lock_path(path)
    fd = _acquire(lock_file, path, timeout)
    _held.paths.add(key)
    try:
        yield
    finally:
        _held.paths.discard(key)
        with contextlib.suppress(OSError):  # Windows cannot remove an open file; waiters cope with both
            os.unlink(lock_file)
        os.close(fd)  # closing releases the OS lock


def _acquire(lock_file: Path, target: Path, timeout: float) -> int:
    """A descriptor of ``lock_file`` that this process has locked, polling until ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if _try_lock(fd) and _is_current(fd, lock_file):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline:
            raise FileLockTimeout(
                f"{target}: another process has been writing it for over {timeout:.0f} s "
                f"(lock file {lock_file}); if no pytest run is still going, delete the lock file",
                path=target,
                lock_path=lock_file,
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _is_current(fd: int, lock_file: Path) -> bool:
    """Whether ``fd`` is still the file at ``lock_file``: the previous holder unlinks it on release,
    and a lock taken on that unlinked file would exclude nobody."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock_file))
    except FileNotFoundError:
        return False


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` under its lock, through a temporary file, fsync, then rename.

    The rename is atomic on POSIX and Windows, so a kill at any moment leaves either the previous
    content or the new content. The temporary file is removed when writing fails; one left by a
    killed writer is removed by the next write of the same file. An existing file keeps its mode.
    """
    with locked(path):
        _remove_stale_temporaries(path)
        fd, temp_name = _create_temporary(path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_folder(path.parent)


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``: the mode of ``path`` if it exists, else what the umask allows."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    while True:
        name = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            os.chmod(name, mode)
        return fd, name


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries a killed writer left; safe because every writer of ``path`` holds its lock."""
    pattern = os.path.join(glob.escape(str(path.parent)), f".{glob.escape(path.name)}.*{TEMP_SUFFIX}")
    for stale in glob.glob(pattern, include_hidden=True):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stale)


def _fsync_folder(folder: Path) -> None:
    """Persist the rename itself; not every platform lets a folder be opened, hence the guard."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
