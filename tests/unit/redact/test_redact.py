"""Redaction: what the rules write in headers, queries, bodies and text, and that replay still matches."""

from __future__ import annotations

import copy
import gzip
import json
import re
import zlib
from typing import Any
from urllib.parse import quote

import brotli  # type: ignore[import-untyped]
import pytest
import yaml
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.files import save_checked
from support.redact import ITEMS_URI, make_interaction, page, response_json

from pytest_convreplay.errors import SecretLeakError, UndecodableBodyError
from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.model.codings import ACCEPT_ENCODING, narrow_accept_encoding
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.redact.interaction import redact_interaction, redact_request
from pytest_convreplay.redact.redactor import redact_uri
from pytest_convreplay.rules.redaction import (
    PLACEHOLDER_RE,
    RedactionRules,
)

RULES = RedactionRules.default()


KEY = "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789"


def test_default_credential_headers_are_replaced_by_named_placeholders() -> None:
    interaction = make_interaction(
        request_headers={
            "Authorization": [f"Bearer {KEY}"],
            "OpenAI-Organization": ["org-abcdefghijklmnop"],
            "openai-project": ["proj_abcdefghijklmnop"],
            "Cookie": ["__cf_bm=abc"],
            "api-key": ["azure-key-123456"],
        },
        response_headers={
            "set-cookie": ["__cf_bm=xyz; path=/", "_cfuvid=abc"],
            "openai-organization": ["org-abcdefghijklmnop"],
            "openai-project": ["proj_abcdefghijklmnop"],
        },
    )
    redacted = redact_interaction(interaction, RULES)
    assert redacted["request"]["headers"] == {
        "Authorization": ["<REDACTED:authorization>"],
        "OpenAI-Organization": ["<REDACTED:openai-organization>"],
        "openai-project": ["<REDACTED:openai-project>"],
        "Cookie": ["<REDACTED:cookie>"],
        "api-key": ["<REDACTED:api-key>"],
    }
    assert redacted["response"]["headers"] == {
        "set-cookie": ["<REDACTED:set-cookie>", "<REDACTED:set-cookie>"],
        "openai-organization": ["<REDACTED:openai-organization>"],
        "openai-project": ["<REDACTED:openai-project>"],
    }


def test_ids_and_diagnostic_headers_are_left_alone() -> None:
    headers = {"x-request-id": ["req_123"], "openai-processing-ms": ["42"], "cf-ray": ["8f-LHR"]}
    redacted = redact_interaction(make_interaction(response_headers=headers), RULES)
    assert redacted["response"]["headers"] == headers


def test_query_rules_keep_order_and_repeated_params() -> None:
    uri = f"{ITEMS_URI}?limit=2&include%5B%5D=a.b&api_key={KEY}&include%5B%5D=c.d&after=msg_9"
    assert redact_uri(uri, RULES) == (
        f"{ITEMS_URI}?limit=2&include%5B%5D=a.b&api_key=%3CREDACTED%3Aapi_key%3E&include%5B%5D=c.d&after=msg_9"
    )


def test_live_request_and_cassette_normalize_to_the_same_uri() -> None:
    live = f"{ITEMS_URI}?key=real-key-from-ci-123456&order=asc"
    recorded = redact_uri(f"{ITEMS_URI}?key=key-used-when-recording&order=asc", RULES)
    assert redact_uri(live, RULES) == recorded == redact_uri(recorded, RULES)


def test_uri_without_secrets_is_returned_byte_for_byte() -> None:
    uri = f"{ITEMS_URI}?after=msg_abc&limit=100&include[]=message.input_image.image_url&order=desc&"
    assert redact_uri(uri, RULES) is uri


def test_patterns_and_userinfo_in_uris_are_redacted() -> None:
    redacted = redact_uri(f"https://user:hunter2-password@proxy.local/v1/{KEY}/items?q={KEY}", RULES)
    assert KEY not in redacted
    assert "hunter2" not in redacted
    assert redacted.startswith("https://%3CREDACTED%3Auserinfo%3E@proxy.local/v1/")


