"""``convreplay report``: the HTML report of a drift run, or of two folders or files compared.

Two folders are paired file by file (cassettes by their conversations, snapshot files by their
names), with the project's masks; a drift run is compared as the run itself compared it, with each
test's own masks and id options, from its manifest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..drift import DriftManifest, Scratch, compare_entries
from ..errors import ConvreplayError, shown_path
from ..gate import Gate
from ..report.html import write_report
from ..report.model import Comparison, ComparisonKind
from ..rules.masks import Mask
from ..snapshot.assertion import snapshot_names
from ..storage.pending import is_pending_file
from ..storage.snapshots import is_snapshot_file
from .sources import conversations_in


def _files(folder: Path) -> dict[str, Path]:
    """Cassettes and snapshot files below ``folder`` by relative path (hidden folders skipped)."""
    return {
        str(path.relative_to(folder)): path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.suffix in (".yaml", ".yml")
        and not is_pending_file(path)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def _pairs(old: Path, new: Path) -> Iterator[tuple[str, Path | None, Path | None]]:
    if old.is_file() and new.is_file():
        yield shown_path(new), old, new
        return
    if not (old.is_dir() and new.is_dir()):
        raise ConvreplayError(f"{old} and {new}: compare two folders or two files")
    old_files, new_files = _files(old), _files(new)
    for name in sorted(old_files.keys() | new_files.keys()):
        yield name, old_files.get(name), new_files.get(name)


def folder_comparisons(old: Path, new: Path, *, masks: tuple[Mask, ...], renumber: bool) -> list[Comparison]:
    """Every conversation or snapshot of two folders (or files), paired by file and name."""
    comparisons: list[Comparison] = []
    for label, old_file, new_file in _pairs(old, new):
        snapshot = is_snapshot_file(old_file or new_file or Path(label))
        sides = [conversations_in(file) if file is not None else None for file in (old_file, new_file)]
        if renumber and not snapshot:  # fresh conversation ids too: pair them by first appearance
            sides = [
                None if side is None else {n: side[c] for n, c in snapshot_names(side, renumber=True).items()}
                for side in sides
            ]
        before, after = sides
        for name in sorted((before or {}).keys() | (after or {}).keys()):
            comparisons.append(
                Comparison(
                    test=label,
                    kind=ComparisonKind.SNAPSHOT if snapshot else ComparisonKind.CONVERSATION,
                    name=name,
                    old=None if before is None else before.get(name),
                    new=None if after is None else after.get(name),
                    old_path=None if old_file is None else shown_path(old_file),
                    new_path=None if new_file is None else shown_path(new_file),
                    masks=tuple(mask.selector for mask in masks),
                    renumber=renumber,
                    premasked=snapshot,
                )
            )
    return comparisons


def drift_comparisons(folder: Path) -> tuple[Comparison, ...]:
    manifest = DriftManifest.read(folder / "drift.json")
    rootdir = Path(manifest.rootdir)
    scratch = Scratch(folder, rootdir if rootdir.is_dir() else Path.cwd())
    return compare_entries(manifest.entries, scratch, manifest.reviewed).comparisons  # as it drifted


def write(
    path: Path,
    comparisons: list[Comparison] | tuple[Comparison, ...],
    gate: Gate,
    *,
    source: str,
    sides: tuple[str, str] = ("old", "new"),
) -> int:
    """Write the report; exit 1 when anything differs, like ``convreplay diff``."""
    write_report(path, comparisons, gate, title="convreplay report", source=source, sides=sides)
    differing = sum(comparison.differs for comparison in comparisons)
    print(
        f"convreplay report: {shown_path(path)} ({len(comparisons)} compared, {differing} with differences)"
    )
    return 1 if differing else 0
