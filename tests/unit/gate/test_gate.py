"""The fail-closed gate: known values in every stored form, found by place, never printed."""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.files import save_checked
from support.gate import API_KEY, OPAQUE, ORG_ID, RULES, interaction, known

from pytest_convreplay.errors import SecretLeakError
from pytest_convreplay.gate.findings import _ADVICE, find_secrets_in_interactions, find_secrets_in_text
from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.redact.interaction import redact_interaction


def test_known_secrets_come_from_the_environment_and_declared_names() -> None:
    assert known().sources == ["MY_SERVICE_TOKEN", "OPENAI_API_KEY", "OPENAI_ORG_ID"]


def test_short_values_are_ignored_to_avoid_false_alarms() -> None:
    secrets = KnownSecrets.from_env({"OPENAI_ORG_ID": "org", "OPENAI_PROJECT_ID": "  "}, values=["1234567"])
    assert len(secrets) == 0
    assert list(secrets.find("org 1234567")) == []


def test_the_credentials_the_client_sent_become_known() -> None:
    secrets = KnownSecrets()
    basic = base64.b64encode(b"user:password-from-basic-auth").decode()
    secrets.add_from_request_headers(
        {"Authorization": [f"Bearer {OPAQUE}"], "Proxy-Authorization": f"Basic {basic}", "Accept": ["*/*"]}
    )
    assert list(secrets.find(OPAQUE))
    assert list(secrets.find("password-from-basic-auth"))
    assert not list(secrets.find("*/*"))


@pytest.mark.parametrize(
    ("stored", "form"),
    [
        (API_KEY, ""),
        (quote(f"k={API_KEY}+", safe=""), ""),
        (quote("weird key/é+?&", safe=""), "url-encoded"),
        (json.dumps({"k": "weird key/é+?&"})[7:-1], "JSON-escaped"),
        (base64.b64encode(f"Bearer {API_KEY}".encode()).decode(), "base64"),
        (base64.b64encode(f"user:{API_KEY}".encode()).decode(), "base64"),
        (base64.urlsafe_b64encode(f"xx{API_KEY}".encode()).decode(), "base64"),
    ],
)
def test_known_values_are_found_in_every_stored_form(stored: str, form: str) -> None:
    secrets = KnownSecrets.from_env({"OPENAI_API_KEY": API_KEY}, values=["weird key/é+?&"])
    found = [what for _, what in secrets.find(f"prefix {stored} suffix")]
    assert found
    assert form in found[0]


def test_a_planted_known_value_stops_the_write_and_says_where_but_not_what() -> None:
    leaky = interaction(response_headers={"x-debug": [f"token {OPAQUE}"]})
    redacted = redact_interaction(leaky, RULES)
    with pytest.raises(SecretLeakError) as error:
        save_checked("cassettes/test_x.yaml", [redacted], known())
    message = str(error.value)
    assert "interaction 0 response header x-debug" in message
    assert "value of MY_SERVICE_TOKEN" in message
    assert "cassettes/test_x.yaml:" in message
    assert "nothing was written" in message
    for text in (OPAQUE, quote(OPAQUE), base64.b64encode(OPAQUE.encode()).decode()[:12]):
        assert text not in message


def test_findings_name_the_json_field() -> None:
    body = json.dumps({"data": [{}, {}, {"content": [{"text": f"see {OPAQUE}"}]}]})
    findings = find_secrets_in_interactions([interaction(), interaction(body=body)], known())
    assert [(f.where, f.what) for f in findings if "body" in f.where] == [
        ("interaction 1 response body data[2].content[0].text", "value of MY_SERVICE_TOKEN")
    ]


def test_patterns_count_as_leaks_even_for_unknown_values() -> None:
    stranger = "sk-" + "Q" * 40
    findings = find_secrets_in_interactions(
        [interaction(body=f"x {stranger}")], KnownSecrets(), RULES.patterns
    )
    assert [str(f) for f in findings if "body" in f.where] == [
        "text matching secret pattern 'openai-key' in interaction 0 response body"
    ]


def test_redacted_interactions_pass_the_gate() -> None:
    body = json.dumps({"data": [{"content": [{"text": f"my key {API_KEY}"}]}]})
    leaky = interaction(
        uri=f"https://api/v1/items?api_key={API_KEY}",
        response_headers={"openai-organization": [ORG_ID], "content-encoding": ["gzip"]},
        body=gzip.compress(body.encode()),
    )
    redacted = redact_interaction(leaky, RULES)
    save_checked("c.yaml", [redacted], known())


def test_text_findings_give_file_and_line() -> None:
    text = "a: 1\nb: 2\nc: " + base64.b64encode(f"Bearer {API_KEY}".encode()).decode() + "\n"
    (finding,) = find_secrets_in_text(text, known(), path="snap.yaml")
    assert re.match(r"snap\.yaml:3: value of OPENAI_API_KEY \(base64", str(finding))
    assert find_secrets_in_text("a: 1\n", known(), path="snap.yaml") == []


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs"]), min_size=8, max_size=30
    ),
    form=st.sampled_from(["raw", "url", "base64", "bearer-base64", "json"]),
    filler=st.text(st.characters(codec="ascii", categories=["L"]), max_size=10),
)
def test_gate_catches_any_declared_value_in_any_form(secret: str, form: str, filler: str) -> None:
    stored = {
        "raw": secret,
        "url": quote(secret, safe=""),
        "base64": base64.b64encode((filler + secret).encode()).decode(),
        "bearer-base64": base64.b64encode(f"Bearer {secret}".encode()).decode(),
        "json": json.dumps(secret)[1:-1],
    }[form]
    leaky = interaction(response_headers={"x-echo": [filler + stored]})
    with pytest.raises(SecretLeakError) as error:
        save_checked("c.yaml", [leaky], KnownSecrets.from_env({}, values=[secret]))
    message = str(error.value)
    assert secret not in message.replace(_ADVICE, "")  # "convrepl" is part of the advice itself