@pytest.mark.parametrize("userinfo", ["ghs_notapattern_tok3nValue9876543210", "sk_live_token:", "bob:pw"])
def test_userinfo_is_redacted_whole_even_without_a_password(userinfo: str) -> None:
    redacted = redact_uri(f"http://{userinfo}@127.0.0.1:8080/v1/items", RULES)
    assert redacted == "http://%3CREDACTED%3Auserinfo%3E@127.0.0.1:8080/v1/items"
    assert redact_uri(redacted, RULES) is redacted


def test_body_path_rules_replace_strings_in_request_and_response() -> None:
    rules = RedactionRules.from_options(body_paths=["**.encrypted_content", "input[*].secret_note"])
    body = {"data": [{"type": "reasoning", "encrypted_content": "gAAAAB...", "summary": []}]}
    interaction = make_interaction(
        request_body=json.dumps({"input": [{"secret_note": "vault code 4411"}]}), body=json.dumps(body)
    )
    redacted = redact_interaction(interaction, rules)
    assert json.loads(redacted["request"]["body"] or "") == {
        "input": [{"secret_note": "<REDACTED:secret_note>"}]
    }
    assert response_json(redacted)["data"][0]["encrypted_content"] == "<REDACTED:encrypted_content>"


def test_default_body_paths_cover_credential_fields() -> None:
    body = json.dumps({"tools": [{"type": "mcp", "authorization": "oauth-abc", "api_key": "x"}]})
    redacted = redact_interaction(make_interaction(request_body=body), RULES)
    assert json.loads(redacted["request"]["body"] or "") == {
        "tools": [
            {"type": "mcp", "authorization": "<REDACTED:authorization>", "api_key": "<REDACTED:api_key>"}
        ]
    }


def test_pattern_hits_get_keyed_hash_placeholders_so_equal_secrets_stay_equal() -> None:
    other = "sk-" + "Z" * 30
    body = json.dumps(page(f"first {KEY}", f"again {KEY}", f"other {other}"))
    texts = [
        item["content"][0]["text"]
        for item in response_json(redact_interaction(make_interaction(body=body), RULES))["data"]
    ]
    first, again, different = (text.split(" ", 1)[1] for text in texts)
    assert re.fullmatch(r"<REDACTED:openai-key:[0-9a-f]{8}>", first)
    assert first == again != different


def test_hash_key_changes_the_placeholder() -> None:
    body = json.dumps(page(KEY))
    default = redact_interaction(make_interaction(body=body), RULES)
    keyed = redact_interaction(
        make_interaction(body=body), RedactionRules.from_options(hash_key="project-key")
    )
    assert response_json(default) != response_json(keyed)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (KEY, "openai-key"),
        ("sk-admin-" + "a1" * 20, "openai-key"),
        ("sess-" + "Ab1" * 10, "openai-session"),
        ("AKIA" + "ABCDEFGHIJKLMNOP", "aws-access-key-id"),
        ("ghp_" + "a" * 36, "github-token"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "private-key"),
    ],
)
def test_default_patterns_find_common_secrets(text: str, label: str) -> None:
    redacted = response_json(
        redact_interaction(make_interaction(body=json.dumps(page(f"x {text} y"))), RULES)
    )
    assert re.fullmatch(rf"x <REDACTED:{label}:[0-9a-f]{{8}}> y", redacted["data"][0]["content"][0]["text"])


def test_bearer_pattern_keeps_the_scheme_and_spares_prose() -> None:
    body = json.dumps(page("use Bearer abc123def456ghi", "Bearer authentication is described in RFC 6750"))
    texts = [
        item["content"][0]["text"]
        for item in response_json(redact_interaction(make_interaction(body=body), RULES))["data"]
    ]
    assert re.fullmatch(r"use Bearer <REDACTED:bearer:[0-9a-f]{8}>", texts[0])
    assert texts[1] == "Bearer authentication is described in RFC 6750"


def test_ids_and_cursors_are_not_secrets() -> None:
    body = json.dumps(
        page(
            "hello",
            first_id="msg_68af2c3e9d8c8190a1b2c3d4e5f60718",
            last_id="task-abcdefghijklmnopqrstuvwxyz",
        )
    )
    interaction = make_interaction(
        uri=f"{ITEMS_URI}?after=msg_68af2c3e9d8c8190a1b2c3d4e5f60718&limit=20", body=body
    )
    assert redact_interaction(interaction, RULES) == interaction


