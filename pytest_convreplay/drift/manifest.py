"""The manifest of a drift run: which test wrote which files where, with the masks and id options
its comparison needs, so ``convreplay report`` and ``convreplay review`` can redo and act on it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..errors import ConvreplayError
from ..gate import Gate
from ..storage.write import write_document

MANIFEST_VERSION: Final = 1
FilePair = tuple[str, str]
"""A committed file (relative to the rootdir) and its new version (relative to the scratch folder)."""


@dataclass(frozen=True, slots=True)
class DriftEntry:
    """One test of a drift run; paths are relative (committed ones to the rootdir, new ones to the
    scratch folder), so a manifest kept as a CI artifact still reads elsewhere."""

    test: str
    passed: bool
    cassette: FilePair | None = None
    snapshot: FilePair | None = None
    masks: tuple[str, ...] = ()
    renumber: bool = False

    def to_data(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "passed": self.passed,
            "cassette": list(self.cassette) if self.cassette else None,
            "snapshot": list(self.snapshot) if self.snapshot else None,
            "masks": list(self.masks),
            "renumber": self.renumber,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DriftEntry:
        def pair(value: Any) -> FilePair | None:
            return (str(value[0]), str(value[1])) if value else None

        return cls(
            test=str(data["test"]),
            passed=bool(data["passed"]),
            cassette=pair(data.get("cassette")),
            snapshot=pair(data.get("snapshot")),
            masks=tuple(data.get("masks") or ()),
            renumber=bool(data.get("renumber")),
        )


@dataclass(slots=True)
class DriftManifest:
    """What a drift run did, and what review decided since (test → ``accepted`` / ``rejected``)."""

    rootdir: str
    entries: list[DriftEntry] = field(default_factory=list)
    reviewed: dict[str, str] = field(default_factory=dict)
    finished: bool = False

    def to_data(self) -> dict[str, Any]:
        return {
            "convreplay_drift": MANIFEST_VERSION,
            "rootdir": self.rootdir,
            "finished": self.finished,
            "entries": [entry.to_data() for entry in self.entries],
            "reviewed": dict(sorted(self.reviewed.items())),
        }

    def write(self, path: Path, gate: Gate) -> None:
        write_document(path, self.to_data(), gate)

    @classmethod
    def read(cls, path: Path) -> DriftManifest:
        """The manifest at ``path`` (a drift folder's ``drift.json``); errors say what to run."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConvreplayError(
                f"{path}: no drift run here; run pytest --convreplay-drift first", path=path
            ) from None
        except (OSError, ValueError) as error:
            raise ConvreplayError(f"{path}: not a drift manifest ({error})", path=path) from None
        if not isinstance(data, dict) or data.get("convreplay_drift") != MANIFEST_VERSION:
            raise ConvreplayError(f"{path}: not a version {MANIFEST_VERSION} drift manifest", path=path)
        return cls(
            rootdir=str(data.get("rootdir") or ""),
            entries=[DriftEntry.from_data(entry) for entry in data.get("entries") or ()],
            reviewed={str(k): str(v) for k, v in (data.get("reviewed") or {}).items()},
            finished=bool(data.get("finished")),
        )
