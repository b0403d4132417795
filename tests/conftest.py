"""Shared set-up for the plugin's own tests."""

from __future__ import annotations

import os

# pytester's in-process runs unload every module a run imported, and extension modules (PyYAML's
# libyaml binding, pydantic-core) cannot be loaded twice; what the plugin imports only when a test
# uses it is imported once here, before any in-process run. The HTTP clients and their cores too:
# httpx maps httpcore's errors by the classes it met first, and vcrpy keeps the transports it
# patched, so a module imported afresh by a later run would be another class to them.
import httpcore  # noqa: F401
import httpcore2  # noqa: F401
import httpx  # noqa: F401
import httpx2  # noqa: F401
import markupsafe  # noqa: F401  (its C speedups cannot be loaded twice)
import openai  # noqa: F401
import pytest
from hypothesis import HealthCheck, settings

import pytest_convreplay.drift.run
import pytest_convreplay.emulator
import pytest_convreplay.model.items
import pytest_convreplay.record.vcr
import pytest_convreplay.report.html
import pytest_convreplay.snapshot.assertion
import pytest_convreplay.snapshot.report  # noqa: F401


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop the openai SDK is used with most."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The downstream suites these tests run behave as on a developer's machine even when this
    suite itself runs in CI; a test about CI behaviour sets CI itself."""
    monkeypatch.delenv("CI", raising=False)


# Property tests have no per-example deadline: speed is measured under bench/, and a slow shared
# machine must not turn a correct example red. In CI they draw the same examples on every run, so
# a red build is reproducible; on a developer's machine they keep exploring new ones.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("dev"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
