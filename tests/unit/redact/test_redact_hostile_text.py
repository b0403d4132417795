"""Text from users and models that trips redaction up: URLs urlsplit refuses, a key that runs into
a URL (found by the redaction fuzz target), JSON nested thousands deep, lone surrogate escapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_convreplay.redact import redact_text, redact_uri
from pytest_convreplay.redact.redactor import Redactor
from pytest_convreplay.rules.redaction import RedactionRules

RULES = RedactionRules.default()
KEY = "sk-proj-" + "A1b2" * 12


@pytest.mark.parametrize("text", ["https://[your-domain]/v1", "see http://[::1/v1 and https://[a:b]x:1/"])
def test_text_that_only_looks_like_a_url_gets_the_patterns(text: str) -> None:
    assert Redactor(RULES).text(f"{text} {KEY}") == f"{text} " + redact_text(KEY, RULES)
    assert redact_uri(text, RULES) == text


def test_a_key_running_into_a_url_is_redacted_in_one_pass() -> None:
    once = Redactor(RULES).text("sk-1b2A1b2A1r2A1b2Ahttp://http://@")
    assert Redactor(RULES).text(once) == once
    assert "userinfo" in once


def test_a_body_nested_3000_deep_is_redacted_as_text() -> None:
    body = "[" * 3000 + json.dumps(KEY) + "]" * 3000
    redacted = Redactor(RULES).document(body)
    assert KEY not in redacted
    assert redacted.startswith("[" * 3000)


def test_a_lone_surrogate_escape_stays_an_escape_when_its_body_is_rewritten() -> None:
    body = json.dumps({"text": "\ud800", "key": KEY})
    redacted = Redactor(RULES).document(body)
    assert KEY not in redacted
    assert "\\ud800" in redacted
    redacted.encode("utf-8")
    assert json.loads(redacted)["text"] == "\ud800"


@pytest.mark.parametrize("uri", ["////abcd@x/p?key=1", "http:////abcd@x?key=1", "HTTP:////a@b#key=2"])
def test_an_empty_authority_survives_redaction(uri: str) -> None:
    """Found by the redaction fuzz target: urlunsplit dropped the empty ``//`` authority, so the
    redacted URI parsed with ``abcd@x`` as its authority and a second pass redacted it again."""
    once = redact_uri(uri, RULES)
    assert once != uri
    assert "//" + "//" in once
    assert redact_uri(once, RULES) == once


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.sampled_from(["/", "//", "@", "?", "#", "=", "&", "%", "http:", "key=", "a", KEY]), max_size=12
    )
)
def test_uri_redaction_is_idempotent(pieces: list[str]) -> None:
    once = redact_uri("".join(pieces), RULES)
    assert redact_uri(once, RULES) == once


def test_text_a_placeholder_turns_into_a_url_gets_its_query_rules_at_once() -> None:
    """Found by the redaction fuzz target: urlsplit refused the text (``h["`` is no host), so only
    the patterns applied; the key's placeholder ended what had looked like a scheme, and a second
    pass then read a URL and redacted its ``sig`` parameter."""
    once = redact_uri(f'{KEY}http://h["/f?sig=1', RULES)
    assert once.endswith("sig=%3CREDACTED%3Asig%3E")
    assert redact_uri(once, RULES) == once


def test_text_a_placeholder_turns_into_json_is_redacted_as_json_at_once() -> None:
    """Found by the redaction fuzz target: raw NULs in a URL's userinfo kept the body from parsing,
    so it was redacted as text; the userinfo placeholder took the NULs, and a second pass then read
    JSON and applied the body rules."""
    rules = RedactionRules.from_options(body_paths=["data[*].text"])
    body = '{"data": [{"note": "https://bob' + "\x00" * 3 + 'pw@example.com/x", "text": "Turn 6"}]}'
    assert json_container_or_none(body) is None
    once = Redactor(rules).document(body)
    assert json.loads(once)["data"][0]["text"] == "<REDACTED:text>"
    assert Redactor(rules).document(once) == once


def json_container_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None
