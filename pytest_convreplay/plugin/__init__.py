"""pytest glue: the plugin pytest loads (entry point ``pytest11: convreplay``), one module a feature.

Every decision lives in the stages these modules call; here pytest meets them: the options and
the start-up check (``startup``), one test's settings (``settings``), the cassette and its
fixtures (``cassette``), snapshots (``snapshots``), which tests own which snapshot files and the
end of the run (``ownership``), and what leaves the process (``reporting``). Start-up stays light:
vcrpy, the emulator, the item models and the YAML stages are imported only when a test uses the
plugin, so a suite that never does pays almost nothing for having it installed.
"""

from .cassette import (
    _convreplay_cassette,
    conversations_api,
    convreplay,
    convreplay_config,
    pytest_runtest_setup,
)
from .keys import RECORDING
from .ownership import (
    pytest_collection_finish,
    pytest_make_collect_report,
    pytest_sessionfinish,
    pytest_testnodedown,
)
from .reporting import (
    pytest_runtest_makereport,
    pytest_runtest_protocol,
    pytest_terminal_summary,
    pytest_warning_recorded,
)
from .snapshots import conv_snapshot, pytest_assertrepr_compare, pytest_runtest_call
from .startup import pytest_addoption, pytest_configure, pytest_configure_node, pytest_report_header

__all__ = [  # what pytest collects from this module: hooks and fixtures, and the stash key tests read
    "RECORDING",
    "_convreplay_cassette",
    "conv_snapshot",
    "conversations_api",
    "convreplay",
    "convreplay_config",
    "pytest_addoption",
    "pytest_assertrepr_compare",
    "pytest_collection_finish",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_make_collect_report",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_testnodedown",
    "pytest_warning_recorded",
]