def test_patterns_never_rewrite_placeholders_even_greedy_user_patterns() -> None:
    rules = RedactionRules.from_options(patterns=[r"greedy=[A-Z]{4,}", r"token=token=(?P<secret>\S+)"])
    interaction = make_interaction(body=json.dumps(page(f"KEY {KEY} token=hunter2secret")))
    once = redact_interaction(interaction, rules)
    assert redact_interaction(once, rules) == once
    assert PLACEHOLDER_RE.search(response_json(once)["data"][0]["content"][0]["text"])


def test_without_defaults_only_the_given_rules_apply() -> None:
    rules = RedactionRules.from_options(headers=["x-token"], extend_defaults=False)
    assert [rule.name for rule in rules.headers] == ["x-token"]
    assert (rules.query_params, rules.body_paths, rules.patterns) == ((), (), ())


def test_json_inside_strings_is_redacted_and_reserialized_compactly() -> None:
    arguments = json.dumps({"api_key": "abc", "note": f"key {KEY}"}, indent=2)
    body = json.dumps({"data": [{"type": "function_call", "arguments": arguments}]})
    redacted = response_json(redact_interaction(make_interaction(body=body), RULES))
    nested = redacted["data"][0]["arguments"]
    assert "\n" not in nested
    assert json.loads(nested)["api_key"] == "<REDACTED:api_key>"
    assert KEY not in nested


def test_unchanged_nested_json_and_bodies_keep_their_exact_bytes() -> None:
    arguments = '{ "city" : "Paris",  "units":"C" }'
    body = json.dumps({"data": [{"type": "function_call", "arguments": arguments}]}, indent=3)
    interaction = make_interaction(body=body)
    assert redact_interaction(interaction, RULES)["response"]["body"]["string"] == body


def test_body_paths_reach_into_nested_json_strings() -> None:
    rules = RedactionRules.from_options(body_paths=["data[*].output.token"])
    body = json.dumps({"data": [{"type": "function_call_output", "output": json.dumps({"token": "t0k"})}]})
    redacted = response_json(redact_interaction(make_interaction(body=body), rules))
    assert json.loads(redacted["data"][0]["output"]) == {"token": "<REDACTED:token>"}


def test_form_encoded_request_bodies_follow_query_rules() -> None:
    interaction = make_interaction(
        request_headers={"Content-Type": ["application/x-www-form-urlencoded"]},
        request_body="grant_type=x&client_secret=s3cr3t-value&scope=a+b",
    )
    redacted = redact_interaction(interaction, RULES)
    assert (
        redacted["request"]["body"] == "grant_type=x&client_secret=%3CREDACTED%3Aclient_secret%3E&scope=a+b"
    )


def test_gzip_bodies_are_stored_decoded_with_fixed_headers() -> None:
    text = json.dumps(page(f"k {KEY}"))
    interaction = make_interaction(
        response_headers={
            "Content-Encoding": ["gzip"],
            "Content-Length": ["1"],
            "Content-Type": ["application/json"],
        },
        body=gzip.compress(text.encode()),
    )
    redacted = redact_interaction(interaction, RULES)
    stored = redacted["response"]["body"]["string"]
    assert isinstance(stored, str)
    assert KEY not in stored
    assert redacted["response"]["headers"] == {
        "Content-Length": [str(len(stored.encode()))],
        "Content-Type": ["application/json"],
    }


@pytest.mark.parametrize(
    "compress", [zlib.compress, lambda data: zlib.compress(data)[2:-4]], ids=["zlib", "raw"]
)
def test_deflate_bodies_are_decoded_with_or_without_zlib_header(compress: Any) -> None:
    interaction = make_interaction(
        response_headers={"content-encoding": ["deflate"]}, body=compress(b'{"a": 1}')
    )
    assert redact_interaction(interaction, RULES)["response"]["body"]["string"] == '{"a": 1}'


