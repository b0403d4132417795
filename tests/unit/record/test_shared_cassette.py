"""Tests on different xdist workers may share one cassette: each save adds to what the other saved."""

from __future__ import annotations

from pathlib import Path

import httpx

from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette
from pytest_convreplay.storage.cassette import load_cassette


def test_two_recordings_of_one_cassette_both_survive_in_either_save_order(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    settings = Settings(cassette_path=path, snapshot_path=path, record_mode=RecordMode.ONCE)
    with ConversationsEmulator() as api:
        first, second = api.seed_conversation(3), api.seed_conversation(4)
        # Both load the (missing) cassette before either saves, as two workers would.
        recordings = [Recording(settings, nodeid="w1"), Recording(settings, nodeid="w2")]
        for recording, conversation in zip(recordings, (first, second), strict=True):
            with use_cassette(recording), httpx.Client(base_url=api.base_url) as client:
                client.get(
                    f"/conversations/{conversation}/items", headers={"authorization": f"Bearer {api.api_key}"}
                )
        for recording in reversed(recordings):
            recording.save()
    uris = [interaction["request"]["uri"] for interaction in load_cassette(path).interactions]
    assert len(uris) == 2
    assert {first, second} == {uri.split("/conversations/")[1].split("/")[0] for uri in uris}
