"""Crash-safe, one-writer-at-a-time replacement of cassette and snapshot files.

Readers see the old file or the new one, never a half-written one: text goes to a temporary file
in the same folder, is fsynced, then renamed over the target. Writers first take the target's
lock, so two xdist workers (or two pytest runs) never write the same file at once, and a
read-modify-write wrapped in :func:`locked` sees no concurrent change in between.

The lock is an OS lock (``flock``; ``msvcrt.locking`` on Windows) on a dot-file beside the target,
so the kernel releases it when its holder is killed, and the dot-file is removed on release, so
cassette folders stay clean in ``git status``.

Committed folders are not trusted: no symbolic link is followed for writing (the target, the lock
file, the temporary file), so nothing is ever written outside the target's folder, and every OS
error (a full disk, a read-only folder, a name too long) is one error naming the file, with the
previous content intact.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..config.paths import nearest_existing
from ..errors import CassetteError, ConvreplayError, FileLockTimeout, shown_path

TEMP_SUFFIX = ".convreplay-tmp"
LOCK_SUFFIX = ".convreplay-lock"
LOCK_TIMEOUT = 120.0
"""Seconds a writer waits for another one; far above any single write, short of a hung CI job."""
MAX_NAME_BYTES = 255
"""The longest file name common filesystems take (ext4, APFS, NTFS); lock and temporary names
beyond it are shortened with a hash."""

_LONGEST_SIDECAR_TAIL = len(f".12345678{TEMP_SUFFIX}")
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


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
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:  # unreadable: loading it says why, with the file's name
        return None
    return status.st_mtime_ns, status.st_size


def _sidecar_stem(path: Path) -> str:
    """``.<name>``, the start of the dot-files beside ``path`` (its lock, its temporaries); a hash
    of the name instead when the longest of them would be a name the filesystem refuses."""
    name = path.name.encode("utf-8", "surrogateescape")
    if 1 + len(name) + _LONGEST_SIDECAR_TAIL > MAX_NAME_BYTES:
        return "." + hashlib.sha256(name).hexdigest()[:16]
    return f".{path.name}"


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: a dot-file beside it, never mistaken for a cassette or snapshot."""
    return path.with_name(_sidecar_stem(path) + LOCK_SUFFIX)


@contextlib.contextmanager
def locked(
    path: Path, *, timeout: float = LOCK_TIMEOUT, error: type[ConvreplayError] = CassetteError
) -> Iterator[None]:
    """Hold ``path``'s lock; other processes and threads wait for it, this thread may nest freely.
    An OS error (the folder cannot be made, the lock file is a link) is raised as ``error``.

    The folders made for the lock are removed again on release while they are empty (a write the
    gate refused leaves nothing behind); a writer whose new folder vanishes makes it again."""
    key = os.path.abspath(path)
    if key in _held.paths:
        yield
        return
    lock_file = lock_path(path)
    made: list[Path] = []
    with _as(error, path):
        fd = _acquire(lock_file, path, timeout, made)
    _held.paths.add(key)
    try:
        yield
    finally:
        _held.paths.discard(key)
        with contextlib.suppress(OSError):  # Windows cannot remove an open file; waiters cope with both
            os.unlink(lock_file)
        os.close(fd)  # closing releases the OS lock
        _remove_empty(made)


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the ones this call made, outermost first. One that
    another writer makes at the same moment is theirs, one another writer removes is left missing
    (opening the lock file then fails, and :func:`_acquire` calls again)."""
    missing: list[Path] = []
    while not os.path.isdir(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    for new in reversed(missing):
        try:
            os.mkdir(new)
        except FileExistsError:
            if not os.path.isdir(new):
                raise  # a file stands where the folder must be
            continue
        except FileNotFoundError:
            break
        made.append(new)
    return made


def _remove_empty(made: list[Path]) -> None:
    """Remove the folders this lock made, innermost first, while they are empty: rmdir never takes
    a file with it, and one another writer has put a file (or its lock) in stays."""
    for folder in reversed(made):
        try:
            os.rmdir(folder)
        except OSError:
            return


def _acquire(lock_file: Path, target: Path, timeout: float, made: list[Path]) -> int:
    """A descriptor of ``lock_file`` that this process has locked, polling until ``timeout``; the
    folders it had to make are added to ``made``."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        made += _make_folders(lock_file.parent)
        try:
            fd = _open_lock(lock_file)
        except FileNotFoundError:
            if time.monotonic() >= deadline:
                raise
            continue  # another writer has just removed the empty folder it made: make it again
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