@pytest.mark.parametrize(("coding", "compress"), [("br", brotli.compress), ("zstd", zstandard.compress)])
def test_brotli_and_zstd_bodies_are_decoded_when_their_libraries_are_installed(
    coding: str, compress: Any
) -> None:
    interaction = make_interaction(
        response_headers={"content-encoding": [coding]}, body=compress(b'{"a": 1}')
    )
    redacted = redact_interaction(interaction, RULES)
    assert redacted["response"]["body"]["string"] == '{"a": 1}'
    assert redacted["response"]["headers"] == {}


def test_stacked_encodings_are_undone_in_reverse_order() -> None:
    body = zlib.compress(gzip.compress(b"plain"))
    interaction = make_interaction(response_headers={"content-encoding": ["gzip, deflate"]}, body=body)
    assert redact_interaction(interaction, RULES)["response"]["body"]["string"] == "plain"


def test_accept_encoding_lists_only_what_can_be_decoded() -> None:
    offered = [coding.strip() for coding in ACCEPT_ENCODING.split(",")]
    assert offered[:2] == ["gzip", "deflate"]
    for coding in offered:
        interaction = make_interaction(response_headers={"content-encoding": [coding]}, body=b"\x00")
        with pytest.raises(UndecodableBodyError, match="corrupt"):
            redact_interaction(interaction, RULES)


@pytest.mark.parametrize(
    ("sent", "narrowed"),
    [
        ("gzip, deflate, br, zstd", "gzip, deflate, br, zstd"),
        ("gzip;q=1.0, compress;q=0.5, *;q=0.1", "gzip;q=1.0"),
        ("br", "br"),
        ("compress", "identity"),
        (None, "identity"),
    ],
)
def test_recording_asks_only_for_codings_both_the_client_and_the_redaction_decode(
    sent: str | None, narrowed: str
) -> None:
    assert narrow_accept_encoding(sent) == narrowed


def test_unknown_encoding_fails_naming_request_and_encoding_and_the_way_out() -> None:
    interaction = make_interaction(
        uri=f"{ITEMS_URI}?api_key={KEY}",
        response_headers={"content-encoding": ["compress"]},
        body=b"\x1f\x9d",
    )
    with pytest.raises(UndecodableBodyError) as error:
        redact_interaction(interaction, RULES)
    message = str(error.value)
    assert "GET https://api.openai.com/v1/conversations/conv_123/items" in message
    assert "'compress'" in message
    assert "allow_undecodable" in message
    assert KEY not in message


def test_allowed_undecodable_bodies_are_kept_as_they_are() -> None:
    rules = RedactionRules.from_options(allow_undecodable=True)
    interaction = make_interaction(response_headers={"content-encoding": ["compress"]}, body=b"\x1f\x9d")
    assert redact_interaction(interaction, rules) == interaction


def test_binary_bodies_are_kept_as_bytes_and_the_gate_checks_the_texts_they_may_hold() -> None:
    image = make_interaction(response_headers={"content-type": ["image/png"]}, body=b"\x89PNG\xff")
    stored: Any = redact_interaction(image, RULES)["response"]["body"]["string"]  # bytes: not `str`
    assert stored == b"\x89PNG\xff"
    known = KnownSecrets.from_env({}, values=[KEY])
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):  # the key inside audio, or UTF-16 JSON
        leaky = make_interaction(
            response_headers={"content-type": ["audio/mpeg"]}, body=b"\xff\xfb\x00" + KEY.encode(encoding)
        )
        with pytest.raises(SecretLeakError):
            save_checked("c.yaml", [redact_interaction(leaky, RULES)], known)


def test_the_input_interaction_is_never_modified() -> None:
    interaction = make_interaction(
        request_headers={"authorization": [f"Bearer {KEY}"]},
        response_headers={"content-encoding": ["gzip"]},
        body=gzip.compress(json.dumps(page(KEY)).encode()),
    )
    before = copy.deepcopy(interaction)
    redact_interaction(interaction, RULES)
    assert interaction == before


