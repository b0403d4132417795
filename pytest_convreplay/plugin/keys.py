"""Stash keys: where the plugin keeps what one run, one test and one xdist worker know."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..config.options import (
    IniSource,
)
from ..snapshot.session import CollectionLog, SnapshotSession

if TYPE_CHECKING:
    from ..record.recording import Recording
    from ..snapshot.file import SnapshotFile
    from ..snapshot.report import SnapshotReport


CALL_EXCEPTION = pytest.StashKey[BaseException | None]()


RECORDING: pytest.StashKey[Recording] = pytest.StashKey()


SNAPSHOTS: pytest.StashKey[SnapshotFile] = pytest.StashKey()


TEST_FAILED = pytest.StashKey[bool]()


SESSION = pytest.StashKey[SnapshotSession]()


COLLECTION = pytest.StashKey[CollectionLog]()


PRODUCED = pytest.StashKey[dict[str, pytest.Item]]()  # every test the collectors produced, by node id


REPORT: pytest.StashKey[SnapshotReport] = pytest.StashKey()


INI = pytest.StashKey[Mapping[str, Any]]()  # the project's ini options, converted once at start-up


INI_SOURCE = pytest.StashKey[IniSource]()


BLOCKS_NETWORK = pytest.StashKey[bool]()  # --convreplay-block-network or its ini, read at start-up


RUN_STARTED = pytest.StashKey[int]()  # time.time_ns() when this pytest run (or its xdist controller) began


RUN_STARTED_KEY = "convreplay_run_started_ns"


PARSED_CACHE = pytest.StashKey[Path | None]()  # the folder of parsed cassettes, found on first use


DRIFT_HOOKS, REPORT_HOOKS = "convreplay-drift", "convreplay-report"  # plugin names, registered when asked
