"""The one selector grammar: what a selector matches, its errors, and the printer it shares."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.diff import diff_items
from pytest_convreplay.errors import ConfigError
from pytest_convreplay.gate import KnownSecrets, find_secrets_in_interactions
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.redact import redact_interaction
from pytest_convreplay.rules.redaction import RedactionRules
from pytest_convreplay.rules.selector import JsonPath, Selector, format_path


@pytest.mark.parametrize(
    ("selector", "path", "expected"),
    [
        ("data[*].content[*].text", ("data", 2, "content", 0, "text"), True),
        ("data[*].content[*].text", ("data", 2, "content", "x", "text"), False),
        ("data[1].id", ("data", 1, "id"), True),
        ("data[1].id", ("data", 0, "id"), False),
        ("**.encrypted_content", ("encrypted_content",), True),
        ("**.encrypted_content", ("data", 0, "encrypted_content"), True),
        ("**.encrypted_content", ("data", 0, "summary"), False),
        ("data.*.id", ("data", 3, "id"), True),
        (".metadata['user.key']", ("metadata", "user.key"), True),
        ('metadata["a b"]', ("metadata", "a b"), True),
        ("data.**", ("data", 0, "content"), True),
    ],
)
def test_body_path_selects(selector: str, path: tuple[str | int, ...], expected: bool) -> None:
    assert Selector.parse(selector).matches(path) is expected


@pytest.mark.parametrize(
    ("selector", "position"),
    [("data.", 5), ("a..b", 2), ("data[x]", 4), ("data[*]text", 7), ("data[0", 4), ("", 0), ("a b", 1)],
)
def test_bad_selector_error_names_it_and_the_position(selector: str, position: int) -> None:
    with pytest.raises(ConfigError) as error:
        Selector.parse(selector)
    assert repr(selector) in str(error.value)
    assert f"at column {position + 1}" in str(error.value)


def test_format_path_writes_paths_the_selector_grammar_reads() -> None:
    path = ("data", 2, "content", 0, "we.ird")
    assert format_path(path) == 'data[2].content[0]["we.ird"]'
    assert Selector.parse(format_path(path)).matches(path)


# --- one grammar for what is printed and what is pasted back -----------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def paths_of(value: Any, path: JsonPath = ()) -> list[JsonPath]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths_of(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths_of(inner, (*path, index))
    return found


@given(JSON)
def test_every_printed_path_parses_back_to_itself(document: Any) -> None:
    for path in paths_of(document):
        printed = format_path(path)
        assert Selector.parse(printed).steps == path, printed
        assert Selector.parse(printed).matches(path)


@given(
    st.dictionaries(st.text(min_size=1, max_size=6), st.integers() | st.text(max_size=5), min_size=1),
    st.data(),
)
def test_a_path_a_diff_prints_masks_that_change_when_pasted_into_masks(
    metadata: dict[str, Any], data: Any
) -> None:
    key = data.draw(st.sampled_from(sorted(metadata)))
    old = {"type": "message", "id": "msg_1", "metadata": metadata}
    new = {**old, "metadata": {**metadata, key: "changed"}}
    diff = diff_items([old], [new], masks=())
    (item,) = diff.verdicts
    (change,) = item.fields
    assert diff_items([old], [new], masks=[change.path]).is_empty, change.path


def test_a_field_whose_name_is_an_item_type_is_printed_with_its_item_s_type() -> None:
    old = {"type": "configuration_update", "id": "cu_1", "reasoning": {"effort": "low"}}
    new = {**old, "reasoning": {"effort": "high"}}
    ((change,),) = [item.fields for item in diff_items([old], [new], masks=()).verdicts]
    assert change.path == "configuration_update.reasoning.effort"
    assert diff_items([old], [new], masks=[change.path]).is_empty


def test_a_gate_finding_s_body_path_pasted_into_redact_body_paths_redacts_it() -> None:
    secret = "an-opaque-service-token-0042"
    body = json.dumps({"data": [{"labels": {"x-trace id": secret}}]})
    exchange: Interaction = {
        "request": {"method": "GET", "uri": "https://api/v1/x", "body": None, "headers": {}},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}},
    }
    known = KnownSecrets.from_env({}, values=[secret])
    (finding,) = find_secrets_in_interactions([exchange], known)
    printed = finding.where.removeprefix("interaction 0 response body ")
    assert printed == 'data[0].labels["x-trace id"]'
    redacted = redact_interaction(exchange, RedactionRules.from_options(body_paths=[printed]))
    assert find_secrets_in_interactions([redacted], known) == []