def _open_lock(lock_file: Path) -> int:
    try:
        return os.open(lock_file, os.O_RDWR | os.O_CREAT | _NO_FOLLOW, 0o666)
    except OSError as error:
        if os.path.islink(lock_file):  # ELOOP on Linux, EMLINK on FreeBSD: the same refusal
            raise _Refusal(f"the lock file {lock_file.name} beside it is a symbolic link") from None
        raise error


def _is_current(fd: int, lock_file: Path) -> bool:
    """Whether ``fd`` is still the file at ``lock_file``: the previous holder unlinks it on release,
    and a lock taken on that unlinked file would exclude nobody."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock_file, follow_symlinks=False))
    except FileNotFoundError:
        return False


def write_atomic(path: Path, text: str, *, error: type[ConvreplayError] = CassetteError) -> None:
    """Write ``text`` to ``path`` under its lock, through a temporary file, fsync, then rename.

    The rename is atomic on POSIX and Windows, so a kill at any moment leaves either the previous
    content or the new content. The temporary file is removed when writing fails; one left by a
    killed writer is removed by the next write of the same file. An existing file keeps its mode.
    Any OS error (a full disk included) is raised as ``error``, naming the file, nothing changed.
    """
    data = _utf8(path, text, error)
    with locked(path, error=error), _as(error, path):
        if os.path.islink(path):
            raise _Refusal("it is a symbolic link, and the plugin never writes through one")
        _remove_stale_temporaries(path)
        fd, temp_name = _create_temporary(path)
        try:
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_folder(path.parent)


def cannot_write(path: Path) -> str | None:
    """Why a file could not be written at ``path`` (a folder is there, a file stands where a folder
    must, the folder refuses files), or None: a check before a long run that ends in writing it.
    It leaves nothing behind; the missing folders a write would create are not made yet."""
    if path.is_dir():
        return "it is a folder"
    folder = nearest_existing(path.parent)
    if not folder.is_dir():
        return f"{shown_path(folder)} is not a folder"
    try:
        fd, name = _create_temporary(folder / path.name)
    except OSError as problem:
        return f"{shown_path(folder)} does not take new files ({problem.strerror or problem})"
    os.close(fd)
    os.unlink(name)
    return None


def _utf8(path: Path, text: str, error: type[ConvreplayError]) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as problem:
        line = text.count("\n", 0, problem.start) + 1
        raise error(
            f"{path}: cannot be written: line {line} holds U+{ord(text[problem.start]):04X}, half of a "
            "UTF-16 surrogate pair, which UTF-8 text cannot store; nothing was written",
            path=path,
        ) from None


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` may write less than it was given (a signal, a nearly full disk): loop."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Refusal(Exception):
    """A file the plugin will not write, in words; raised to the caller as its error class."""


@contextlib.contextmanager
def _as(error: type[ConvreplayError], path: Path) -> Iterator[None]:
    """OS errors and refusals while writing ``path`` become one ``error`` naming it."""
    try:
        yield
    except FileLockTimeout:
        raise
    except _Refusal as refusal:
        raise error(f"{path}: not written: {refusal}; nothing was changed", path=path) from None
    except OSError as problem:
        where = f" ({problem.filename})" if problem.filename and str(problem.filename) != str(path) else ""
        raise error(
            f"{path}: cannot be written ({problem.strerror or problem}{where}); nothing was changed",
            path=path,
        ) from None


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path``: the mode of ``path`` if it exists, else what the umask allows."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    while True:
        name = os.path.join(path.parent, f"{_sidecar_stem(path)}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            os.fchmod(fd, mode)
        return fd, name


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries a killed writer left; safe because every writer of ``path`` holds its lock."""
    pattern = os.path.join(
        glob.escape(str(path.parent)), f"{glob.escape(_sidecar_stem(path))}.*{TEMP_SUFFIX}"
    )
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
