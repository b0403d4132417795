"""Option values become typed rules where they are read: selectors and regexes keep what they need."""

from __future__ import annotations

import re
from pathlib import Path

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
