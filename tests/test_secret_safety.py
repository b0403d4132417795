"""No secret reaches a cassette: redaction while recording, the fail-closed gate, `convreplay scan`."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_convreplay.cassette import load_cassette
from pytest_convreplay.cli import main
from pytest_convreplay.emulator import ConversationsEmulator

ORG_ID = "org-RealLookingOrganization42"
PROJECT_ID = "proj_RealLookingProject0042"


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


def sdk_suite(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation_id: str, marker: str = ""
) -> None:
    pytester.makepyfile(
        test_history=f"""
        import openai, pytest

        @pytest.mark.convreplay{marker}
        def test_history():
            client = openai.OpenAI(base_url="{api.base_url}", max_retries=0)
            assert len(list(client.conversations.items.list("{conversation_id}", limit=10))) > 10
        """
    )


def cassette(pytester: pytest.Pytester) -> Path:
    return pytester.path / "cassettes" / "test_history" / "test_history.yaml"


def test_org_and_project_ids_from_the_environment_never_reach_the_cassette(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    monkeypatch.setenv("OPENAI_ORG_ID", ORG_ID)
    monkeypatch.setenv("OPENAI_PROJECT_ID", PROJECT_ID)
    sdk_suite(pytester, api, api.seed_mixed_conversation())
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    sent = api.requests[0].headers
    assert sent.get("openai-organization") == ORG_ID  # the SDK really sent them
    assert sent.get("openai-project") == PROJECT_ID

    text = cassette(pytester).read_text(encoding="utf-8")
    for secret in (api.api_key, ORG_ID, PROJECT_ID, api.organization, api.project, "__cf_bm=", "_cfuvid="):
        assert secret not in text

    api.stop()
    monkeypatch.delenv("OPENAI_ORG_ID")
    monkeypatch.delenv("OPENAI_PROJECT_ID")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_declared_secret_in_a_response_body_stops_the_write_and_says_where(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    conversation_id = api.create_conversation(
        [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"n{n}"}]}
            for n in range(11)
        ]
    )
    api.add_items(
        conversation_id,
        [
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "pin: 8f3Kx9Qz2LmN"}],
            }
        ],
    )
    sdk_suite(pytester, api, conversation_id, marker='(secrets=["8f3Kx9Qz2LmN"])')
    result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    assert "refusing to write cassettes/test_history/test_history.yaml" in output
    assert "response body data[0].content[0].text" in output
    assert "8f3Kx9Qz2LmN" not in output
    assert not cassette(pytester).exists()


def test_a_user_body_path_rule_redacts_that_field(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    sdk_suite(
        pytester, api, api.seed_mixed_conversation(), marker='(redact_body_paths=["data[*].arguments"])'
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    loaded = load_cassette(cassette(pytester))
    arguments = [
        item["arguments"]
        for interaction in loaded.interactions
        for item in json.loads(interaction["response"]["body"]["string"])["data"]
        if "arguments" in item
    ]
    assert arguments
    assert set(arguments) == {"<REDACTED:arguments>"}


def write_vcrpy_cassette(path: Path, response_text: str, gzip_body: bool = False) -> None:
    body: str | bytes = gzip.compress(response_text.encode()) if gzip_body else response_text
    interaction = {
        "request": {"method": "GET", "uri": "https://api.openai.com/v1/x", "body": None, "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-encoding": ["gzip"]} if gzip_body else {},
            "body": {"string": body},
        },
    }
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [interaction]}), encoding="utf-8")


def test_scan_finds_a_planted_key_and_passes_a_clean_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    clean = tmp_path / "clean" / "ok.yaml"
    write_vcrpy_cassette(clean, json.dumps({"data": [{"text": "hello"}]}))
    assert main(["scan", str(clean.parent)]) == 0

    planted = tmp_path / "dirty" / "leak.yaml"
    write_vcrpy_cassette(planted, json.dumps({"data": [{"text": "key sk-proj-Abc123Def456Ghi789Jkl012Mno"}]}))
    assert main(["scan", str(planted.parent)]) == 1
    out = capsys.readouterr().out
    assert f"{planted}:" in out
    assert "sk-proj-Abc123Def456Ghi789Jkl012Mno" not in out


def test_scan_finds_the_environment_key_inside_a_gzip_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "live-key-without-a-known-prefix-123456")
    planted = tmp_path / "cassettes" / "zipped.yaml"
    write_vcrpy_cassette(planted, "echo live-key-without-a-known-prefix-123456", gzip_body=True)
    assert main(["scan", str(planted)]) == 1


def test_redact_cleans_an_existing_cassette_in_place(tmp_path: Path) -> None:
    planted = tmp_path / "old.yaml"
    write_vcrpy_cassette(planted, json.dumps({"note": "sk-proj-Abc123Def456Ghi789Jkl012Mno"}))
    assert main(["redact", str(planted)]) == 0
    assert "sk-proj-" not in planted.read_text()
    assert main(["scan", str(planted)]) == 0


def httpx_suite(pytester: pytest.Pytester, api: ConversationsEmulator, conversation_id: str) -> None:
    pytester.makepyfile(
        test_history=f"""
        import httpx, pytest

        @pytest.mark.convreplay
        def test_history():
            auth = {{"authorization": "Bearer {api.api_key}"}}
            with httpx.Client(base_url="{api.base_url}", headers=auth) as client:
                page = client.get("/conversations/{conversation_id}/items", params={{"limit": 10}}).json()
            assert len(page["data"]) == 10
        """
    )


@pytest.mark.parametrize(
    ("encoding", "suite"),
    [("gzip", sdk_suite), ("deflate", sdk_suite), ("br", sdk_suite), ("zstd", httpx_suite)],
    ids=["gzip-openai", "deflate-openai", "br-openai", "zstd-httpx"],
)
def test_compressed_answers_are_stored_decoded_and_still_replay(
    pytester: pytest.Pytester,
    api: ConversationsEmulator,
    monkeypatch: pytest.MonkeyPatch,
    encoding: str,
    suite: Callable[[pytest.Pytester, ConversationsEmulator, str], None],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    api.compress = encoding
    suite(pytester, api, api.seed_mixed_conversation())
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    for request in api.requests:  # so the emulator really answered in ``encoding``
        assert encoding in request.headers["accept-encoding"].split(", ")
    for interaction in load_cassette(cassette(pytester)).interactions:
        assert "content-encoding" not in interaction["response"]["headers"]
        assert json.loads(interaction["response"]["body"]["string"])["object"] == "list"
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)


def test_recording_never_offers_a_coding_the_client_cannot_decode(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx2 (the SDK's client) decodes zstd only with ``backports.zstd``; this plugin can decode it
    with ``zstandard``, but asking the server for it would hand the SDK bytes it cannot read."""
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    api.compress = "zstd"
    sdk_suite(pytester, api, api.seed_mixed_conversation())
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert all("zstd" not in request.headers["accept-encoding"] for request in api.requests)
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_fixture_handle_shows_recorded_requests_redacted(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation_id = api.seed_mixed_conversation()
    pytester.makepyfile(
        test_handle=f"""
        import openai

        def test_handle(convreplay):
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            list(client.conversations.items.list("{conversation_id}"))
            assert convreplay.requests
            assert "{api.api_key}" not in repr(convreplay.requests)
            assert convreplay.requests[0]["headers"]["authorization"] == ["<REDACTED:authorization>"]
        """
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)


def test_a_user_callable_that_rewrites_a_request_body_still_replays(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
    conversation_id = api.seed_conversation(2)
    pytester.makeconftest(
        """
        import pytest

        def scrub_email(interaction):
            body = interaction["request"]["body"]
            if isinstance(body, str):
                interaction["request"]["body"] = body.replace("ada@example.com", "<email>")
            return interaction

        @pytest.fixture
        def convreplay_config():
            return {"redact_callables": [scrub_email]}
        """
    )
    pytester.makepyfile(
        test_history=f"""
        import openai, pytest

        @pytest.mark.convreplay
        def test_history():
            client = openai.OpenAI(base_url="{api.base_url}", max_retries=0)
            client.conversations.items.create(
                "{conversation_id}",
                items=[{{"type": "message", "role": "user", "content": "mail ada@example.com"}}],
            )
            assert len(list(client.conversations.items.list("{conversation_id}"))) == 3
        """
    )
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    text = cassette(pytester).read_text(encoding="utf-8")
    assert "<email>" in text
    assert "ada@example.com" in text  # only in the response: the callable scrubs request bodies
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)
