"""No secret reaches a cassette or a downstream suite's output: redaction while recording, the gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.cassette import load_cassette

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
    assert {argument for argument in arguments if isinstance(argument, str)} == {"<REDACTED:arguments>"}
    assert {"query": "weather"} in arguments  # an object keeps its shape: nothing in it is a credential


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


def test_the_fixture_handle_masks_a_sent_key_that_no_pattern_knows(pytester: pytest.Pytester) -> None:
    key = "plain-credential-0123456789"  # not shaped like any key pattern: only the gate knows it
    with ConversationsEmulator(api_key=key) as api:
        conversation_id = api.create_conversation([{"type": "message", "role": "user", "content": key}])
        pytester.makepyfile(
            test_handle=f"""
            import openai

            def test_handle(convreplay):
                client = openai.OpenAI(base_url="{api.base_url}", api_key="{key}", max_retries=0)
                list(client.conversations.items.list("{conversation_id}"))
                shown = repr(convreplay.interactions) + repr(convreplay.conversations)
                assert "{key}" not in shown
                assert "<REDACTED:authorization:" in shown  # the sent key is learned: its echo is redacted
                assert not hasattr(convreplay, "recorded")
            """
        )
        result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(passed=1)
    assert key not in result.stdout.str()
    assert key not in (pytester.path / "cassettes/test_handle/test_handle.yaml").read_text()


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


Route = tuple[int, dict[str, str], bytes]


class _CannedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, Route]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        status, headers, body = self.routes[f"{self.command} {self.path.partition('?')[0]}"]
        self.send_response(status)
        for name, value in {**headers, "content-length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


class Canned:
    """Fixed answers by ``"METHOD /path"``, for what the emulator does not do: event streams,
    redirects, the real API's 429 wording, form posts."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        handler = type("Handler", (_CannedHandler,), {"routes": self.routes})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        self.base_url = f"http://{self.host}/v1"
        self._stopped = threading.Event()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def canned() -> Iterator[Canned]:
    server = Canned()
    yield server
    server.stop()


def one_test(pytester: pytest.Pytester, body: str) -> Path:
    """A downstream suite of one test, ``test_it``; returns where its cassette goes."""
    pytester.makepyfile(
        test_it=f"import httpx, openai, pytest\n\n\n@pytest.mark.convreplay\ndef test_it():\n{body}"
    )
    return pytester.path / "cassettes" / "test_it" / "test_it.yaml"


def record_then_replay(pytester: pytest.Pytester, canned: Canned, path: Path, *absent: str) -> str:
    """Record (none of ``absent`` may be in the cassette), stop the server, replay green; the
    cassette's text."""
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    text = path.read_text(encoding="utf-8")
    for secret in absent:
        assert secret not in text
    canned.stop()
    pytester.runpytest().assert_outcomes(passed=1)
    return text


def event_stream(*deltas: str) -> bytes:
    events: list[dict[str, Any]] = [
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": delta,
            "sequence_number": number,
            "logprobs": [],
        }
        for number, delta in enumerate(deltas)
    ]
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


STREAMING = """
    client = openai.OpenAI(base_url="{base_url}", api_key="{key}", max_retries=0)
    text = "".join(
        event.delta
        for event in client.responses.create(model="gpt-x", input="echo", stream=True)
        if event.type == "response.output_text.delta"
    )
    assert text.startswith("Your key")
"""