def test_user_callables_see_decoded_bodies_and_their_output_is_still_redacted() -> None:
    seen: list[Any] = []

    def tag(interaction: Interaction) -> Interaction:
        seen.append(interaction["response"]["body"]["string"])
        interaction["response"]["headers"]["x-note"] = [f"copied {KEY}"]
        return interaction

    rules = RedactionRules.from_options(callables=[tag])
    interaction = make_interaction(
        response_headers={"content-encoding": ["gzip"]}, body=gzip.compress(b"[1]")
    )
    redacted = redact_interaction(interaction, rules)
    assert seen == ["[1]"]
    assert KEY not in redacted["response"]["headers"]["x-note"][0]


def test_a_live_request_is_normalized_exactly_as_its_recording_was_written() -> None:
    def scrub(interaction: Interaction) -> Interaction:
        body = interaction["request"]["body"]
        interaction["request"]["body"] = body.replace("ada@example.com", "<email>") if body else body
        return interaction

    rules = RedactionRules.from_options(callables=[scrub], body_paths=["items[*].note"])
    body = json.dumps({"items": [{"text": f"ada@example.com {KEY}", "note": "private"}]})
    uri = f"{ITEMS_URI}?api_key={KEY}"
    written = redact_interaction(make_interaction(uri=uri, request_body=body), rules)["request"]

    assert redact_request("POST", uri, body.encode(), rules) == (written["uri"], written["body"])
    assert "ada@example.com" not in written["body"]
    assert "private" not in written["body"]


def body_text(interaction: Interaction) -> str:
    return interaction["response"]["body"]["string"]


@pytest.mark.parametrize("escape", ["\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9", "\\n\\n"])
def test_a_key_right_after_a_json_escape_is_found_in_text_that_is_not_parsed(escape: str) -> None:
    arguments = '{"path": "notes.txt", "text": "config:' + escape + KEY  # truncated: not JSON
    body = json.dumps({"data": [{"type": "function_call", "arguments": arguments}]})
    redacted = redact_interaction(make_interaction(body=body), RULES)
    assert KEY not in body_text(redacted)
    assert redact_interaction(redacted, RULES) == redacted


def test_a_json_string_literal_is_decoded_like_nested_objects() -> None:
    output = json.dumps(f"config file:\n{KEY}")  # a tool returning json.dumps(str)
    body = json.dumps({"data": [{"type": "function_call_output", "output": output}]})
    redacted = redact_interaction(make_interaction(body=body), RULES)
    stored = json.loads(response_json(redacted)["data"][0]["output"])
    assert stored.startswith("config file:\n<REDACTED:openai-key:")
    assert redact_interaction(redacted, RULES) == redacted
    plain = json.dumps({"data": [{"output": json.dumps("nothing here")}]})
    assert body_text(redact_interaction(make_interaction(body=plain), RULES)) == plain


def test_text_shaped_like_a_placeholder_does_not_hide_a_key() -> None:
    body = json.dumps(page(f"<REDACTED:{KEY}> and <REDACTED:openai-key:0a1b2c3d> and <REDACTED:api_key>"))
    redacted = redact_interaction(make_interaction(body=body), RULES)
    text = response_json(redacted)["data"][0]["content"][0]["text"]
    assert KEY not in text
    assert text.endswith(" and <REDACTED:openai-key:0a1b2c3d> and <REDACTED:api_key>")
    assert redact_interaction(redacted, RULES) == redacted


def sse(*events: dict[str, Any]) -> str:
    return "".join(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in events)


def test_event_stream_data_lines_are_redacted_as_json_events() -> None:
    body = sse(
        {"type": "response.output_text.delta", "delta": "hi"},
        {"type": "response.completed", "response": {"text": f"key:\n{KEY}", "password": "hunter2!"}},
    )
    interaction = make_interaction(response_headers={"content-type": ["text/event-stream"]}, body=body)
    redacted = body_text(redact_interaction(interaction, RULES))
    assert KEY not in redacted
    assert "hunter2" not in redacted
    events = [json.loads(line[len("data: ") :]) for line in redacted.splitlines() if line.startswith("data:")]
    assert events[0] == {"type": "response.output_text.delta", "delta": "hi"}
    assert events[1]["response"]["password"] == "<REDACTED:password>"
    assert redacted.splitlines()[:3] == body.splitlines()[:3]  # unchanged events keep their bytes
    twice = redact_interaction(redact_interaction(interaction, RULES), RULES)
    assert body_text(twice) == redacted


