"""An item type or field the models do not know is kept in the snapshot and reported once."""

from __future__ import annotations

import pytest


def test_unknown_types_and_fields_are_kept_and_reported_once_as_schema_drift(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_drifted_items="""
        ITEMS = [
            {"id": "msg_1", "type": "message", "role": "user", "status": "completed",
             "content": [{"type": "input_text", "text": "hi"}], "sentiment": "calm"},
            {"id": "hol_1", "type": "hologram_call", "status": "completed", "frames": 3},
        ]

        def test_first(conv_snapshot):
            conv_snapshot.assert_match(ITEMS)

        def test_second(conv_snapshot):
            conv_snapshot.assert_match(ITEMS)
        """
    )
    result = pytester.runpytest("--convreplay-update", "-W", "always::pytest_convreplay.SchemaDriftWarning")
    result.assert_outcomes(passed=2)
    output = result.stdout.str()
    assert output.count("SchemaDriftWarning") == 2  # one per (type, field), not one per test
    assert "sentiment" in output
    assert "hologram_call" in output
    snapshot = (pytester.path / "cassettes" / "test_drifted_items" / "test_second.snapshot.yaml").read_text()
    assert "sentiment: calm" in snapshot
    assert "frames: 3" in snapshot
