"""Shared set-up for the plugin's own tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, the loop the openai SDK is used with most."""
    return "asyncio"