def test_an_event_whose_json_spans_several_data_lines_is_redacted_as_the_client_joins_it() -> None:
    """The event-stream format joins an event's data lines with newlines, so a JSON event may be
    split at any whitespace; the openai SDK reads it whole, so redaction must too."""
    event = json.dumps({"type": "response.completed", "response": {"password": "hunter2!", "note": KEY}})
    split_at = event.index(", ")
    body = f"event: e\ndata: {event[: split_at + 1]}\ndata: {event[split_at + 2 :]}\n\ndata: [DONE]\n\n"
    interaction = make_interaction(response_headers={"content-type": ["text/event-stream"]}, body=body)
    redacted = body_text(redact_interaction(interaction, RULES))
    assert KEY not in redacted
    assert "hunter2" not in redacted
    first = redacted.split("\n\n")[0].splitlines()
    joined = "\n".join(line.removeprefix("data: ") for line in first if line.startswith("data:"))
    assert json.loads(joined)["response"]["password"] == "<REDACTED:password>"
    assert redacted.endswith("data: [DONE]\n\n")


def test_urls_in_location_headers_and_in_json_strings_follow_query_rules() -> None:
    presigned = "https://bucket.s3.amazonaws.com/f.png?X-Amz-Signature=abc123sig&X-Amz-Security-Token=tok9"
    interaction = make_interaction(
        response_headers={
            "location": ["/v1/blob/file_1?name=a.txt&sig=SasSignatureSecret%3D&token=OneTimeToken42"],
            "x-other": ["https://h/x?sig=not-a-url-header"],
        },
        body=json.dumps(page(f"download it from {presigned} today", image_url=presigned)),
    )
    redacted = redact_interaction(interaction, RULES)
    headers = redacted["response"]["headers"]
    assert headers["location"] == [
        "/v1/blob/file_1?name=a.txt&sig=%3CREDACTED%3Asig%3E&token=%3CREDACTED%3Atoken%3E"
    ]
    assert headers["x-other"] == ["https://h/x?sig=not-a-url-header"]  # patterns only, as before
    text = body_text(redacted)
    for secret in ("abc123sig", "tok9"):
        assert secret not in text
    assert "https://bucket.s3.amazonaws.com/f.png?X-Amz-Signature=%3CREDACTED%3Ax-amz-signature%3E" in text
    assert redact_interaction(redacted, RULES) == redacted


def test_a_secret_used_as_an_object_key_is_redacted() -> None:
    body = json.dumps({"metadata": {KEY: {"owner": "ci"}}})
    redacted = body_text(redact_interaction(make_interaction(body=body), RULES))
    assert KEY not in redacted
    assert next(iter(json.loads(redacted)["metadata"])).startswith("<REDACTED:openai-key:")


def test_values_of_response_header_rules_are_redacted_in_response_bodies_too() -> None:
    org = "org-Rl8kQz2mW4nT6vX1yB3cD5eF"
    message = f"Rate limit reached for requests in organization {org} on requests per min (RPM)"
    limited = make_interaction(
        response_headers={"openai-organization": [org]}, body=json.dumps({"error": {"message": message}})
    )
    other = make_interaction(body=json.dumps({"error": {"message": message}}))
    rules = RULES.learning([limited])
    for interaction in (limited, other):
        text = body_text(redact_interaction(interaction, rules))
        assert org not in text
        assert "in organization <REDACTED:openai-organization:" in text
    assert org in body_text(redact_interaction(other, RULES))  # learned from the recording only


def test_a_form_body_is_normalized_for_replay_as_it_was_recorded() -> None:
    form = "grant_type=password&username=bob&password=hunter2-very-secret"
    written = redact_interaction(
        make_interaction(
            request_headers={"content-type": ["application/x-www-form-urlencoded"]}, request_body=form
        ),
        RULES,
    )["request"]
    sent_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert redact_request("POST", ITEMS_URI, form.encode(), RULES, sent_headers) == (
        ITEMS_URI,
        written["body"],
    )
    assert "hunter2" not in written["body"]


