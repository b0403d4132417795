"""Shared set-up for the plugin's own tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop the openai SDK is used with most."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The downstream suites these tests run behave as on a developer's machine even when this
    suite itself runs in CI; a test about CI behaviour sets CI itself."""
    monkeypatch.delenv("CI", raising=False)


# In CI, property tests draw the same examples on every run, so a red build is reproducible; on a
# developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
