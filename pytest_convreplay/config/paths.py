"""Where a test's files go: the cassette and snapshot paths derived from the test's location.

``<rootdir>/<cassette_dir>/<test module path without .py>/<test name>.yaml``, the snapshot file
beside it; a name a user gives is resolved inside the test module's cassette folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TestLocation:
    """Where a test lives, which decides where its files go by default."""

    __test__ = False  # a "Test…" name pytest must not collect

    rootdir: Path
    module_path: Path  # the test file
    test_name: str  # the test's name, with its class and parameters (``TestX.test_y[1]``)


def default_cassette_path(location: TestLocation, cassette_dir: str) -> Path:
    """``<rootdir>/<cassette_dir>/<test module path without .py>/<test name>.yaml``."""
    return _module_folder(location, cassette_dir) / f"{_safe_name(location.test_name)}.yaml"


def default_snapshot_path(location: TestLocation, cassette_dir: str) -> Path:
    """``<test name>.snapshot.yaml`` beside the default cassette: one file per test, also when tests
    share a cassette, so their snapshots never overwrite each other."""
    return _module_folder(location, cassette_dir) / f"{_safe_name(location.test_name)}.snapshot.yaml"


def _module_folder(location: TestLocation, cassette_dir: str) -> Path:
    base = Path(cassette_dir)
    base = base if base.is_absolute() else location.rootdir / base
    return base / _module_part(location.module_path, location.rootdir).with_suffix("")


def _module_part(module: Path, rootdir: Path) -> Path:
    """The test file's path below the rootdir. A file outside it keeps its path from the rootdir,
    each ``..`` written ``_up`` (``../sdk_a/test_sdk.py`` → ``_up/sdk_a/test_sdk.py``), so two
    folders that each hold a ``test_sdk.py`` never share files and the cassette folder is never
    left; on another drive, the folder's name and a short hash of its path stand in."""
    try:
        return module.relative_to(rootdir)
    except ValueError:
        pass
    try:
        relative = Path(os.path.relpath(module, rootdir))
    except ValueError:  # Windows: another drive has no path from the rootdir
        digest = hashlib.sha256(str(module.parent).encode()).hexdigest()[:8]
        return Path("_outside", f"{module.parent.name}-{digest}", module.name)
    return Path(*("_up" if part == ".." else part for part in relative.parts))


def _safe_name(name: str) -> str:
    """Parametrized ids may hold characters no filesystem likes; keep the rest readable. A name that
    had to change gets a short hash of the original, so ``x/y`` and ``x:y`` keep separate files."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)
    if safe == name:
        return name
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def resolve_file_option(value: object, location: TestLocation, cassette_dir: str, suffix: str) -> Path | None:
    """A user-given file name: absolute as is, otherwise inside the test module's cassette folder."""
    if value is None:
        return None
    path = Path(str(value))
    if not path.name.lower().endswith((".yaml", ".yml")):  # "gpt-4.1" is a name, not a suffix
        path = path.with_name(path.name + suffix)
    # normpath: "../other_test/x" must not need the module's own folder to exist first
    return Path(
        os.path.normpath(path if path.is_absolute() else _module_folder(location, cassette_dir) / path)
    )
