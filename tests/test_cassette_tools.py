"""Cassette metadata and expiry, and the `show` / `verify` commands that read cassettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pytest_convreplay.cli.main import main
from pytest_convreplay.config.settings import RecordMode, Settings
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.record.recording import Recording
from pytest_convreplay.record.vcr import use_cassette
from pytest_convreplay.storage.cassette import load_cassette


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


def test_metadata_records_when_with_what_and_against_which_server(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    record(path)
    metadata = load_cassette(path).metadata
    assert metadata["record_mode"] == "all"
    assert metadata["base_urls"][0].startswith("http://127.0.0.1:")
    assert set(metadata["versions"]) >= {"pytest-convreplay", "openai", "vcrpy", "python"}
    assert "T" in metadata["recorded_at"]


def age(path: Path, recorded_at: str) -> None:
    document = yaml.safe_load(path.read_text())
    document["metadata"]["recorded_at"] = recorded_at
    path.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.parametrize(
    ("on_expired", "outcome"), [("warn", {"passed": 1, "warnings": 1}), ("fail", {"errors": 1})]
)
def test_an_expired_cassette_warns_or_fails_as_configured(
    pytester: pytest.Pytester, on_expired: str, outcome: dict[str, int]
) -> None:
    cassette = pytester.path / "cassettes" / "test_old" / "test_old.yaml"
    cassette.parent.mkdir(parents=True)
    record(cassette)
    age(cassette, "2020-01-01T00:00:00+00:00")
    pytester.makepyfile(
        test_old=f"""
        import pytest

        @pytest.mark.convreplay(max_age="30d", on_expired="{on_expired}")
        def test_old(convreplay):
            assert convreplay.conversations
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(**outcome)
    result.stdout.fnmatch_lines(["*cassettes/test_old/test_old.yaml was recorded * days ago*max_age*"])


def test_show_lists_conversations_pages_and_item_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    conversation_id = record(path, conversation_items=25, limit=10)
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 interactions (3 x 200)" in out
    assert f"{conversation_id}      3     25       yes" in out


def test_verify_passes_a_good_cassette_and_fails_a_broken_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    record(path)
    assert main(["verify", str(path)]) == 0

    document = yaml.safe_load(path.read_text())
    second_page = document["interactions"][1]["response"]["body"]
    body = json.loads(second_page["string"])
    body["first_id"] = "msg_not_the_first"
    second_page["string"] = json.dumps(body)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {path}" in out
    assert "page 2" in out
    assert "msg_not_the_first" in out


def test_verify_fails_an_unloadable_file_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ninteractions: [\n")
    assert main(["verify", str(broken)]) == 1
    assert f"{broken}: invalid YAML" in capsys.readouterr().out


def test_an_expired_cassette_is_re_recorded_when_recording_is_allowed(pytester: pytest.Pytester) -> None:
    cassette = pytester.path / "cassettes" / "test_old" / "test_old.yaml"
    cassette.parent.mkdir(parents=True)
    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(5)
        pytester.makepyfile(
            test_old=f"""
            import httpx, pytest

            @pytest.mark.convreplay(max_age="30d", on_expired="rerecord")
            def test_old(convreplay):
                headers = {{"authorization": "Bearer {api.api_key}"}}
                url = "{api.base_url}/conversations/{conversation_id}/items"
                assert httpx.get(url, headers=headers).json()["data"]
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
        age(cassette, "2020-01-01T00:00:00+00:00")
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    metadata = load_cassette(cassette).metadata
    assert not metadata["recorded_at"].startswith("2020")
    assert metadata["record_mode"] == "all"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["verify", "--max-age", "30 days", "."], "expected a duration like 3600, '12h', '30d' or '2w'"),
        (["verify", "empty"], "empty: no cassette (*.yaml, *.yml) below this folder"),
        (["show", "empty"], "empty: no cassette (*.yaml, *.yml) below this folder"),
        (["show", "test_x.snapshot.yaml"], "test_x.snapshot.yaml: a snapshot file, not a cassette"),
        (["diff", "a.yaml", "test_x.snapshot.yaml"], "compare two cassettes or two snapshot files"),
    ],
    ids=["bad max-age", "verify empty folder", "show empty folder", "snapshot as cassette", "mixed diff"],
)
def test_cli_mistakes_exit_2_with_one_line_saying_what_is_wrong(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "test_x.snapshot.yaml").write_text("version: 1\nsnapshots: {}\n")
    try:
        code = main(arguments)
    except SystemExit as usage_error:  # argparse rejects a bad option value itself
        code = usage_error.code
    error = capsys.readouterr().err
    assert code == 2
    assert message in error
    assert "Traceback" not in error
