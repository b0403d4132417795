"""Redaction never changes a shape or a type: a rule that hits an object redacts the credential
strings inside it, never its discriminators; numbers and booleans stay what they are."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from support.redact import make_interaction, response_json

from pytest_convreplay.redact import redact_interaction
from pytest_convreplay.rules.redaction import RedactionRules

RULES = RedactionRules.default()


def test_a_service_account_keeps_its_shape_and_loses_its_key() -> None:
    body = {
        "object": "organization.project.service_account",
        "id": "svc_1",
        "created_at": 1711471533,
        "api_key": {
            "object": "organization.project.service_account.api_key",
            "value": "opaque-but-secret-123456",
            "name": "Secret Key",
            "created_at": 1711471533,
            "id": "key_abc",
        },
    }
    redacted = response_json(redact_interaction(make_interaction(body=json.dumps(body)), RULES))
    assert redacted["api_key"] == {**body["api_key"], "value": "<REDACTED:api_key>"}  # type: ignore[dict-item]
    assert {key: redacted[key] for key in ("object", "id", "created_at")} == {
        key: body[key] for key in ("object", "id", "created_at")
    }


def test_an_audit_log_actor_api_key_is_left_whole() -> None:
    actor = {"type": "api_key", "api_key": {"id": "key_abc", "type": "user", "user": {"id": "user_1"}}}
    redacted = response_json(redact_interaction(make_interaction(body=json.dumps({"actor": actor})), RULES))
    assert redacted["actor"] == actor


def test_numbers_booleans_and_null_under_credential_names_keep_their_type() -> None:
    body = {"password": 1234, "api_key": True, "token": None, "secret": ["a-real-secret-value", 7]}
    redacted = response_json(redact_interaction(make_interaction(body=json.dumps(body)), RULES))
    assert redacted == {"password": 1234, "api_key": True, "token": None, "secret": ["<REDACTED:secret>", 7]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["api_key", "id", "type", "value", "token", "x"]), children, max_size=4
        )
    ),
    max_leaves=20,
)


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_shape(inner) for inner in value]
    return type(value).__name__


@given(json_values)
def test_redaction_keeps_every_shape_and_type(value: Any) -> None:
    document = {"data": value}
    redacted = response_json(redact_interaction(make_interaction(body=json.dumps(document)), RULES))
    assert _shape(redacted) == _shape(json.loads(json.dumps(document)))
