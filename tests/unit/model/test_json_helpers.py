"""The JSON helpers every stage reads bodies with: deep JSON is text, lone surrogates stay escapes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def depth(value: object) -> int:
    """Containers nested, counted the plain recursive way (the root is level 1)."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


_values = st.recursive(
    st.none() | st.integers() | st.text(alphabet="ab 1", max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3),
    max_leaves=30,
)


@given(value=st.lists(_values) | st.dictionaries(st.text(max_size=2), _values), limit=st.integers(0, 8))
def test_nesting_is_measured_as_deep_as_it_is(value: object, limit: int) -> None:
    assert nests_deeper(value, limit) == (depth(value) > limit)
    # no string here holds JSON, so looking into strings changes nothing
    assert nests_deeper(value, limit, json_in_strings=True) == (depth(value) > limit)


def depth_through_strings(value: object) -> int:
    """:func:`depth`, a string holding a JSON object or array counting as that value."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        return depth_through_strings(json.loads(value))
    if isinstance(value, dict):
        return 1 + max(map(depth_through_strings, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_through_strings, value), default=0)
    return 0


_values_in_strings = st.recursive(
    st.none() | st.integers() | st.text(alphabet="ab 1", max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=2), inner, max_size=3)
        | st.lists(inner, max_size=3).map(json.dumps)
    ),  # a string holding JSON
    max_leaves=30,
)


@given(value=st.lists(_values_in_strings), limit=st.integers(0, 8))
def test_nesting_through_json_strings_is_measured_as_deep_as_it_is(value: object, limit: int) -> None:
    assert nests_deeper(value, limit, json_in_strings=True) == (depth_through_strings(value) > limit)


def test_a_deep_body_is_matched_by_its_text() -> None:
    assert request_key("POST", "https://a/v1/x", nested(3000)).body == nested(3000)


def test_a_lone_surrogate_is_dumped_as_its_escape() -> None:
    text = dump_json({"a": "x\ud800y", "b": "é"})
    assert text == '{"a": "x\\ud800y", "b": "é"}'
    assert json.loads(text) == {"a": "x\ud800y", "b": "é"}
