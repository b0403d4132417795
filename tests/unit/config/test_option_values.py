"""Option values become typed rules where they are read: selectors and regexes keep what they need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_convreplay import ConfigError
from pytest_convreplay.config import Source, TestLocation, build_settings, convert_options


def test_pattern_and_body_path_options_keep_what_a_regex_or_selector_needs() -> None:
    location = TestLocation(Path("/r"), Path("/r/tests/test_x.py"), "test_x")
    settings = build_settings(
        location,
        [
            convert_options({"redact_body_paths": ['data[*]["display name, full"]']}, Source("fixture")),
            convert_options(
                {"redact_patterns": {"Ticket": re.compile("tck-[0-9]{6}", re.IGNORECASE)}}, Source("marker")
            ),
        ],
    )
    assert [rule.path.text for rule in settings.redact_body_paths] == ['data[*]["display name, full"]']
    (rule,) = settings.redact_patterns
    assert rule.label == "Ticket"
    assert rule.regex.search("id TCK-123456")  # the flag survived


@pytest.mark.parametrize(
    ("given", "size"),
    [
        (1, 1),
        ("67108864", 64 * 2**20),
        ("64MiB", 64 * 2**20),
        ("64 MiB", 64 * 2**20),
        ("512kB", 512_000),
        ("1.5GiB", 3 * 2**29),
        ("1GB", 10**9),
        ("10b", 10),
    ],
)
def test_max_cassette_bytes_takes_a_byte_count_or_a_size_with_a_unit(given: object, size: int) -> None:
    assert convert_options({"max_cassette_bytes": given}, Source("marker")) == {"max_cassette_bytes": size}


@pytest.mark.parametrize("given", ["abc", 0, "-5", True, 1.5, "1.5", "", "MiB", "5 TB"])
def test_a_size_that_is_not_one_says_what_is_expected(given: object) -> None:
    with pytest.raises(ConfigError, match=r"marker: option 'max_cassette_bytes': expected a size in bytes"):
        convert_options({"max_cassette_bytes": given}, Source("marker"))
