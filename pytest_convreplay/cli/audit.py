"""What ``convreplay show`` and ``convreplay verify`` report about cassette files.

Both read cassettes the way replay does (``storage.cassette.load_cassette``) and judge pagination
the way recording does (``model.chains.check_chains``), so a file that passes ``verify`` replays.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CassetteError, SnapshotError
from ..model.chains import Severity, check_chains
from ..model.conversations import rebuild_conversations
from ..model.pages import read_request
from ..storage.cassette import load_cassette, recorded_at
from ..storage.snapshots import is_snapshot_file, read_snapshots


def cassette_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named (cassettes and snapshot files alike, as a shell glob gives them) and the
    cassettes found below the folders named. A folder with no cassette below it (a typo in CI) is
    an error rather than a silent pass."""
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml") and not is_snapshot_file(p) and p.is_file()
            )
            if not found:
                raise CassetteError(f"{path}: no cassette (*.yaml, *.yml) below this folder", path=Path(path))
            yield from found
        else:
            yield path


def show_snapshots(path: Path) -> str:
    """A snapshot file's names and item counts."""
    snapshots = read_snapshots(path)
    lines = [f"{path}", f"  snapshot file: {len(snapshots)} snapshot{'s' if len(snapshots) != 1 else ''}"]
    lines += [f"    {name}: {len(items)} items" for name, items in snapshots.items()]
    return "\n".join(lines)


def show(path: Path) -> str:
    """A readable summary: interactions, then one row per conversation with pages and items."""
    if is_snapshot_file(path):
        return show_snapshots(path)
    loaded = load_cassette(path)
    interactions = loaded.interactions
    statuses = Counter(i["response"]["status"]["code"] for i in interactions)
    pages = Counter(
        request.conversation_id
        for i in interactions
        if (request := read_request(i["request"]["method"], i["request"]["uri"])) and request.item_id is None
    )
    lines = [
        f"{path}",
        f"  {len(interactions)} interactions ("
        + ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
        + ")",
    ]
    when = recorded_at(loaded.metadata)
    if when is not None:
        urls = loaded.metadata.get("base_urls") or []
        shown = ", ".join(map(str, urls)) if isinstance(urls, list) else str(urls)
        lines.append(f"  recorded {when.isoformat()} from {shown}")
    records = rebuild_conversations(interactions)
    if records:
        width = max(len(cid) for cid in records)
        lines.append(f"  {'conversation':<{width}}  pages  items  complete  include")
        for cid, record in records.items():
            include = ", ".join(sorted(record.include)) or "-"
            lines.append(
                f"  {cid:<{width}}  {pages[cid]:>5}  {len(record.items):>5}  "
                f"{'yes' if record.complete else 'no':>8}  {include}"
            )
            kinds = Counter(str(item.get("type")) for item in record.items)
            lines.append("    " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
    return "\n".join(lines)


@dataclass(slots=True)
class Verdict:
    """Problems found in one file; notes do not fail verification."""

    path: Path
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def verify(path: Path, *, max_age: dt.timedelta | None = None) -> Verdict:
    """Loadability, pagination rules and (when ``max_age`` is given) metadata age of one cassette."""
    verdict = Verdict(path)
    if is_snapshot_file(path):
        try:
            read_snapshots(path)
        except SnapshotError as error:
            verdict.errors.append(str(error))
        return verdict
    try:
        loaded = load_cassette(path)
    except (CassetteError, FileNotFoundError) as error:
        verdict.errors.append(str(error) if isinstance(error, CassetteError) else f"{path}: no such file")
        return verdict
    for problem in check_chains(loaded.interactions):
        (verdict.errors if problem.severity is Severity.ERROR else verdict.notes).append(str(problem))
    when = recorded_at(loaded.metadata)
    if when is None:
        verdict.notes.append("no recorded_at metadata (recorded by plain vcrpy?)")
    elif max_age is not None and dt.datetime.now(dt.UTC) - when > max_age:
        verdict.errors.append(f"recorded {when.isoformat()}, older than max_age {max_age}")
    return verdict
