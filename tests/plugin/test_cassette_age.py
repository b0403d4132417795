"""A cassette older than its max_age is re-recorded when recording is allowed."""

from __future__ import annotations

import pytest
from support.tools import age

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.cassette import load_cassette


def test_an_expired_cassette_is_re_recorded_when_recording_is_allowed(pytester: pytest.Pytester) -> None:
    cassette = pytester.path / "cassettes" / "test_old" / "test_old.yaml"
    cassette.parent.mkdir(parents=True)
    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(5)
        pytester.makepyfile(
            test_old=f"""
            import httpx, pytest

            @pytest.mark.convreplay(max_age="30d", on_expired="rerecord")
            def test_old(convreplay):
                headers = {{"authorization": "Bearer {api.api_key}"}}
                url = "{api.base_url}/conversations/{conversation_id}/items"
                assert httpx.get(url, headers=headers).json()["data"]
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
        age(cassette, "2020-01-01T00:00:00+00:00")
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    metadata = load_cassette(cassette).metadata
    assert not metadata["recorded_at"].startswith("2020")
    assert metadata["record_mode"] == "all"


def test_an_expired_cassette_replayed_warns_at_the_test_with_its_age(pytester: pytest.Pytester) -> None:
    cassette = pytester.path / "cassettes" / "test_old" / "test_old.yaml"
    with ConversationsEmulator() as api:
        pytester.makepyfile(
            test_old=f"""
            import httpx, pytest

            @pytest.mark.convreplay(max_age="30d")
            def test_old(convreplay):
                httpx.get("{api.base_url}/conversations/conv_x/items")
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    age(cassette, "2020-01-01T00:00:00+00:00")

    result = pytester.runpytest()

    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*/test_old.py:*: CassetteExpiredWarning: convreplay: cassette *test_old.yaml was recorded "
            "* days ago, older than max_age 30 days*re-record it with: pytest --convreplay-record-mode=all*"
        ]
    )
