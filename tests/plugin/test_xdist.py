"""Many xdist workers recording, snapshotting and replaying at once lose and corrupt nothing.

16 tests, each paging its own conversation of the emulator into its own cassette and snapshot,
run under ``-n 8`` twice: recording (with ``--convreplay-update``), then replaying with the
emulator stopped. Every file must load, hold its whole conversation, and the session summary
must count all 16 snapshots although each worker saw only some of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.model.conversations import rebuild_conversations
from pytest_convreplay.storage.atomic import LOCK_SUFFIX, TEMP_SUFFIX
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.snapshots import SNAPSHOT_SUFFIX, read_snapshots

WORKERS = 8
TESTS = 16

SUITE = """
import httpx
import pytest

CONVERSATIONS = {conversations}


@pytest.mark.parametrize("conversation_id", CONVERSATIONS)
def test_history(convreplay, conv_snapshot, conversation_id):
    ids, params = [], {{"limit": 3, "order": "asc"}}
    with httpx.Client(base_url="{base_url}", headers={{"authorization": "Bearer {api_key}"}}) as client:
        while True:
            page = client.get(f"/conversations/{{conversation_id}}/items", params=params).json()
            ids += [item["id"] for item in page["data"]]
            if not page["has_more"]:
                break
            params["after"] = page["last_id"]
    items = convreplay.conversations[conversation_id]
    assert ids == [item["id"] for item in items]
    conv_snapshot.assert_match(items)
"""


@dataclass(frozen=True)
class RecordedProject:
    """A downstream project after its recording pass under xdist, and what the API held then."""

    folder: Path
    items: dict[str, list[str]]
    output: str

    @property
    def cassettes(self) -> Path:
        return self.folder / "cassettes" / "test_histories"


def run_pytest(folder: Path, *args: str) -> str:
    """One pytest run under ``-n 8`` in ``folder``; its output, after checking every test passed.

    Only xdist and this plugin are loaded: every worker importing hypothesis and schemathesis
    too would double the run time on two cores without testing anything more.
    """
    plugins = ["-p", "xdist", "-p", "pytest_convreplay.plugin", "-p", "no:cacheprovider"]
    command = [sys.executable, "-m", "pytest", *plugins, "-n", str(WORKERS), *args]
    # Not CI: this downstream project records and writes snapshots, as on a developer's machine.
    environment = {name: value for name, value in os.environ.items() if name != "CI"}
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        command, cwd=folder, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f" {TESTS} passed" in result.stdout
    return result.stdout


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> RecordedProject:
    """The recording pass, run once for every test of this module (it is the slow part)."""
    folder = tmp_path_factory.mktemp("downstream")
    with ConversationsEmulator() as api:
        conversations = [api.seed_conversation(4 + n) for n in range(TESTS)]
        suite = SUITE.format(
            conversations=json.dumps(conversations), base_url=api.base_url, api_key=api.api_key
        )
        (folder / "test_histories.py").write_text(suite)
        output = run_pytest(folder, "--convreplay-record-mode=once", "--convreplay-update")
        items = {cid: [item["id"] for item in api.items(cid)] for cid in conversations}
    return RecordedProject(folder, items, output)


def test_the_summary_counts_the_snapshots_of_every_worker(recorded: RecordedProject) -> None:
    assert f"convreplay snapshots: {TESTS} checked, {TESTS} written, 0 updated, 0 failed, 0 unused" in (
        recorded.output
    )


def test_every_worker_wrote_its_own_cassette_whole(recorded: RecordedProject) -> None:
    cassettes = [
        path for path in recorded.cassettes.glob("*.yaml") if not path.name.endswith(SNAPSHOT_SUFFIX)
    ]
    assert len(cassettes) == TESTS
    stored: dict[str, list[str]] = {}
    for path in cassettes:
        conversations = rebuild_conversations(load_cassette(path).interactions)
        stored |= {cid: [item["id"] for item in record.items] for cid, record in conversations.items()}
    assert stored == recorded.items


def test_every_worker_wrote_its_own_snapshot_whole(recorded: RecordedProject) -> None:
    snapshots = sorted(recorded.cassettes.glob(f"*{SNAPSHOT_SUFFIX}"))
    assert len(snapshots) == TESTS
    stored = [[item["id"] for item in items] for path in snapshots for items in read_snapshots(path).values()]
    assert sorted(stored) == sorted(recorded.items.values())


def test_no_temporary_or_lock_file_is_left_behind(recorded: RecordedProject) -> None:
    names = [path.name for path in recorded.cassettes.iterdir()]
    assert [name for name in names if name.endswith((TEMP_SUFFIX, LOCK_SUFFIX))] == []


def test_the_recordings_replay_under_xdist_with_the_api_gone(recorded: RecordedProject) -> None:
    output = run_pytest(recorded.folder)
    assert f"convreplay snapshots: {TESTS} checked, 0 written, 0 updated, 0 failed, 0 unused" in output
