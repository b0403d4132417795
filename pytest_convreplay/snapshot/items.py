"""What the plugin reads off pytest's test items: their marker options, where their files go, and
what collection produced.

pytest glue that is more than a line, kept out of ``plugin.py`` so that one reads as a table of
contents; it imports nothing heavy (the plugin loads it at start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ..config.options import Source, convert_options, merge_options, name_secrets
from ..config.paths import SNAPSHOT_SUFFIX, TestLocation, default_snapshot_path, resolve_file_option
from ..errors import ConfigError
from .session import NO_FILE, CollectionLog, module_of

PLUGIN_MODULE = "pytest_convreplay.plugin"


def marker_options(node: pytest.Item) -> dict[str, Any]:
    """The ``@pytest.mark.convreplay`` options of a test, the closest marker winning."""
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("convreplay"))):
        if marker.args:
            raise ConfigError(
                f"@pytest.mark.convreplay on {node.nodeid} takes keyword options only, got {marker.args!r}; "
                "name a cassette with cassette='name'"
            )
        options.update(marker.kwargs)
    return options


def location(node: pytest.Item) -> TestLocation:
    """The test's name for its files: every enclosing class, so nested classes of one name differ."""
    classes = [parent.name for parent in node.listchain() if isinstance(parent, pytest.Class)]
    return TestLocation(Path(node.config.rootpath), Path(node.path), ".".join([*classes, node.name]))


def note_collected(
    collector: pytest.Collector,
    report: pytest.CollectReport,
    log: CollectionLog,
    produced: dict[str, pytest.Item],
) -> None:
    """Note what a collector produced, before any other plugin filters its report."""
    result = list(report.result) if report.passed else []
    # A test file whose report lists nothing may have been skipped whole (--lf does that).
    if result or not isinstance(collector, pytest.File):
        log.collectors_done.add(collector.nodeid)
    for node in result:
        if isinstance(node, pytest.Item):
            if produced.setdefault(node.nodeid, node) is not node:
                log.ambiguous.add(node.nodeid)
        else:
            log.collectors_seen.add(node.nodeid)


class SnapshotClaims:
    """The snapshot file each collected test may own, worked out when the run is judged (see
    :meth:`SnapshotSession.resolve_claims <.session.SnapshotSession.resolve_claims>`): a test
    that names no ``snapshot_file`` in its marker owns one in its module's cassette folder, so
    when that folder holds no snapshot file (every module of a suite that never snapshots) it
    owns none that exists, which costs one look at the folder instead of the naming rule per test."""

    def __init__(self, ini: Mapping[str, Any], folders: Mapping[str, str]) -> None:
        self._ini = ini
        self._folders = folders  # module (the file part of node ids) -> its cassette folder
        self._has_snapshots: dict[str, bool] = {}
        self._default_fixture: dict[str, bool] = {}

    def path_of(self, item: pytest.Item) -> str | None:
        """:func:`known_snapshot_path`, or NO_FILE when it could only name a file that is not there."""
        parent = item.parent.nodeid if item.parent is not None else ""
        default = self._default_fixture.get(parent)
        if default is None:  # the fixtures in force are those of the test's parents
            default = self._default_fixture[parent] = _config_fixture_is_the_default(item)
        if not default:
            return None
        folder = self._folders.get(module_of(item.nodeid))
        names_a_file = item.get_closest_marker("convreplay") is not None and any(
            "snapshot_file" in marker.kwargs for marker in item.iter_markers("convreplay")
        )
        if folder is not None and not names_a_file and not self._holds_snapshots(folder):
            return NO_FILE
        return known_snapshot_path(item, self._ini)

    def _holds_snapshots(self, folder: str) -> bool:
        found = self._has_snapshots.get(folder)
        if found is None:
            found = next(Path(folder).glob(f"*{SNAPSHOT_SUFFIX}"), None) is not None
            self._has_snapshots[folder] = found
        return found


def known_snapshot_path(item: pytest.Item, ini: Mapping[str, Any]) -> str | None:
    """The test's snapshot file as collection can tell it (its marker's ``snapshot_file`` and the
    secrets its name must not show included), or None when a ``convreplay_config`` fixture of the
    project may decide it."""
    if not _config_fixture_is_the_default(item):
        return None
    where = location(item)
    cassette_dir = item.config.getini("convreplay_cassette_dir")
    try:
        marker = marker_options(item)
        secrets = name_secrets(merge_options([ini, convert_options(marker, Source(""))]))
    except ConfigError:  # a bad marker is the test's own error to report
        marker, secrets = {}, name_secrets(ini)
    path = resolve_file_option(marker.get("snapshot_file"), where, cassette_dir, SNAPSHOT_SUFFIX, secrets)
    return str(path or default_snapshot_path(where, cassette_dir, secrets))


def _config_fixture_is_the_default(item: pytest.Item) -> bool:
    """Whether the ``convreplay_config`` in force for ``item`` is the plugin's empty one."""
    manager = getattr(item.session, "_fixturemanager", None)  # pytest's own record of fixtures
    definitions = None
    for where in (item, item.nodeid):  # pytest 8.1 on takes the node, 8.0 its node id
        try:
            definitions = manager.getfixturedefs("convreplay_config", where)  # type: ignore[union-attr]
            break
        except (AttributeError, TypeError):
            continue
    else:
        return False  # unknown: the test's file is known only once it runs
    module = getattr(definitions[-1].func, "__module__", "") if definitions else ""
    return module == PLUGIN_MODULE or module.startswith(f"{PLUGIN_MODULE}.")
