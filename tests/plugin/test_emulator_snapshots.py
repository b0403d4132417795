"""Snapshots of the plugin's own emulator are clean: it stores items with the defaults the item
models require (as the API does), and a warning the plugin does raise points at the user's test."""

from __future__ import annotations

import pytest

EMULATOR_SUITE = """
    import openai
    import pytest


    @pytest.mark.convreplay
    def test_added_items(conversations_api, conv_snapshot):
        conversation = conversations_api.create_conversation()
        conversations_api.add_items(conversation, [
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]},
            {"type": "message", "role": "user", "content": "plain text"},
            {"type": "reasoning", "id": "rs_1"},
        ])
        client = openai.OpenAI(base_url=conversations_api.base_url, api_key=conversations_api.api_key)
        conv_snapshot.assert_match(list(client.conversations.items.list(conversation, order="asc")))


    @pytest.mark.convreplay(snapshot=True)
    def test_auto_snapshot_of_an_sdk_created_conversation(conversations_api):
        client = openai.OpenAI(base_url=conversations_api.base_url, api_key=conversations_api.api_key)
        part = {"type": "output_text", "text": "Hi"}
        conversation = client.conversations.create(
            items=[{"type": "message", "role": "assistant", "content": [part]}]
        )
        list(client.conversations.items.list(conversation.id))
"""
DRIFT = "pytest_convreplay.SchemaDriftWarning"


def test_snapshots_of_emulator_data_raise_no_schema_drift(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_emulated=EMULATOR_SUITE)

    result = pytester.runpytest(
        "--convreplay-record-mode=once", "--convreplay-update", "-W", f"error::{DRIFT}"
    )

    result.assert_outcomes(passed=2)
    pytester.runpytest("-W", f"error::{DRIFT}").assert_outcomes(passed=2)


DRIFTING = """
    import pytest

    ITEM = {{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
             "content": [], "{field}": "new"}}


    def test_explicit(conv_snapshot):
        conv_snapshot.assert_match([ITEM])


    @pytest.mark.convreplay(snapshot=True, masks=["message.sumary"])
    def test_auto(conversations_api):
        import httpx
        conversation = conversations_api.create_conversation([ITEM | {{"id": "msg_2", "{field}2": 1}}])
        httpx.get(f"{{conversations_api.base_url}}/conversations/{{conversation}}/items",
                  headers={{"authorization": f"Bearer {{conversations_api.api_key}}"}})
"""


def test_a_schema_drift_warning_points_at_the_test_not_at_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drifting=DRIFTING.format(field="warned_where_the_test_is"))

    result = pytester.runpytest(
        "--convreplay-record-mode=once", "--convreplay-update", "-W", f"always::{DRIFT}"
    )

    result.assert_outcomes(passed=2)
    warnings = [line for line in result.outlines if "Warning:" in line]
    assert len(warnings) == 3  # the field of each test, and the auto snapshot's typo'd mask
    assert all("test_drifting.py:" in line for line in warnings), warnings
    assert "pytest_convreplay" not in "\n".join(warnings).split("Warning:")[0]
