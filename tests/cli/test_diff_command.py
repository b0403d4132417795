"""`convreplay diff`: the item-level diff of two cassettes, for people (text) and machines (--json)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from support.files import snapshots_yaml
from support.snapshots import call, message, snapshot_file

from pytest_convreplay.cli.main import main
from pytest_convreplay.cli.main import main as convreplay
from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette


def record_listing(api: ConversationsEmulator, conversation_id: str, path: Path) -> None:
    recording = Recording(
        Settings(cassette_path=path, snapshot_path=path, record_mode=RecordMode.ALL), nodeid="d"
    )
    headers = {"authorization": f"Bearer {api.api_key}"}
    with use_cassette(recording), httpx.Client(base_url=api.base_url, headers=headers) as client:
        client.get(f"/conversations/{conversation_id}/items", params={"limit": 100, "order": "asc"})
    recording.save()


@pytest.fixture
def drifted(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """Two recordings of one conversation; between them one item was deleted and one added."""
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(12)
        record_listing(api, conversation_id, before)
        removed = api.items(conversation_id)[4]["id"]
        api.delete_item(conversation_id, removed)
        added = api.add_items(
            conversation_id,
            [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        )[0]["id"]
        record_listing(api, conversation_id, after)
    return before, after, removed, added


def test_identical_cassettes_exit_0(
    drifted: tuple[Path, Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = drifted[0]
    assert main(["diff", str(before), str(before)]) == 0
    assert capsys.readouterr().out.strip() == "no differences"


def test_a_drifted_recording_exits_1_naming_the_removed_and_added_items(
    drifted: tuple[Path, Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before, after, removed, added = drifted
    assert main(["diff", str(before), str(after), "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "12 → 12 items: +1 −1 ↕0 ~0" in out  # noqa: RUF001 - the header uses the real minus sign
    assert f"- {removed}" in out
    assert f"+ {added}" in out
    assert "\x1b[" not in out


def test_json_output_lists_one_verdict_per_changed_item(
    drifted: tuple[Path, Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before, after, removed, added = drifted
    assert main(["diff", str(before), str(after), "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out).values()
    verdicts = {entry["key"]: entry["verdict"] for entry in report["items"]}
    assert verdicts == {removed: "removed", added: "added"}
    assert report["counts"]["added"] == report["counts"]["removed"] == 1


def test_renumbered_diff_pairs_conversations_re_recorded_with_fresh_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "seed0.yaml", tmp_path / "seed7.yaml"
    for seed, path in ((0, first), (7, second)):
        with ConversationsEmulator(seed=seed) as api:
            record_listing(api, api.seed_mixed_conversation(), path)
    assert main(["diff", str(first), str(second)]) == 1  # every id differs
    capsys.readouterr()
    assert main(["diff", "--renumber-ids", str(first), str(second)]) == 0
    assert capsys.readouterr().out.strip() == "no differences"


def test_convreplay_diff_compares_two_snapshot_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.snapshot.yaml"
    new = tmp_path / "new.snapshot.yaml"
    old.write_text(snapshots_yaml({"default": [call(1)]}))
    new.write_text(snapshots_yaml({"default": [call(1, city="Lyon")]}))
    assert convreplay(["diff", str(old), str(new), "--no-color"]) == 1
    out = capsys.readouterr().out
    assert '~ arguments.city: "Paris" → "Lyon"' in out
    assert out.splitlines()[0] == "snapshot default"  # a snapshot file's sections are its snapshots
    assert "conversation" not in out


def test_with_renumbered_ids_one_inserted_message_fails_as_one_added_item(tmp_path: Path) -> None:
    conversation = [message(n) for n in range(10)]
    snapshot_file(tmp_path, update=True, renumber_ids=True).check(conversation, "default")
    inserted = [*conversation[:3], message(99), *conversation[3:]]
    check = snapshot_file(tmp_path, renumber_ids=True).check(inserted, "default")
    assert check.failure is not None
    assert "10 → 11 items: +1 −0 ↕0 ~0" in check.failure  # noqa: RUF001
