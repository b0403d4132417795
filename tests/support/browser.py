"""Debian's Chromium driven by Playwright for Python, kept off the network.

Playwright's own browser download is not reachable here, so it is pointed at ``/usr/bin/chromium``;
as root Chromium needs ``--no-sandbox``, and the other flags stop its background requests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Final

CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_browser() -> str | None:
    """Why no browser test can run here, or None when Playwright and Chromium are both installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install -y chromium)"
    return None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))


def artifacts() -> Path:
    """Where tests keep what a person may want to look at after a CI run."""
    folder = Path(os.environ.get("CONVREPLAY_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
