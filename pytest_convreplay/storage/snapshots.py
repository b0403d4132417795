"""The snapshot file: named item lists, one YAML block per item in a stable key order.

One YAML file per test (``<test name>.snapshot.yaml`` beside its cassette) holds named snapshots,
each a list of items. Every item is one YAML block whose keys come in a stable order (``id`` and
``type`` first, the rest sorted, at every depth), so re-recording gives the same bytes and git
diffs and merge conflicts stay inside the item that changed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import takewhile
from pathlib import Path
from typing import Any, Final

import yaml

from ..config.paths import SNAPSHOT_SUFFIX as SNAPSHOT_SUFFIX  # re-exported: part of the format
from ..errors import SnapshotError, quoted_nodeid
from ..gate import Gate
from .atomic import locked
from .cassette import DEFAULT_MAX_BYTES
from .parsed import ParsedCache, collection_paused
from .reading import FileTooLarge, UnreadableFile, read_regular_file
from .write import write_document
from .yaml_io import DEFAULT_MAX_NODES, load_plain_yaml, yaml_problem

Item = dict[str, Any]

SNAPSHOT_VERSION: Final = 1
_FIRST_KEYS: Final = ("id", "type")


def is_snapshot_file(path: Path) -> bool:
    return path.name.endswith(SNAPSHOT_SUFFIX)


def ordered(value: Any) -> Any:
    """``value`` with every mapping's keys in the file's order: ``id``, ``type``, then sorted."""
    if isinstance(value, Mapping):
        first = [key for key in _FIRST_KEYS if key in value]
        # a hand-edited key may be a number or null: sorted by text, never compared across types
        rest = sorted(
            (key for key in value if key not in _FIRST_KEYS), key=lambda key: (type(key).__name__, str(key))
        )
        return {key: ordered(value[key]) for key in (*first, *rest)}
    if isinstance(value, list | tuple):
        return [ordered(inner) for inner in value]
    return value


_OWNER_LINE: Final = "# pytest-convreplay snapshots of "


def snapshot_header(*tests: str) -> str:
    """The comment every snapshot file starts with: every test that wrote to it (one line each,
    sorted, so tests sharing a file on xdist workers write the same header) and how to rewrite it."""
    owners = sorted(set(tests))
    command = " ".join(quoted_nodeid(test) for test in owners)
    return "".join(f"{_OWNER_LINE}{test}\n" for test in owners) + (
        f"# Masked values read <masked>. Rewrite with: pytest --convreplay-update {command}\n"
    )


def header_owners(text: str) -> tuple[str, ...]:
    """The tests a snapshot file's header names as having written to it (none: not written by this
    plugin, or by hand)."""
    header = takewhile(lambda line: line.startswith("#"), text.splitlines())
    return tuple(line.removeprefix(_OWNER_LINE) for line in header if line.startswith(_OWNER_LINE))


def read_owners(path: Path) -> tuple[str, ...]:
    """:func:`header_owners` of the file at ``path``; none when it is missing or unreadable."""
    try:
        with path.open(encoding="utf-8") as handle:
            return header_owners("".join(takewhile(lambda line: line.startswith("#"), handle)))
    except (OSError, UnicodeDecodeError):
        return ()


def _natural(name: str) -> list[tuple[int, int | str]]:
    """``default.2`` before ``default.10``: digit runs compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part]


def snapshot_document(snapshots: Mapping[str, Sequence[Item]]) -> dict[str, Any]:
    """The file's document for ``snapshots`` (name → items), names in natural order and keys in the
    file's order, so the bytes do not depend on which test (or xdist worker) wrote first."""
    return {
        "version": SNAPSHOT_VERSION,
        "snapshots": {name: ordered(list(snapshots[name])) for name in sorted(snapshots, key=_natural)},
    }


def parse_snapshots(text: str, path: Path) -> dict[str, list[Item]]:
    """Snapshot name → items from file text; ``path`` only names the file in errors."""
    fix = f"fix or delete {path} and run pytest --convreplay-update to write it again"
    try:
        data = load_plain_yaml(text)
    except yaml.YAMLError as error:
        raise SnapshotError(f"{path}: {yaml_problem(error, text)}; {fix}", path=Path(path)) from None
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(
            f"{path}: not a version {SNAPSHOT_VERSION} convreplay snapshot file; {fix}", path=Path(path)
        )
    snapshots = data.get("snapshots") or {}
    if not isinstance(snapshots, dict):
        raise SnapshotError(f"{path}: 'snapshots' must map names to item lists; {fix}", path=Path(path))
    for name, items in snapshots.items():
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and "type" in item for item in items
        ):
            raise SnapshotError(
                f"{path}: snapshot {name!r} must be a list of items with a 'type'; {fix}", path=Path(path)
            )
    return {str(name): items for name, items in snapshots.items()}


def read_snapshots(path: Path, cache: ParsedCache | None = None) -> dict[str, list[Item]]:
    """The snapshots stored at ``path``; none when the file does not exist yet. With a ``cache``, a
    file whose bytes were read before is not parsed again (see :mod:`.parsed`)."""
    try:
        data = _read_bytes(path)
    except FileNotFoundError:
        return {}
    with collection_paused():
        if cache is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                kept = cache.load(data, DEFAULT_MAX_NODES)["snapshots"]
                return dict(kept)
        snapshots = parse_snapshots(_utf8(data, path), path)
        if cache is not None:
            cache.store(data, DEFAULT_MAX_NODES, {"snapshots": snapshots})
        return snapshots


def _read_bytes(path: Path) -> bytes:
    try:
        return read_regular_file(path, DEFAULT_MAX_BYTES)
    except FileTooLarge as error:
        raise SnapshotError(
            f"{path}: the file is {error.size / 2**20:.1f} MiB, over the {DEFAULT_MAX_BYTES / 2**20:.0f} MiB "
            "a snapshot may hold; snapshot fewer items per test (or name several snapshots)",
            path=path,
        ) from None
    except UnreadableFile as error:
        raise SnapshotError(f"{path}: cannot be read ({error})", path=path) from None


def _utf8(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SnapshotError(f"{path}: cannot be read ({error})", path=path) from None


def _read_text(path: Path) -> str:
    return _utf8(_read_bytes(path), path)


def remove_snapshots(path: Path, names: Iterable[str], gate: Gate) -> None:
    """Drop ``names`` from the file (keeping its header), or the whole file when nothing is left."""
    with locked(path, error=SnapshotError):  # a read-modify-write: no other worker may write in between
        text = _read_text(path)
        gone = set(names)
        kept = {name: items for name, items in parse_snapshots(text, path).items() if name not in gone}
        if not kept:
            path.unlink()
            return
        header = "".join(takewhile(lambda line: line.startswith("#"), text.splitlines(keepends=True)))
        write_document(path, snapshot_document(kept), gate, header=header, error=SnapshotError)


def load_snapshot_file(path: Path) -> dict[str, list[Item]]:
    """Snapshot name → items, for ``convreplay diff``; a missing file is an error there."""
    if not path.exists():
        raise SnapshotError(f"{path}: no such snapshot file", path=Path(path))
    return read_snapshots(path)
