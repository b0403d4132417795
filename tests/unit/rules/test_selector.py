"""The one selector grammar: what a selector matches, its errors, and the printer it shares."""

from __future__ import annotations

import pytest

from pytest_convreplay.errors import ConfigError
from pytest_convreplay.rules.selector import Selector, format_path


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
