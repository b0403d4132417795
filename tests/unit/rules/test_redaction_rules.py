"""Redaction rules parse from option values, with errors that say what is wrong."""

from __future__ import annotations

import json
import re

import pytest
from support.redact import make_interaction, page, response_json

from pytest_convreplay.errors import ConfigError
from pytest_convreplay.redact.interaction import redact_interaction
from pytest_convreplay.rules.redaction import (
    BodyPathRule,
    HeaderRule,
    PatternRule,
    QueryRule,
    RedactionRules,
)


def test_header_rule_parses_side_and_rejects_bad_values() -> None:
    assert HeaderRule.parse("response:X-Secret") == HeaderRule("x-secret", "response")
    assert HeaderRule.parse("x-secret") == HeaderRule("x-secret", "both")
    with pytest.raises(ConfigError, match="unknown side 'reply'"):
        HeaderRule.parse("reply:x-secret")
    with pytest.raises(ConfigError, match="not a valid HTTP header name"):
        HeaderRule.parse("x secret")


def test_header_rule_applies_only_to_its_side() -> None:
    rules = RedactionRules.from_options(headers=["response:x-token"], extend_defaults=False)
    interaction = make_interaction(request_headers={"x-token": ["a"]}, response_headers={"x-token": ["b"]})
    redacted = redact_interaction(interaction, rules)
    assert redacted["request"]["headers"] == {"x-token": ["a"]}
    assert redacted["response"]["headers"] == {"x-token": ["<REDACTED:x-token>"]}


def test_query_rule_names_are_validated() -> None:
    with pytest.raises(ConfigError, match="query parameter rule"):
        QueryRule.parse("bad name")


def test_user_patterns_parse_with_labels_and_bad_regexes_fail_clearly() -> None:
    rules = RedactionRules.from_options(patterns=["internal=itk_[a-z0-9]{12}", re.compile(r"tenant-\d{6}")])
    labels = [rule.label for rule in rules.patterns]
    assert labels[-2:] == ["internal", "pattern"]
    with pytest.raises(ConfigError, match=r"not a valid regular expression"):
        RedactionRules.from_options(patterns=["broken=(unclosed"])
    with pytest.raises(ConfigError, match="label"):
        PatternRule("has space", re.compile("x"))


def test_patterns_given_as_a_mapping_use_its_keys_as_labels() -> None:
    rules = RedactionRules.from_options(patterns={"tenant": r"tenant-\d{6}"}, extend_defaults=False)
    redacted = response_json(
        redact_interaction(make_interaction(body=json.dumps(page("tenant-123456"))), rules)
    )
    assert redacted["data"][0]["content"][0]["text"].startswith("<REDACTED:tenant:")


def test_non_callables_are_rejected() -> None:
    with pytest.raises(ConfigError, match="not callable"):
        RedactionRules.from_options(callables=["not a function"])  # type: ignore[list-item]


def test_body_path_rule_label_defaults_to_the_last_name() -> None:
    assert BodyPathRule.parse("data[*].content[*].text").label == "text"
    assert BodyPathRule.parse("[*]").label == "body"