def test_the_sent_key_streamed_in_pieces_is_refused_and_never_printed(
    pytester: pytest.Pytester, canned: Canned, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "opaque-streamed-key-7f3a9c21d0e4"  # no pattern knows it: only the gate can
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    sse = {"content-type": "text/event-stream"}
    canned.routes["POST /v1/responses"] = (200, sse, event_stream("Your key: ", key[:6], key[6:15], key[15:]))
    path = one_test(pytester, STREAMING.format(base_url=canned.base_url, key=key))
    result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    assert "interaction 0 response body events 0-3, deltas joined" in output
    assert key not in output
    assert key[6:15] not in output
    assert not path.exists()


def test_a_streamed_answer_is_redacted_event_by_event_and_replays(
    pytester: pytest.Pytester, canned: Canned
) -> None:
    other = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"  # a key in the model's answer, not the sent one
    sse = {"content-type": "text/event-stream"}
    canned.routes["POST /v1/responses"] = (200, sse, event_stream("Your key:\n" + other))
    path = one_test(pytester, STREAMING.format(base_url=canned.base_url, key="sk-test-sent"))
    assert "<REDACTED:openai-key:" in record_then_replay(pytester, canned, path, other)


def test_a_token_in_the_url_userinfo_reaches_neither_uri_nor_metadata(
    pytester: pytest.Pytester, canned: Canned
) -> None:
    token = "ghs_notapattern_tok3nValue9876543210"
    canned.routes["GET /v1/conversations/conv_1"] = (200, {}, b'{"id": "conv_1", "object": "conversation"}')
    path = one_test(
        pytester,
        f'    with httpx.Client(base_url="http://{token}@{canned.host}/v1") as client:\n'
        '        assert client.get("/conversations/conv_1").json()["id"] == "conv_1"\n',
    )
    record_then_replay(pytester, canned, path, token)
    loaded = load_cassette(path)
    assert loaded.metadata["base_urls"] == [f"http://{canned.host}"]
    assert loaded.interactions[0]["request"]["uri"].startswith("http://%3CREDACTED%3Auserinfo%3E@")


def test_a_redirect_location_keeps_no_signature_and_still_replays(
    pytester: pytest.Pytester, canned: Canned
) -> None:
    signed = f"http://{canned.host}/blob/file_1?se=2030&sig=SasSignatureSecret0123%3D&token=OneTimeToken0987"
    canned.routes["GET /v1/files/file_1/content"] = (302, {"location": signed}, b"")
    canned.routes["GET /blob/file_1"] = (200, {"content-type": "text/plain"}, b"file bytes")
    path = one_test(
        pytester,
        "    with httpx.Client(follow_redirects=True) as client:\n"
        f'        assert client.get("{canned.base_url}/files/file_1/content").text == "file bytes"\n',
    )
    record_then_replay(pytester, canned, path, "SasSignatureSecret", "OneTimeToken")


def test_the_org_id_of_a_rate_limit_message_is_redacted_and_the_recording_succeeds(
    pytester: pytest.Pytester, canned: Canned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_ORG_ID", raising=False)  # the key's default org: nothing tells the gate
    org = "org-Rl8kQz2mW4nT6vX1yB3cD5eF"
    message = f"Rate limit reached for requests in organization {org} on requests per min (RPM): Limit 3"
    canned.routes["GET /v1/conversations/conv_1"] = (
        429,
        {"content-type": "application/json", "openai-organization": org},
        json.dumps({"error": {"message": message, "code": "rate_limit_exceeded"}}).encode(),
    )
    path = one_test(
        pytester,
        f'    assert httpx.get("{canned.base_url}/conversations/conv_1").status_code == 429\n',
    )
    text = record_then_replay(pytester, canned, path, org)
    assert "in organization <REDACTED:openai-organization:" in text


def test_a_form_post_with_a_redacted_password_still_replays(
    pytester: pytest.Pytester, canned: Canned
) -> None:
    canned.routes["POST /v1/oauth/token"] = (200, {"content-type": "application/json"}, b'{"ok": true}')
    form = {"grant_type": "password", "username": "bob", "password": "hunter2-very-secret"}
    path = one_test(
        pytester,
        f'    assert httpx.post("{canned.base_url}/oauth/token", data={form!r}).json() == {{"ok": True}}\n',
    )
    assert "password=%3CREDACTED%3Apassword%3E" in record_then_replay(pytester, canned, path, "hunter2")


def test_a_post_whose_body_held_a_redacted_value_replays(pytester: pytest.Pytester) -> None:
    """README: body-path placeholders do not depend on the value, so the live request (with the real
    value) and the cassette (with the placeholder) are the same request; so are pattern hits."""
    with ConversationsEmulator() as api:
        pytester.makepyfile(
            test_body=f"""
            import openai
            import pytest

            @pytest.mark.convreplay
            def test_create(convreplay):
                client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
                conversation = client.conversations.create(
                    metadata={{"password": "hunter2-not-for-git"}},
                    items=[{{"type": "message", "role": "user", "content": "sk-proj-{"A1b2" * 10}"}}],
                )
                assert conversation.id.startswith("conv_")
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    cassette = (pytester.path / "cassettes" / "test_body" / "test_create.yaml").read_text()
    assert "hunter2" not in cassette
    assert "A1b2A1b2" not in cassette
    pytester.runpytest().assert_outcomes(passed=1)
