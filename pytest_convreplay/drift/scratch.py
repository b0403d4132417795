"""The scratch folder of a drift run: where its recordings go, mirroring the committed layout.

A drift run writes nothing else. The folder is emptied at the start of a run, but only when it is
new, empty, or holds an earlier drift run (its manifest says so), so ``--convreplay-drift=.`` can
never wipe a project; it may not overlap the committed cassette folder either.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ..errors import ConfigError

DRIFT_EXIT_STATUS: Final = 6
"""The exit status of a drift run in which something drifted and no test failed (pytest's own
statuses are 0-5; a failure still exits 1)."""
DEFAULT_FOLDER: Final = "convreplay-drift"  # under pytest's cache folder: .pytest_cache/d/convreplay-drift
MANIFEST_NAME: Final = "drift.json"
REPORT_NAME: Final = "report.html"
REPLACED_FOLDER: Final = "_replaced"
"""Below the scratch folder: the committed files ``convreplay review`` replaced, as they were."""


@dataclass(frozen=True, slots=True)
class Scratch:
    """A drift run's folder: ``root`` mirrors the committed files found below ``rootdir``."""

    root: Path
    rootdir: Path

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def report(self) -> Path:
        return self.root / REPORT_NAME

    def mirror(self, committed: Path) -> Path:
        """Where the new version of a committed file goes: the same path below ``root``; a file
        outside the rootdir goes below ``_outside/<hash of its folder>``."""
        try:
            relative = committed.resolve().relative_to(self.rootdir.resolve())
        except ValueError:
            folder = hashlib.sha256(str(committed.parent.resolve()).encode()).hexdigest()[:12]
            relative = Path("_outside", folder, committed.name)
        return self.root / relative

    def pair(self, committed: Path) -> tuple[str, str]:
        """The manifest's record of a committed file and its mirror: both relative where they can be."""
        try:
            shown = str(committed.resolve().relative_to(self.rootdir.resolve()))
        except ValueError:
            shown = str(committed)
        return shown, str(self.mirror(committed).relative_to(self.root))

    def paths(self, pair: tuple[str, str]) -> tuple[Path, Path]:
        """The committed file and its new version, from the manifest's record of them."""
        return self.rootdir / pair[0], self.root / pair[1]

    def replaced(self, pair: tuple[str, str]) -> Path:
        """Where review keeps the committed file of ``pair`` it replaced, so that the run's record
        of what drifted outlives the adoption."""
        return self.root / REPLACED_FOLDER / pair[1]

    def prepare(self, cassette_dir: Path) -> None:
        """Empty the folder for a new run, refusing any folder that is not a drift run's own."""
        root, protected = self.root.resolve(), cassette_dir.resolve()
        if root == protected or root.is_relative_to(protected) or protected.is_relative_to(root):
            raise ConfigError(
                f"--convreplay-drift={self.root}: the scratch folder may not overlap the committed "
                f"cassette folder {cassette_dir}; choose another folder (default: under .pytest_cache)"
            )
        if root.exists() and not root.is_dir():
            raise ConfigError(
                f"--convreplay-drift={self.root}: not a folder; the drift check takes the folder to "
                "record into, as --convreplay-drift=DIR (test paths go after it)"
            )
        if root.is_dir() and any(root.iterdir()):
            if not (root / MANIFEST_NAME).is_file():
                raise ConfigError(
                    f"--convreplay-drift={self.root}: the folder is not empty and holds no earlier drift "
                    "run; a drift run empties its folder, so choose a new or empty one (a path after "
                    "--convreplay-drift without '=' is taken for its folder: put test paths first)"
                )
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
