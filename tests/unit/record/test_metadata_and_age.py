"""A recording's metadata, and what an expired cassette does."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tools import age, record

from pytest_convreplay.storage.cassette import load_cassette


def test_metadata_records_when_with_what_and_against_which_server(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    record(path)
    metadata = load_cassette(path).metadata
    assert metadata["record_mode"] == "all"
    assert metadata["base_urls"][0].startswith("http://127.0.0.1:")
    assert set(metadata["versions"]) >= {"pytest-convreplay", "openai", "vcrpy", "python"}
    assert "T" in metadata["recorded_at"]


@pytest.mark.parametrize(
    ("on_expired", "outcome"), [("warn", {"passed": 1, "warnings": 1}), ("fail", {"errors": 1})]
)
def test_an_expired_cassette_warns_or_fails_as_configured(
    pytester: pytest.Pytester, on_expired: str, outcome: dict[str, int]
) -> None:
    cassette = pytester.path / "cassettes" / "test_old" / "test_old.yaml"
    cassette.parent.mkdir(parents=True)
    record(cassette)
    age(cassette, "2020-01-01T00:00:00+00:00")
    pytester.makepyfile(
        test_old=f"""
        import pytest

        @pytest.mark.convreplay(max_age="30d", on_expired="{on_expired}")
        def test_old(convreplay):
            assert convreplay.conversations
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(**outcome)
    result.stdout.fnmatch_lines(["*cassettes/test_old/test_old.yaml was recorded * days ago*max_age*"])
