"""The project's pytest configuration as pytest itself finds it, for the ``convreplay`` command.

``convreplay scan`` and ``redact`` apply the rules and secrets a test of the project gets from its
ini, so they ask pytest's own machinery (the same discovery of ``pytest.toml``, ``pytest.ini``,
``pyproject.toml``, ``tox.ini``, ``setup.cfg``, section-less files, ``-o`` in ``PYTEST_ADDOPTS``)
instead of a copy of it that could disagree with the installed pytest.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import ConfigError
from .options import ini_source, read_ini
from .settings import Settings

_CONFIG_FILES = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)
"""Every file name pytest's discovery reads, in any folder from here up."""


def may_set_convreplay_options(start: Path | None = None) -> bool:
    """Whether the project could set a ``convreplay_`` option at all: some configuration file pytest
    might read (in this folder or one above it) mentions one, or ``PYTEST_ADDOPTS`` is set (it
    may name another file). When not, the project's settings are the defaults, and pytest (which
    loads every installed plugin to read them, seconds in a large environment) is not asked."""
    if os.environ.get("PYTEST_ADDOPTS", "").strip():
        return True
    folder = (start or Path.cwd()).resolve()
    for place in (folder, *folder.parents):
        for name in _CONFIG_FILES:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                if "convreplay_" in (place / name).read_text(encoding="utf-8", errors="replace"):
                    return True
    return False


_MOVE_THE_CACHE = ("cache_dir", "cacheprovider", "rootdir")
"""What in a configuration file may put pytest's cache elsewhere or turn it off."""


def pytest_cache_dir(start: Path | None = None) -> Path | None:
    """pytest's cache folder of the project (``.pytest_cache`` in the folder pytest roots it at)
    when it is there already, for the command to reuse what the project's test runs keep.

    The cache is looked for from here up to the first folder with a configuration file pytest
    reads, where pytest roots a project in the usual layout (where it roots one elsewhere, none is
    found). Whatever might move or disable it (``PYTEST_ADDOPTS``; ``cache_dir``,
    ``-p no:cacheprovider``, ``--rootdir`` in a configuration file on the way) means no cache.
    Either way the command is then merely slower, never pointed at a folder pytest would not use.
    Only a folder pytest made (its ``.gitignore`` keeps it out of git) counts: this creates none."""
    if os.environ.get("PYTEST_ADDOPTS", "").strip():
        return None
    try:
        folder = (start or Path.cwd()).resolve()
    except OSError:  # a working folder since deleted: no project to find
        return None
    for place in (folder, *folder.parents):
        configured = False
        for name in _CONFIG_FILES:
            try:
                text = (place / name).read_text(encoding="utf-8", errors="replace")
            except (OSError, UnicodeDecodeError):
                continue
            if any(word in text for word in _MOVE_THE_CACHE):
                return None
            configured = True
        cache = place / ".pytest_cache"
        if (cache / ".gitignore").is_file() and not cache.is_symlink():  # made by pytest: never committed
            return cache
        if configured:  # pytest roots the project here, or above only with a file we passed over
            return None
    return None


def project_settings() -> tuple[Settings, str | None]:
    """The Settings the project's ini gives (no test, so no file paths), and the file pytest read."""
    if not may_set_convreplay_options():
        return Settings(cassette_path=Path(os.devnull), snapshot_path=Path(os.devnull)), None
    from _pytest.config import _prepareconfig

    # the ini is what the command needs; the project's conftest.py files may import its test
    # dependencies, which the machine running ``convreplay`` need not have
    args = ["-p", "no:cacheprovider", "--noconftest"]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        args += ["-p", "pytest_convreplay.plugin"]
    try:
        config = _prepareconfig(args)
    except Exception as error:  # a UsageError, or any plugin pytest loads failing to import
        raise ConfigError(
            f"the project's pytest configuration cannot be read: {type(error).__name__}: {error}"
        ) from None
    try:
        overridden = frozenset(
            entry.partition("=")[0].removeprefix("convreplay_") for entry in config.option.override_ini or ()
        )
        source = ini_source(config.inipath, overridden)
        options = read_ini(config.getini, source)
    finally:
        config._ensure_unconfigure()
    fields = {name: value for name, value in options.items() if name not in ("cassette", "snapshot_file")}
    settings = Settings(cassette_path=Path(os.devnull), snapshot_path=Path(os.devnull), **fields)
    return settings, source.where if options and config.inipath is not None else None
