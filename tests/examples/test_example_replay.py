"""The README's workflow on a cassette and a snapshot committed to this repository.

In CI this replays offline (no key, no network) and checks the snapshot. The files were recorded
from the built-in emulator, whose seed is deterministic; to record them again:

    convreplay serve --seed-mixed            # prints base_url and api_key
    OPENAI_BASE_URL=<base_url> OPENAI_API_KEY=<api_key> \\
        pytest --convreplay-record-mode=all --convreplay-update tests/test_example_replay.py -k snapshot
"""

from __future__ import annotations

import os

import openai
import pytest

from pytest_convreplay import CassetteHandle, SnapshotAssertion

CONVERSATION = "conv_ade9b2b4efdd35f80fa34266ccfdba9bba26d85135e8579a"  # the emulator's mixed seed
RECORDED = "test_history_replays_offline_and_matches_its_snapshot"


def client() -> openai.OpenAI:
    """Live when recording (the environment names the emulator); any address does for replay."""
    return openai.OpenAI(
        base_url=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        api_key=os.environ.get("OPENAI_API_KEY", "replay-needs-no-key"),
        max_retries=0,
    )


@pytest.mark.convreplay
def test_history_replays_offline_and_matches_its_snapshot(
    convreplay: CassetteHandle, conv_snapshot: SnapshotAssertion
) -> None:
    items = list(client().conversations.items.list(CONVERSATION, order="asc", limit=10))
    assert len(items) == len(convreplay.conversations[CONVERSATION]) == 34
    conv_snapshot.assert_match(items)


@pytest.mark.convreplay(cassette=RECORDED)
def test_a_page_size_and_order_never_recorded_are_served_from_the_same_cassette() -> None:
    ascending = [item.id for item in client().conversations.items.list(CONVERSATION, order="asc", limit=10)]
    descending = [item.id for item in client().conversations.items.list(CONVERSATION, order="desc", limit=7)]
    assert descending == ascending[::-1]
