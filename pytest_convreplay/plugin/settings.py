"""One test's Settings from the ini, its convreplay_config fixture and its marker, each source named."""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..config.options import (
    Source,
    build_settings,
    convert_options,
    running_in_ci,
)
from ..config.settings import RecordMode, Settings
from ..errors import ConfigError
from ..snapshot.items import location, marker_options
from .keys import DRIFT_HOOKS, INI, INI_SOURCE, PARSED_CACHE, SESSION

PARSED_FOLDER = "convreplay-parsed"  # storage.parsed.FOLDER; that module loads PyYAML, so not at start-up

if TYPE_CHECKING:
    from ..drift.run import DriftHooks


def _fixture_source(request: pytest.FixtureRequest) -> Source:
    """``convreplay_config in tests/conftest.py``: the file of the definition in force."""
    try:
        definition = request._get_active_fixturedef("convreplay_config")  # pytest's own record of it
        file = inspect.getsourcefile(definition.func)
    except (AttributeError, TypeError, ValueError):
        file = None
    if file is None:
        return Source("convreplay_config fixture")
    return Source(f"convreplay_config in {os.path.relpath(file, request.config.rootpath)}")


def _fixture_options(value: object, source: Source) -> Mapping[str, Any]:
    """What a project's ``convreplay_config`` returned, which must be a mapping of options (only
    its type is named: the value may hold a secret)."""
    if isinstance(value, Mapping):
        return value
    returned = "None" if value is None else f"a {type(value).__name__}"
    raise ConfigError(
        f"{source.where} returned {returned}; it must return a dict of convreplay options, such as "
        "{'record_mode': 'once'} ({} for none)",
        option="convreplay_config",
        source=source.where,
    )


def _parsed_cache_dir(config: pytest.Config) -> Path | None:
    """Where parsed cassettes are kept: a folder of pytest's cache (none with ``-p no:cacheprovider``
    or when it cannot be created)."""
    if PARSED_CACHE not in config.stash:
        cache = getattr(config, "cache", None)
        folder: Path | None = None
        if cache is not None:
            with contextlib.suppress(OSError):
                folder = cache.mkdir(PARSED_FOLDER)
        config.stash[PARSED_CACHE] = folder
    return config.stash[PARSED_CACHE]


def _settings(request: pytest.FixtureRequest) -> Settings:
    config = request.config
    node = request.node
    cli_mode = config.getoption("--convreplay-record-mode")
    sources = [
        config.stash[INI_SOURCE],
        _fixture_source(request),
        Source(f"@pytest.mark.convreplay on {node.nodeid}"),
    ]
    fixture = _fixture_options(request.getfixturevalue("convreplay_config"), sources[1])
    settings = build_settings(
        location(node),
        [
            config.stash[INI],
            convert_options(fixture, sources[1]),
            convert_options(marker_options(node), sources[2]),
        ],
        sources=sources,
        cli_record_mode=RecordMode(cli_mode) if cli_mode else None,
        update_snapshots=config.getoption("--convreplay-update"),
        pending_snapshots=config.getoption("--convreplay-pending"),
        ci=running_in_ci(),
        cassette_dir=config.getini("convreplay_cassette_dir"),
        parsed_cache_dir=_parsed_cache_dir(config),
    )
    config.stash[SESSION].uses(node.nodeid, str(settings.snapshot_path))
    drift: DriftHooks | None = config.pluginmanager.get_plugin(DRIFT_HOOKS)
    return settings if drift is None else drift.run.redirect(settings, node.nodeid)