def stream(*deltas: str) -> Interaction:
    events = [{"type": "response.created"}] + [
        {"type": "response.output_text.delta", "item_id": "msg_1", "content_index": 0, "delta": delta}
        for delta in deltas
    ]
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return interaction(response_headers={"content-type": ["text/event-stream"]}, body=body)


def test_a_known_value_split_over_streamed_deltas_stops_the_write() -> None:
    streamed = redact_interaction(stream("Your key: ", OPAQUE[:6], OPAQUE[6:14], OPAQUE[14:]), RULES)
    with pytest.raises(SecretLeakError) as error:
        save_checked("c.yaml", [streamed], known())
    message = str(error.value)
    assert "interaction 0 response body events 1-4, deltas joined" in message
    assert OPAQUE not in message
    assert OPAQUE[6:14] not in message
    harmless = redact_interaction(stream("Hello ", "there, ", "how are you?"), RULES)
    save_checked("c.yaml", [harmless], known())


def test_stream_events_are_walked_field_by_field() -> None:
    findings = find_secrets_in_interactions([stream("a", f"b {OPAQUE}")], known())
    assert "interaction 0 response body event 2 delta" in [f.where for f in findings]


def test_a_secret_object_key_is_masked_in_findings() -> None:
    body = json.dumps({"metadata": {OPAQUE: OPAQUE, "note": {API_KEY: {"owner": "ci"}}}})
    findings = find_secrets_in_interactions([interaction(body=body)], known(), RULES.patterns)
    places = {f.where for f in findings if "body" in f.where}
    assert places == {  # a key is found at the place it names, shown as <key>
        'interaction 0 response body metadata["<key>"]',
        'interaction 0 response body metadata.note["<key>"]',
    }


def test_both_halves_of_a_basic_credential_and_every_joined_value_are_learned() -> None:
    secrets = KnownSecrets()
    token_as_user = base64.b64encode(b"ghs_notapattern_tok3nValue98:").decode()
    secrets.add_from_request_headers(
        {"authorization": [f"Basic {token_as_user}"], "x-api-key": ["first-api-key-AZ1, second-api-key-AZ2"]}
    )
    for value in ("ghs_notapattern_tok3nValue98", "first-api-key-AZ1", "second-api-key-AZ2"):
        assert list(secrets.find(f"Token {value}")), value


def test_values_redacted_by_response_header_rules_are_learned() -> None:
    secrets = KnownSecrets()
    secrets.add_from_response_headers(
        {"openai-organization": [ORG_ID], "x-request-id": ["req_123456789"]}, RULES
    )
    assert secrets.sources == ["the openai-organization response header"]
    assert list(secrets.find(f"in organization {ORG_ID} on requests"))


def test_a_declared_value_url_encoded_with_lower_case_hex_is_found() -> None:
    secrets = KnownSecrets.from_env({}, values=["p@ss/w0rd+Secret=xyz"])
    assert list(secrets.find("?q=p%40ss%2fw0rd%2bSecret%3dxyz"))
    assert list(secrets.find_bytes(b"q=p%40ss%2fw0rd%2bSecret%3dxyz"))


def chat_stream(deltas: list[dict[str, object]]) -> Interaction:
    chunks = [{"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": d}]} for d in deltas]
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return interaction(response_headers={"content-type": ["text/event-stream"]}, body=body)


@pytest.mark.parametrize(
    "piece",
    [
        lambda text: {"audio": {"transcript": text}},
        lambda text: {"tool_calls": [{"index": 1, "function": {"arguments": text}}]},
        lambda text: {"content": text},
    ],
    ids=["audio-transcript", "tool-call-arguments", "content"],
)
def test_a_known_value_split_over_any_chat_delta_field_stops_the_write(piece: Any) -> None:
    halves = (OPAQUE[:9], OPAQUE[9:])
    streamed = redact_interaction(chat_stream([piece(half) for half in halves]), RULES)
    with pytest.raises(SecretLeakError, match="deltas joined"):
        save_checked("c.yaml", [streamed], known())


def test_deltas_of_events_whose_json_spans_several_data_lines_are_joined() -> None:
    """Each event split at whitespace over two data lines (the format joins them with newlines):
    every line alone is no JSON, the events are, and their deltas make the secret."""
    body = ""
    for half in (OPAQUE[:9], OPAQUE[9:]):
        event = json.dumps({"type": "response.output_text.delta", "item_id": "m", "delta": half})
        split = event.index(", ")
        body += f"data: {event[: split + 1]}\ndata: {event[split + 2 :]}\n\n"
    leaky = interaction(response_headers={"content-type": ["text/event-stream"]}, body=body)
    assert any("deltas joined" in finding.where for finding in find_secrets_in_interactions([leaky], known()))
