"""The project's pytest configuration as pytest itself finds it, for the ``convreplay`` command.

``convreplay scan`` and ``redact`` apply the rules and secrets a test of the project gets from its
ini, so they ask pytest's own machinery (the same discovery of ``pytest.toml``, ``pytest.ini``,
``pyproject.toml``, ``tox.ini``, ``setup.cfg``, section-less files, ``-o`` in ``PYTEST_ADDOPTS``)
instead of a copy of it that could disagree with the installed pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError
from .options import ini_source, read_ini
from .settings import Settings


def project_settings() -> tuple[Settings, str | None]:
    """The Settings the project's ini gives (no test, so no file paths), and the file pytest read."""
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
