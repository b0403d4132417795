"""What each record mode does to a cassette that already exists, as a downstream suite lives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_convreplay.emulator import ConversationsEmulator


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


def growing_history_suite(pytester: pytest.Pytester, api: ConversationsEmulator, conversation: str) -> None:
    """A test that reads a conversation; with EDITED set it also adds an item and reads it again."""
    pytester.makepyfile(
        test_history=f"""
        import os
        import openai, pytest

        @pytest.mark.convreplay
        def test_history():
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            count = lambda **params: len(list(client.conversations.items.list("{conversation}", **params)))
            assert count(order="asc", limit=100) == 7
            if os.environ.get("EDITED"):
                item = {{"type": "message", "role": "user", "content": "one more"}}
                client.conversations.items.create("{conversation}", items=[item])
                assert count(order="asc", limit=100) == 8
                assert count(order="desc", limit=3) == 8
        """
    )


def test_new_episodes_sends_what_the_cassette_has_not_answered_yet_to_the_server(
    pytester: pytest.Pytester, api: ConversationsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vcrpy's meaning: recorded answers are played once each; a repeated request or a new page
    size goes live, instead of being answered again or re-sliced from what the cassette holds."""
    growing_history_suite(pytester, api, api.seed_conversation(7))
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    monkeypatch.setenv("EDITED", "1")
    pytester.runpytest("--convreplay-record-mode=new_episodes").assert_outcomes(passed=1)
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)


def shared_cassette_suite(pytester: pytest.Pytester, api: ConversationsEmulator) -> None:
    """Three tests (one parametrized) that share one cassette, each listing its own conversation."""
    sizes = {name: api.seed_conversation(size) for name, size in (("a", 3), ("b", 5), ("c", 8))}
    pytester.makepyfile(
        test_shared=f"""
        import openai, pytest

        SIZES = {{"{sizes["a"]}": 3, "{sizes["b"]}": 5, "{sizes["c"]}": 8}}

        @pytest.mark.convreplay(cassette="shared")
        @pytest.mark.parametrize("conversation_id", list(SIZES))
        def test_shared(conversation_id):
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            listed = list(client.conversations.items.list(conversation_id, limit=2))
            assert len(listed) == SIZES[conversation_id]
        """
    )


@pytest.mark.parametrize("workers", [[], ["-p", "xdist", "-n", "2"]], ids=["serial", "xdist"])
def test_all_re_records_a_shared_cassette_once_per_run_and_keeps_every_test(
    pytester: pytest.Pytester, api: ConversationsEmulator, workers: list[str]
) -> None:
    shared_cassette_suite(pytester, api)
    pytester.runpytest("--convreplay-record-mode=new_episodes").assert_outcomes(passed=3)
    first_run = len(api.requests)
    pytester.runpytest_subprocess("--convreplay-record-mode=all", *workers).assert_outcomes(passed=3)
    assert len(api.requests) == 2 * first_run  # everything went live again
    api.stop()
    pytester.runpytest().assert_outcomes(passed=3)