def test_user_callables_see_the_live_request_s_headers_on_replay() -> None:
    seen: list[Any] = []

    def by_header(interaction: Interaction) -> Interaction:
        seen.append(interaction["request"]["headers"]["user-agent"])
        return interaction

    rules = RedactionRules.from_options(callables=[by_header])
    redact_request("GET", ITEMS_URI, None, rules, {"user-agent": "OpenAI/Python 3.57.0"})
    assert seen == [["OpenAI/Python 3.57.0"]]


SECRET_CHARS = st.characters(codec="ascii", categories=["L", "N"])


SUFFIX = st.text(SECRET_CHARS, min_size=24, max_size=48)


# Secrets the default patterns know the shape of, so they are found wherever they are.
PATTERNED = st.one_of(
    SUFFIX.map(lambda s: f"sk-{s}"),
    SUFFIX.map(lambda s: f"sk-proj-{s}"),
    SUFFIX.map(lambda s: f"sess-{s}"),
)


# Anything at all, for places rules name (headers, query parameters, body paths).
# Prose is lowercase words; every secret holds a character prose never has, so a secret can never
# be mistaken for the harmless text around it (hypothesis once shrank both to "000000000000").
PROSE = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz "), max_size=20)


# Every fixed word of the generated interactions and of their YAML: a secret equal to one of them
# would be found in text that never held it (hypothesis found "content-type").
FIXED_TEXT = " ".join(
    [
        f"{ITEMS_URI}?limit=20&include%5B%5D=x&api_key=&order=asc",
        "Authorization Bearer OpenAI-Project content-type content-encoding application/json gzip",
        "object list data id msg_1 type message content output_text text fc_1 function_call arguments",
        "fc_2 function_call_output output password query n input interactions request response",
        "method GET uri body headers status code 200 message OK string version <REDACTED:",
        # and the placeholders the redaction writes (hypothesis found "openai-proje")
        "<REDACTED:openai-project> <REDACTED:authorization> %3CREDACTED%3Aapi_key%3E <REDACTED:password>",
        "<REDACTED:openai-key: <REDACTED:openai-session: <REDACTED:bearer:",
    ]
)


ANY_SECRET = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=12, max_size=40
).filter(lambda s: s.strip() == s and re.search(r"[^a-z ]", s) is not None and s not in FIXED_TEXT)


SEPARATOR = st.sampled_from([" ", "\n", ": ", "=", "'", '"', "(", ", ", "\t", "/"])


@st.composite
def in_prose(draw: st.DrawFn, secret: str) -> str:
    return draw(PROSE) + draw(SEPARATOR) + secret + draw(SEPARATOR) + draw(PROSE)


@st.composite
def interaction_with_secrets(draw: st.DrawFn) -> tuple[Interaction, list[str]]:
    """Seven secrets in one interaction: headers, query, request body, response body text,
    a nested JSON string, under a default body path, and the whole response gzip-compressed."""
    header_secret, query_secret, path_secret = (draw(ANY_SECRET) for _ in range(3))
    text_secret, nested_secret, request_secret, bearer = (draw(PATTERNED) for _ in range(4))
    arguments = json.dumps({"query": draw(in_prose(nested_secret)), "n": 1})
    body = {
        "object": "list",
        "data": [
            {
                "id": "msg_1",
                "type": "message",
                "content": [{"type": "output_text", "text": draw(in_prose(text_secret))}],
            },
            {"id": "fc_1", "type": "function_call", "arguments": arguments},
            {"id": "fc_2", "type": "function_call_output", "output": json.dumps({"password": path_secret})},
        ],
    }
    compress = draw(st.booleans())
    interaction = make_interaction(
        uri=f"{ITEMS_URI}?limit=20&include%5B%5D=x&api_key={quote(query_secret, safe='')}&order=asc",
        request_headers={"Authorization": [f"Bearer {bearer}"], "OpenAI-Project": [header_secret]},
        request_body=json.dumps({"input": draw(in_prose(request_secret))}),
        response_headers={"content-encoding": ["gzip"]}
        if compress
        else {"content-type": ["application/json"]},
        body=gzip.compress(json.dumps(body).encode()) if compress else json.dumps(body, indent=2),
    )
    return interaction, [
        header_secret,
        query_secret,
        path_secret,
        text_secret,
        nested_secret,
        request_secret,
        bearer,
    ]


