"""Downstream suites the plugin tests run through pytester, and the environment they run in."""

from __future__ import annotations

import pytest

_ITEMS = """
def items(text):
    return [{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
             "content": [{"type": "input_text", "text": text}]}]
"""
MARKED_TESTS = """
import pytest

@pytest.mark.convreplay
def test_a():
    pass

@pytest.mark.convreplay
def test_b():
    pass
"""
"""Two tests under the marker that make no request: for the errors of their options."""
SECRET_ENV = ("CI", "OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")


def snapshot_suite(pytester: pytest.Pytester, **texts: str) -> None:
    """``test_plain.py``: one test per keyword (``a="x"`` → ``test_a``) snapshotting a message
    with that text, no cassette involved."""
    tests = "".join(
        f"\n\ndef test_{name}(conv_snapshot):\n    conv_snapshot.assert_match(items({text!r}))\n"
        for name, text in texts.items()
    )
    pytester.makepyfile(test_plain=_ITEMS + tests)


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suites run in this process: neither this machine's CI nor its keys may leak in."""
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
