"""What servers, end users and models send is recorded and replayed, however odd: non-ASCII header
values and reason phrases, JSON nested thousands deep, lone surrogate escapes, text that only
looks like a URL. A hand edit that breaks a JSON body is reported by the plugin, not the client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.raw_server import RawAnswer, raw_server

CASSETTE = Path("cassettes") / "test_traffic" / "test_traffic.yaml"


def record_then_replay(pytester: pytest.Pytester, answer: RawAnswer, body: str) -> None:
    """Run ``body`` (a test function using ``URL``) recording from a server that sends ``answer``,
    then again offline with the server gone: both runs must pass."""
    with raw_server(answer) as server:
        pytester.makepyfile(test_traffic=f"URL = {server.base_url!r}\n" + body)
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / CASSETTE).exists()
    pytester.runpytest().assert_outcomes(passed=1)


def page(text: str, **fields: object) -> bytes:
    item = {"id": "msg_1", "type": "message", "role": "assistant", **fields}
    item["content"] = [{"type": "output_text", "text": text, "annotations": []}]
    envelope = {"object": "list", "data": [item], "first_id": "msg_1", "last_id": "msg_1", "has_more": False}
    return json.dumps(envelope).encode()


def test_a_non_ascii_header_value_recorded_from_the_server_replays(pytester: pytest.Pytester) -> None:
    answer = RawAnswer(
        b"{}", headers=[(b"content-type", b"application/json"), (b"x-note", "café ☕".encode())]
    )
    record_then_replay(
        pytester,
        answer,
        """
import httpx, pytest

@pytest.mark.convreplay
def test_traffic():
    assert httpx.get(URL + "/models").headers["x-note"] == "café ☕"
""",
    )


def test_a_non_ascii_reason_phrase_recorded_by_one_client_replays_to_another(
    pytester: pytest.Pytester,
) -> None:
    """requests keeps the phrase as sent (latin-1); httpx shows its ASCII part, live or replayed."""
    with raw_server(RawAnswer(b"{}", status="200 Très bien".encode("latin-1"))) as server:
        pytester.makepyfile(
            test_traffic=f"""
import httpx, pytest, requests

@pytest.mark.convreplay(cassette="shared")
def test_requests():
    assert requests.get({server.base_url!r} + "/models").reason == "Très bien"

@pytest.mark.convreplay(cassette="shared")
def test_httpx():
    assert httpx.get({server.base_url!r} + "/models").reason_phrase == "Trs bien"
"""
        )
        pytester.runpytest("--convreplay-record-mode=once", "-k", "requests").assert_outcomes(passed=1)
        pytester.runpytest("-k", "httpx").assert_outcomes(passed=1)


DEEP = "[" * 3000 + "]" * 3000


def test_a_body_nested_3000_deep_is_recorded_and_replayed(pytester: pytest.Pytester) -> None:
    record_then_replay(
        pytester,
        RawAnswer(DEEP.encode()),
        """
import httpx, pytest

@pytest.mark.convreplay
def test_traffic():
    assert httpx.get(URL + "/files").text == "[" * 3000 + "]" * 3000
""",
    )


def test_a_message_holding_json_nested_3000_deep_is_recorded_replayed_and_snapshot(
    pytester: pytest.Pytester,
) -> None:
    with raw_server(RawAnswer(page(DEEP))) as server:
        pytester.makepyfile(
            test_traffic=f"""
import httpx, pytest

@pytest.mark.convreplay(snapshot=True)
def test_traffic(convreplay):
    items = httpx.get({server.base_url!r} + "/conversations/conv_1/items").json()["data"]
    assert items[0]["content"][0]["text"] == "[" * 3000 + "]" * 3000
    assert convreplay.conversations["conv_1"][0]["id"] == "msg_1"