# 300 examples x 7 secrets = 2,100 secrets; 150 more examples x 7 for idempotence.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interaction_with_secrets())
def test_no_secret_reaches_the_written_cassette(case: tuple[Interaction, list[str]]) -> None:
    interaction, secrets = case
    redacted = redact_interaction(interaction, RULES)
    text = yaml.safe_dump({"version": 1, "interactions": [redacted]}, allow_unicode=True)
    for secret in secrets:
        assert secret not in text
    known = KnownSecrets.from_env({}, values=secrets)
    save_checked("cassette.yaml", [redacted], known)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interaction_with_secrets())
def test_redaction_is_idempotent(case: tuple[Interaction, list[str]]) -> None:
    once = redact_interaction(case[0], RULES)
    assert redact_interaction(once, RULES) == once


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(PATTERNED, ANY_SECRET, PROSE), min_size=1, max_size=6).map(" ".join))
def test_redacting_any_text_twice_changes_nothing_more(text: str) -> None:
    once = redact_interaction(make_interaction(body=json.dumps(page(text))), RULES)
    assert redact_interaction(once, RULES) == once


def test_what_redaction_learns_from_headers_does_not_grow_with_the_pages_recorded() -> None:
    """One rule per header name, cookies never: a rule costs a scan of every string, and a fresh
    cookie on each of 500 pages made recording 10,000 items take minutes."""
    pages = [
        make_interaction(
            response_headers={
                "set-cookie": [f"__cf_bm=fresh-cookie-value-{n:04d}; path=/"],
                "openai-organization": ["org-RealLookingOrganization42"],
            }
        )
        for n in range(100)
    ]
    learned = RULES.learning(pages).learned
    assert [rule.label for rule in learned] == ["openai-organization"]


def test_tokens_in_a_url_fragment_follow_the_query_rules() -> None:
    """An OAuth implicit grant answers with its tokens after the ``#`` of a redirect."""
    rules = RedactionRules.default()
    location = "https://app.example/cb#access_token=ya29.a0AfH6SMBx-opaque&token_type=bearer&state=7"
    assert redact_uri(location, rules) == (
        "https://app.example/cb#access_token=%3CREDACTED%3Aaccess_token%3E&token_type=bearer&state=7"
    )
    assert redact_uri("https://app.example/docs#section-2", rules) == "https://app.example/docs#section-2"


def test_a_form_field_named_like_a_credential_is_redacted_and_the_upload_still_matches() -> None:
    """An upload's ``api_key`` field is what the same field of a form-encoded body is: a credential.
    The stored form gets the boundary of its redacted parts; a live request normalizes to it."""
    import httpx

    from pytest_convreplay.model.multipart import canonical_form
    from pytest_convreplay.model.requests import request_key

    def upload() -> tuple[bytes, str]:
        sent = httpx.Request(
            "POST", "https://api/v1/files", files={"file": ("a.txt", b"hello")}, data={"api_key": KEY}
        )
        return sent.read(), sent.headers["content-type"]

    body, kind = upload()
    form = canonical_form(body, kind)
    assert form is not None
    recorded = make_interaction(
        uri="https://api/v1/files",
        request_headers={"content-type": [form.content_type]},
        request_body=form.body,
    )
    stored = redact_interaction(recorded, RULES)["request"]
    assert KEY not in str(stored)
    assert "<REDACTED:api_key>" in str(stored["body"])
    live_body, live_kind = upload()  # a fresh random boundary, as every upload has
    uri, normalized = redact_request(
        "POST", "https://api/v1/files", live_body, RULES, {"content-type": live_kind}
    )
    stored_type = stored["headers"]["content-type"][0]
    assert request_key("POST", uri, normalized, live_kind) == request_key(
        "POST", stored["uri"], stored["body"], stored_type
    )
