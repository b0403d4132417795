"""Adopting a drifted test's re-recording: its new cassette and snapshot file replace the committed
ones, each read back and validated, then written through the gate."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConvreplayError
from ..gate import Gate
from ..storage.cassette import cassette_document, load_cassette
from ..storage.snapshots import read_snapshots, snapshot_document, snapshot_header
from ..storage.write import PreparedWrite, Rendered, prepare_write
from .manifest import DriftEntry
from .scratch import Scratch


def _checked(scratch: Scratch, pair: tuple[str, str]) -> tuple[Path, Path]:
    """The files of a manifest entry, refused unless the committed one is a YAML file inside the
    project and the new one lies in the drift folder: a manifest is a file anyone could have edited
    (a downloaded CI artifact), and accepting writes where it says."""
    committed, new = scratch.paths(pair)
    inside = committed.resolve().is_relative_to(scratch.rootdir.resolve())
    if (
        not inside
        or committed.suffix not in (".yaml", ".yml")
        or not new.resolve().is_relative_to(scratch.root.resolve())
    ):
        raise ConvreplayError(
            f"{scratch.manifest}: refusing to adopt {pair[1]!r} as {pair[0]!r}: only YAML files inside "
            f"{scratch.rootdir} are replaced by files of the drift folder; copy this one by hand"
        )
    return committed, new


def adopt(entry: DriftEntry, scratch: Scratch, gate: Gate) -> list[str]:
    """Replace the committed files of ``entry`` by the drift run's; returns what was written.
    Every file is read and judged before any is written, so a refusal changes nothing. Each
    replaced file is kept first, as it was, in the drift folder (:meth:`Scratch.replaced`)."""
    kept: list[PreparedWrite] = []
    writes: list[PreparedWrite] = []
    if entry.cassette is not None:
        committed, new = _checked(scratch, entry.cassette)
        if new.exists():
            kept += _keep(committed, scratch.replaced(entry.cassette), gate)
            loaded = load_cassette(new)
            writes.append(
                prepare_write(committed, cassette_document(loaded.interactions, loaded.metadata), gate)
            )
    if entry.snapshot is not None:
        committed, new = _checked(scratch, entry.snapshot)
        if new.exists():
            kept += _keep(committed, scratch.replaced(entry.snapshot), gate)
            document = snapshot_document(read_snapshots(new))
            writes.append(prepare_write(committed, document, gate, header=snapshot_header(entry.test)))
    for write in (*kept, *writes):
        write.commit()
    return [str(write.path) for write in writes]


def _keep(committed: Path, kept: Path, gate: Gate) -> list[PreparedWrite]:
    """The write of ``committed``'s text, unchanged, to ``kept`` (none when nothing is committed)."""
    try:
        text = committed.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [prepare_write(kept, Rendered(text, text), gate)]