"""
        )
        record = pytester.runpytest("--convreplay-record-mode=once", "--convreplay-update")
        record.assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_lone_surrogate_escape_survives_redaction_of_its_body(pytester: pytest.Pytester) -> None:
    """The key in ``api_key`` is redacted, so the body is rewritten; ``\\ud800`` stays an escape."""
    body = page("half a pair: \\ud800", api_key="sk-proj-" + "A1b2" * 12).replace(b"\\\\ud800", b"\\ud800")
    record_then_replay(
        pytester,
        RawAnswer(body),
        """
import httpx, pytest

@pytest.mark.convreplay
def test_traffic():
    item = httpx.get(URL + "/conversations/conv_1/items").json()["data"][0]
    assert item["content"][0]["text"] == "half a pair: \\ud800"
""",
    )
    text = (pytester.path / CASSETTE).read_text(encoding="utf-8")
    assert "\\ud800" in text
    assert "A1b2" not in text


def test_text_that_only_looks_like_a_url_is_recorded_and_replayed(pytester: pytest.Pytester) -> None:
    """``https://[your-domain]/v1`` is no URL urlsplit accepts; models write such text all the time."""
    answer = RawAnswer(page("Set base_url to https://[your-domain]/v1 and https://[::1/v1"))
    record_then_replay(
        pytester,
        answer,
        """
import httpx, pytest

@pytest.mark.convreplay
def test_traffic():
    sent = {"input": "my proxy is https://[your-domain]/v1?key=1", "model": "gpt-4.1"}
    answer = httpx.post(URL + "/responses", json=sent).json()
    assert "https://[your-domain]/v1" in answer["data"][0]["content"][0]["text"]
""",
    )


def test_a_hand_edit_that_breaks_a_json_body_is_reported_at_replay(pytester: pytest.Pytester) -> None:
    with raw_server(RawAnswer(page("hello"))) as server:
        pytester.makepyfile(
            test_traffic=f"""
import openai, pytest

@pytest.mark.convreplay
def test_traffic():
    client = openai.OpenAI(base_url={server.base_url!r}, api_key="sk-test", max_retries=0)
    assert client.conversations.items.list("conv_1").data[0].id == "msg_1"
"""
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    cassette = pytester.path / CASSETTE
    cassette.write_text(cassette.read_text().replace('"has_more": false}', '"has_more": false'))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*convreplay: cassette cassettes/test_traffic/test_traffic.yaml, interaction 0 "
            "(GET /v1/conversations/conv_1/items): the recorded response says its content-type is JSON, "
            "but its body is not JSON (Expecting ',' delimiter at line 1, column *); fix the hand edit "
            "that broke it, or re-record it with: pytest --convreplay-record-mode=all "
            "'test_traffic.py::test_traffic'"
        ]
    )
    result.stdout.no_fnmatch_line("*JSONDecodeError*")


@pytest.mark.parametrize(
    ("returned", "problem"),
    [
        ("None", "returned None (a function that forgot `return interaction`?)"),
        ("[interaction]", "returned a list"),
        (
            "{'request': interaction['request']}",
            "returned a mapping without 'request' and 'response' mappings",
        ),
    ],
)
def test_a_redaction_callable_returning_no_interaction_is_a_config_error_naming_it(
    pytester: pytest.Pytester, returned: str, problem: str
) -> None:
    with raw_server(RawAnswer(page("hello"))) as server:
        pytester.makeconftest(
            f"""
import pytest

def scrub(interaction):
    interaction["request"]["headers"].pop("x-trace", None)
    return {returned}

@pytest.fixture
def convreplay_config():
    return {{"redact_callables": [scrub]}}
"""
        )
        pytester.makepyfile(
            test_traffic=f"""
import httpx, pytest

@pytest.mark.convreplay
def test_traffic():
    httpx.get({server.base_url!r} + "/conversations/conv_1/items")
"""
        )
        result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(failed=1)  # the live request is normalized with the callables, too
    result.stdout.fnmatch_lines(
        [f"*redact_callables: conftest.scrub {problem}; a redaction callable must return*"]
    )
    result.stdout.no_fnmatch_line("*TypeError*")
    assert not (pytester.path / CASSETTE).exists()
