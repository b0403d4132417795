"""Masks parse as selectors whose first step may name the item type."""

from __future__ import annotations

import re

import pytest

from pytest_convreplay.errors import ConfigError
from pytest_convreplay.rules.masks import Mask
from pytest_convreplay.rules.selector import Wildcard


def test_a_selector_parses_into_type_and_path() -> None:
    mask = Mask.parse("message.content[*].logprobs")
    assert (mask.item_type, mask.steps) == ("message", ("content", Wildcard.ANY_INDEX, "logprobs"))


def test_star_type_matches_every_item_type() -> None:
    assert Mask.parse("*.created_at").item_type is None


@pytest.mark.parametrize(
    ("selector", "position", "problem"),
    [
        ("", 1, "empty selector"),
        ("reasoning", 10, "expected a path"),
        ("message..text", 9, "expected a name, '\\*' or '\\*\\*' after '.'"),
        ("message.content[x]", 16, "expected '.name'"),
        ("message.content]", 16, "expected '.name'"),
        ("message[0]", 8, "the path must start with a field name"),
    ],
)
def test_a_bad_selector_names_itself_and_the_position(selector: str, position: int, problem: str) -> None:
    with pytest.raises(
        ConfigError, match=f"mask {re.escape(repr(selector))}: {problem}.* at column {position}\\b"
    ):
        Mask.parse(selector)
