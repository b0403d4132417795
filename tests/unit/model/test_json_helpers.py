"""The JSON helpers every stage reads bodies with: deep JSON is text, lone surrogates stay escapes."""

from __future__ import annotations

import json

import pytest

from pytest_convreplay.model.interactions import (
    MAX_JSON_DEPTH,
    dump_json,
    json_body,
    json_container,
    nests_deeper,
    parse_json,
)
from pytest_convreplay.model.requests import request_key


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_as_deep_as_the_limit_is_json_and_one_level_more_is_text() -> None:
    assert json_body(nested(MAX_JSON_DEPTH)) is not None
    assert json_body(nested(MAX_JSON_DEPTH + 1)) is None
    assert json_body(nested(3000)) is None
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        parse_json(nested(3000))


def test_json_held_in_strings_counts_towards_the_depth_of_what_holds_it() -> None:
    """Walkers decode JSON strings inside JSON, so nesting JSON in strings must not multiply the bound."""
    layered = json.dumps([json.dumps([nested(40)])])
    assert json_container(layered) is not None
    too_deep = json.dumps([json.dumps([nested(MAX_JSON_DEPTH)])])
    assert json_container(too_deep) is None
    assert nests_deeper(json.loads(too_deep), json_in_strings=True)
    assert not nests_deeper(json.loads(too_deep))


def test_a_deep_body_is_matched_by_its_text() -> None:
    assert request_key("POST", "https://a/v1/x", nested(3000)).body == nested(3000)


def test_a_lone_surrogate_is_dumped_as_its_escape() -> None:
    text = dump_json({"a": "x\ud800y", "b": "é"})
    assert text == '{"a": "x\\ud800y", "b": "é"}'
    assert json.loads(text) == {"a": "x\ud800y", "b": "é"}
