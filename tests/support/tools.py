"""Cassettes recorded from the emulator for the command-line and age tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette


def record(path: Path, conversation_items: int = 25, limit: int = 10) -> str:
    """A cassette of one full listing, recorded from the emulator with plain httpx."""
    import httpx

    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(conversation_items, kind="mixed")
        recording = Recording(
            Settings(cassette_path=path, snapshot_path=path, record_mode=RecordMode.ALL), nodeid="tools"
        )
        with use_cassette(recording), httpx.Client(base_url=api.base_url) as client:
            params: dict[str, str | int] = {"limit": limit, "order": "asc"}
            headers = {"authorization": f"Bearer {api.api_key}"}
            while True:
                page = client.get(
                    f"/conversations/{conversation_id}/items", params=params, headers=headers
                ).json()
                if not page["has_more"]:
                    break
                params["after"] = page["last_id"]
        recording.save()
    return conversation_id


def age(path: Path, recorded_at: str) -> None:
    document = yaml.safe_load(path.read_text())
    document["metadata"]["recorded_at"] = recorded_at
    path.write_text(yaml.safe_dump(document, sort_keys=False))
