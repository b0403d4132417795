"""A diff says which side is which, hints at renumber_ids when every id differs, and a snapshot
of one page of a longer listing warns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.files import snapshots_yaml

MINUS = "\u2212"
SUITE = """
    import os

    import openai
    import pytest


    def items(prefix, text):
        return [{{"id": f"{{prefix}}_{{n}}", "type": "message", "role": "user", "status": "completed",
                  "content": [{{"type": "input_text", "text": f"{{text}} {{n}}"}}]}} for n in range(3)]


    def test_changed(conv_snapshot):
        conv_snapshot.assert_match(items("msg", "{text}"))


    def test_fresh_ids(conv_snapshot):
        conv_snapshot.assert_match(items("{prefix}", "same"))
"""


def suite(pytester: pytest.Pytester, text: str = "hello", prefix: str = "msg") -> None:
    pytester.makepyfile(test_sides=SUITE.format(text=text, prefix=prefix))


def test_a_snapshot_diff_names_its_sides_and_hints_at_renumber_ids(pytester: pytest.Pytester) -> None:
    suite(pytester)
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    suite(pytester, text="goodbye", prefix="new")

    result = pytester.runpytest()

    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [f"*snapshot → now: 3 → 3 items: +0 {MINUS}0 ↕0 ~3", '*"hello 0" → "goodbye 0"']
    )
    result.stdout.fnmatch_lines(
        [f"*snapshot → now: 3 → 3 items: +3 {MINUS}3 ↕0 ~0", "*every item id differs*with renumber_ids=True"]
    )
    assert result.stdout.str().count("every item id differs") == 1  # not for a field change
    result.stdout.fnmatch_lines(["FAILED test_sides.py::test_changed - *SnapshotMismatch: *"])


def test_convreplay_diff_names_the_files_and_its_own_flag(tmp_path: Path) -> None:
    item = {"type": "message", "role": "user", "content": []}
    old, new = tmp_path / "old.snapshot.yaml", tmp_path / "new.snapshot.yaml"
    old.write_text(snapshots_yaml({"default": [{"id": "msg_1", **item}]}))
    new.write_text(snapshots_yaml({"default": [{"id": "msg_9", **item}]}))

    result = subprocess.run(
        [sys.executable, "-m", "pytest_convreplay.cli", "diff", str(old), str(new)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert f"{old} → {new}: 1 → 1 items: +1 {MINUS}1" in result.stdout
    assert "with --renumber-ids" in result.stdout


def test_one_page_of_a_longer_listing_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_page="""
        import openai

        def test_page(conversations_api, conv_snapshot):
            conversation = conversations_api.seed_conversation(5)
            client = openai.OpenAI(base_url=conversations_api.base_url, api_key=conversations_api.api_key)
            conv_snapshot.assert_match(client.conversations.items.list(conversation, limit=2))
            conv_snapshot["envelope"].assert_match({"object": "list", "data": [], "has_more": True})
            conv_snapshot["whole"].assert_match(list(client.conversations.items.list(conversation, limit=2)))
        """
    )

    result = pytester.runpytest("--convreplay-update")

    result.assert_outcomes(passed=1)
    warnings = [line for line in result.outlines if "ConvreplayWarning" in line]
    assert len(warnings) == 2, result.stdout.str()
    assert (
        "test_page.py:6: ConvreplayWarning: test_page.py::test_page: the snapshot is one page" in warnings[0]
    )
    assert "(2 items, has_more is true)" in warnings[0]
