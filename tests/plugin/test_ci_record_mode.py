"""With CI set only the command line records; a record mode a marker or a fixture asked for is
dropped out loud: the failure says which one and why, and so does the report header."""

from __future__ import annotations

import pytest

SUITE = """
    import httpx
    import pytest


    @pytest.mark.convreplay(record_mode="once")
    def test_marked():
        httpx.get("http://127.0.0.1:9/v1/conversations/conv_1/items")
"""


@pytest.fixture(autouse=True)
def _ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")


def test_a_marker_s_record_mode_dropped_in_ci_is_named_in_the_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ci=SUITE)

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*(CI is set, so record mode once (@pytest.mark.convreplay on test_ci.py::test_marked: option "
            "'record_mode') is not used: in CI only --convreplay-record-mode records)"
        ]
    )


def test_a_fixture_s_record_mode_dropped_in_ci_is_named_in_the_failure(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"record_mode": "new_episodes"}
        """
    )
    pytester.makepyfile(test_ci=SUITE.replace('record_mode="once"', ""))

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*CI is set, so record mode new_episodes (convreplay_config in conftest.py*"]
    )


def test_the_header_says_markers_and_fixtures_do_not_record_in_ci(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ci=SUITE)

    result = pytester.runpytest()

    result.stdout.fnmatch_lines(["convreplay: record mode none (CI is set: record modes of markers and*"])
