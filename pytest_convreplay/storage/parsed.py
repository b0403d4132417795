"""Parsed cassettes and snapshot files kept in pytest's cache folder, found again by their content.

Replaying a 500-page cassette spent most of its time parsing YAML. What the loader built from a
file is kept here and used again only for a file whose bytes hash the same (BLAKE2b over the
bytes, with the loader's version and node limit): the YAML stays the one source of truth, an
edited cassette is a new key, and a stale entry is never found, whatever the file times say.
Only a cassette that passed validation is kept, as validation completed it, with the verdicts of
the checks replay makes later (which JSON answers parse): a hit is not checked again, since the
same bytes validate the same way, and zlib's checksum refuses an entry that was damaged on disk
(it is then parsed again). Anything unusual (a
binary body, a timestamp, a key that is not text) is simply not kept. The folder is pytest's
(``.pytest_cache/d/convreplay-parsed``), which git ignores, the sdist leaves out, and no glob of
the CLI or of unused-snapshot detection looks into; ``pytest --cache-clear`` empties it.

An entry is sealed with a key that only the cassette's own bytes give (convergent encryption: a
SHAKE-256 keystream keyed by a hash of the file, the entry named by another hash of it). A
secret a cassette once held stays unreadable in its entry after the cassette is redacted, renamed
or deleted: whoever can read it back holds the old file, and the secret with it, already.

Inside the seal, compressed: the length of a JSON header, the header, then the long strings
(bodies) as UTF-8, which the header refers to by offset, so loading decodes bytes instead of
unescaping JSON strings.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import platform
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import yaml

MAGIC: Final = b"convreplay parsed cassette 2\n"
LOADER_VERSION: Final = "3"  # bump when an entry would hold something else for the same text
FOLDER: Final = "convreplay-parsed"  # under pytest's cache folder
SUFFIX: Final = ".parsed"
ENTRIES_KEPT: Final = 256
_BLOB: Final = "\x00"  # the key of {"\x00": [start, end]}, a long string kept apart
_LONG: Final = 256
_LENGTH = struct.Struct(">Q")


class NotKept(Exception):
    """The value holds something an entry cannot keep exactly: it is parsed each time."""


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a large structure is built or copied (a cassette
    loaded, or checked before it is written): every container allocated counts towards the next
    collection, and the full ones walk all the process holds, for cycles these steps never make."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class ParsedCache:
    """Parsed files of one ``kind`` (cassettes, snapshot files) by content, in ``folder`` (created
    when first written to); the kind is part of every key, as each kind keeps its own value."""

    def __init__(self, folder: Path, kind: str = "cassette") -> None:
        self.folder = folder
        self.kind = kind
        self._last: tuple[bytes, int, tuple[Path, bytes]] | None = None  # a miss is stored next

    def _entry(self, data: bytes, max_nodes: int) -> tuple[Path, bytes]:
        """:meth:`_named` of ``data``, hashed once for the load that misses and the store after it."""
        last = self._last
        if last is not None and last[0] is data and last[1] == max_nodes:
            return last[2]
        named = self._named(data, max_nodes)
        self._last = (data, max_nodes, named)
        return named

    def _named(self, data: bytes, max_nodes: int) -> tuple[Path, bytes]:
        """The entry's file and the key of its seal, both from the content (and what else decides
        what the loader builds); neither tells the other."""
        digest = hashlib.blake2b(digest_size=32)
        versions = f"{LOADER_VERSION} {yaml.__version__} {platform.python_version()}"
        digest.update(f"{self.kind} {versions} {max_nodes}\n".encode())
        digest.update(data)
        content = digest.digest()
        name = hashlib.blake2b(content, digest_size=20, person=b"entry name").hexdigest()
        return self.folder / (name + SUFFIX), hashlib.blake2b(content, person=b"entry key").digest()

    def load(self, data: bytes, max_nodes: int) -> Any:
        """What the loader built from ``data``, or raise KeyError when it is not kept (or the entry
        cannot be read back whole: it is then parsed again, and kept anew)."""
        try:
            entry, key = self._entry(data, max_nodes)
            raw = entry.read_bytes()
            if not raw.startswith(MAGIC):
                raise ValueError("not an entry")
            return _decode(zlib.decompress(_sealed(raw[len(MAGIC) :], key)))
        except (
            OSError,
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            UnicodeDecodeError,
            struct.error,
            zlib.error,
        ):
            raise KeyError(data[:0]) from None

    def store(self, data: bytes, max_nodes: int, value: Any) -> None:
        """Keep ``value`` for ``data`` if it can be kept exactly; never fails the caller."""
        try:
            encoded = _encode(value)
        except NotKept:
            return
        entry, key = self._entry(data, max_nodes)
        encoded = MAGIC + _sealed(zlib.compress(encoded, 1), key)
        temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(encoded)
            os.replace(temporary, entry)  # readers see the whole entry or none
            self._prune()
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)

    def _prune(self) -> None:
        """At most ENTRIES_KEPT entries: the ones used longest ago go (edited cassettes leave
        entries nothing will ask for again)."""
        entries = [entry for entry in os.scandir(self.folder) if entry.name.endswith(SUFFIX)]
        if len(entries) <= ENTRIES_KEPT:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) - ENTRIES_KEPT // 2]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _encode(value: Any) -> bytes:
    blobs: list[bytes] = []
    offset = 0

    def kept(node: Any) -> Any:
        nonlocal offset
        kind = type(node)
        if kind is str:
            if len(node) <= _LONG:
                return node
            blob = node.encode("utf-8", "surrogatepass")
            blobs.append(blob)
            offset += len(blob)
            return {_BLOB: [offset - len(blob), offset]}
        if kind is dict:
            if any(type(key) is not str or key == _BLOB for key in node):
                raise NotKept("a key that is not text")
            return {key: kept(inner) for key, inner in node.items()}
        if kind is list:
            return [kept(inner) for inner in node]
        if node is None or kind is bool or kind is int or kind is float:
            return node
        raise NotKept(kind.__name__)  # bytes, datetimes: parsed each time

    header = json.dumps(kept(value), separators=(",", ":")).encode("ascii")
    return b"".join((_LENGTH.pack(len(header)), header, *blobs))


def _sealed(data: bytes, key: bytes) -> bytes:
    """``data`` XOR the SHAKE-256 keystream of ``key``: seals and unseals (one key per content, so
    no keystream is used for two different plaintexts)."""
    stream = hashlib.shake_256(key).digest(len(data))
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(len(data), "little")


def _decode(raw: bytes) -> Any:
    start = _LENGTH.size
    (length,) = _LENGTH.unpack_from(raw, 0)
    blobs = memoryview(raw)[start + length :]

    def blob(node: dict[str, Any]) -> Any:
        if len(node) == 1 and _BLOB in node:
            begin, end = node[_BLOB]
            if not 0 <= begin <= end <= len(blobs):
                raise ValueError("an entry cut short")
            return str(blobs[begin:end], "utf-8", "surrogatepass")
        return node

    return json.loads(raw[start : start + length], object_hook=blob)
