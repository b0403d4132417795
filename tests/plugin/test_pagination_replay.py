"""Pagination-aware replay through the plugin: re-sliced pages, agents sessions, retries, guards."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.model.chains import check_chains
from pytest_convreplay.model.item_dicts import to_item_dicts
from pytest_convreplay.storage.cassette import load_cassette


@pytest.fixture
def api() -> Iterator[ConversationsEmulator]:
    with ConversationsEmulator() as emulator:
        yield emulator


def live_listing(
    api: ConversationsEmulator, conversation_id: str, **params: object
) -> list[dict[str, object]]:
    """What the live API answers, fetched without any cassette."""
    client = openai.OpenAI(base_url=api.base_url, api_key=api.api_key)
    return to_item_dicts(list(client.conversations.items.list(conversation_id, **params)))  # type: ignore[arg-type]


def shared_cassette_suite(pytester: pytest.Pytester, helper: str, expected: list[dict[str, object]]) -> None:
    """Two tests on one cassette: ``helper.record()`` runs live once, ``helper.replay()`` offline after."""
    (pytester.path / "expected.json").write_text(json.dumps(expected))
    pytester.makepyfile(client_helper=textwrap.dedent(helper))
    pytester.makepyfile(
        test_history="""
        import json, pathlib, pytest
        import client_helper

        @pytest.mark.convreplay(cassette="history")
        def test_record():
            client_helper.record()

        @pytest.mark.convreplay(cassette="history")
        def test_replay():
            assert client_helper.replay() == json.loads(pathlib.Path("expected.json").read_text())
        """
    )


def record_then_replay(pytester: pytest.Pytester, api: ConversationsEmulator) -> list[str]:
    """Record with the emulator up, replay with it stopped; the recorded request URIs."""
    pytester.runpytest("--convreplay-record-mode=once", "test_history.py::test_record").assert_outcomes(
        passed=1
    )
    api.stop()
    pytester.runpytest("test_history.py::test_replay").assert_outcomes(passed=1)
    history = load_cassette(pytester.path / "cassettes" / "test_history" / "history.yaml")
    return [interaction["request"]["uri"] for interaction in history.interactions]


def test_a_limit_100_asc_recording_serves_limit_7_desc_equal_to_a_live_listing(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation_id = api.seed_conversation(150, kind="mixed")
    shared_cassette_suite(
        pytester,
        f"""
        import openai

        def pages(**params):
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            return client.conversations.items.list("{conversation_id}", **params)

        def record():
            list(pages(limit=100, order="asc"))

        def replay():
            return [item.model_dump(mode="json", exclude_unset=True) for item in pages(limit=7, order="desc")]
        """,
        live_listing(api, conversation_id, limit=7, order="desc"),
    )
    recorded = record_then_replay(pytester, api)
    assert len(recorded) == 2
    assert all("limit=100" in uri and "order=asc" in uri for uri in recorded)


def test_agents_get_items_recording_also_serves_get_items_with_a_limit(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation_id = api.seed_conversation(45, kind="mixed")
    newest_five = live_listing(api, conversation_id, order="desc")[:5][::-1]  # what agents returns
    shared_cassette_suite(
        pytester,
        f"""
        import asyncio, openai
        from agents.memory.openai_conversations_session import OpenAIConversationsSession

        def items(limit=None):
            client = openai.AsyncOpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            session = OpenAIConversationsSession(conversation_id="{conversation_id}", openai_client=client)
            return asyncio.run(session.get_items(limit))

        def record():
            assert len(items()) == 45

        def replay():
            return items(limit=5)
        """,
        newest_five,
    )
    recorded = record_then_replay(pytester, api)
    assert all("order=asc" in uri for uri in recorded)


def retry_suite(pytester: pytest.Pytester, api: ConversationsEmulator, marker: str = "") -> Path:
    """One SDK listing under a cassette; each run writes the seconds the SDK slept to ``slept.txt``."""
    conversation_id = api.seed_conversation(30)
    pytester.makepyfile(
        test_retry=f"""
        import pathlib, time
        import openai, pytest

        @pytest.mark.convreplay{marker}
        def test_retry(monkeypatch):
            slept = []
            real_sleep = time.sleep
            monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds) or real_sleep(seconds))
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=2)
            try:
                assert len(list(client.conversations.items.list("{conversation_id}", limit=20))) == 30
            finally:
                pathlib.Path("slept.txt").write_text(str(sum(slept)))
        """
    )
    return pytester.path / "cassettes" / "test_retry" / "test_retry.yaml"


def seconds_slept(pytester: pytest.Pytester) -> float:
    return float((pytester.path / "slept.txt").read_text())


def statuses(path: Path) -> list[int]:
    return [interaction["response"]["status"]["code"] for interaction in load_cassette(path).interactions]


def test_a_retried_429_is_not_kept_so_replay_never_sleeps(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    path = retry_suite(pytester, api)
    api.fail_next(1, 429, retry_after=0.5)  # the SDK would wait 0.5 s on replay if the 429 were kept
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert statuses(path) == [200, 200]
    assert seconds_slept(pytester) == 0.5
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)
    assert seconds_slept(pytester) == 0


def test_a_rate_limit_the_application_handled_itself_is_kept(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    """With SDK retries off the application sees the 429 and calls again: the SDK marks that call
    attempt 0, so it is no retry, and the 429 stays in the cassette for the error path to replay."""
    conversation_id = api.seed_conversation(3)
    pytester.makepyfile(
        test_app_retry=f"""
        import openai, pytest

        @pytest.mark.convreplay
        def test_app_retry():
            client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
            seen = []
            for _ in range(3):
                try:
                    assert len(list(client.conversations.items.list("{conversation_id}"))) == 3
                    break
                except openai.RateLimitError:
                    seen.append(429)
            assert seen == [429]
        """
    )
    api.fail_next(1, 429)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert statuses(pytester.path / "cassettes" / "test_app_retry" / "test_app_retry.yaml") == [429, 200]
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)


def test_keep_retries_keeps_the_failures_and_replays_them_in_order(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    path = retry_suite(pytester, api, marker="(keep_retries=True)")
    api.fail_next(1, 500)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    assert statuses(path) == [500, 200, 200]
    api.stop()
    pytester.runpytest().assert_outcomes(passed=1)
    assert seconds_slept(pytester) > 0  # the kept 500 is answered again, so the SDK retries again


def test_a_server_that_never_ends_stops_the_recording_with_the_repeated_cursor(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    api.endless_pagination = True
    path = retry_suite(pytester, api)
    result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*convreplay: recording cassettes/test_retry/test_retry.yaml stopped at "
            "GET /v1/conversations/conv_*/items?after=*: "
            "*chain 1, pages 2, 3: cursor after=* repeats*recording stopped"
        ]
    )
    assert len(api.requests) <= 3
    assert not path.exists()


def test_two_identical_concurrent_listings_record_the_whole_conversation(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    conversation_id = api.seed_conversation(45)
    expected = [item["id"] for item in live_listing(api, conversation_id, order="asc")]
    pytester.makepyfile(
        test_concurrent=f"""
        import asyncio, openai, pytest

        EXPECTED = {expected!r}

        def two_listings(limit):
            client = openai.AsyncOpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)

            async def ids():
                listing = client.conversations.items.list("{conversation_id}", limit=limit, order="asc")
                return [item.id async for item in listing]

            async def both():
                return await asyncio.gather(ids(), ids())

            return asyncio.run(both())

        @pytest.mark.convreplay(cassette="history")
        def test_record(convreplay):
            assert two_listings(5) == [EXPECTED, EXPECTED]
            assert [item["id"] for item in convreplay.conversations["{conversation_id}"]] == EXPECTED

        @pytest.mark.convreplay(cassette="history")
        def test_replay_another_page_size():
            assert two_listings(7) == [EXPECTED, EXPECTED]
        """
    )
    pytester.runpytest("--convreplay-record-mode=once", "test_concurrent.py::test_record").assert_outcomes(
        passed=1
    )
    history = load_cassette(pytester.path / "cassettes" / "test_concurrent" / "history.yaml")
    assert len(history.interactions) == 18  # both clients' nine pages
    assert check_chains(history.interactions) == []
    api.stop()
    pytester.runpytest().assert_outcomes(passed=2)


MUTATING_SUITE = """
import asyncio, openai, pytest
from agents.memory.openai_conversations_session import OpenAIConversationsSession

def client():
    return openai.OpenAI(base_url="{base_url}", api_key="{api_key}", max_retries=0)

@pytest.mark.convreplay
def test_delete_then_add():
    conversation = client().conversations.create(
        items=[{{"type": "message", "role": "user", "content": f"m{{n}}"}} for n in range(5)]
    )
    items = list(client().conversations.items.list(conversation.id, order="asc", limit=100))
    client().conversations.items.delete(items[2].id, conversation_id=conversation.id)
    client().conversations.items.create(
        conversation.id, items=[{{"type": "message", "role": "user", "content": "new"}}]
    )
    {read_after_mutation}

@pytest.mark.convreplay
def test_agents_add_then_get():
    aclient = openai.AsyncOpenAI(base_url="{base_url}", api_key="{api_key}", max_retries=0)

    async def flow():
        session = OpenAIConversationsSession(openai_client=aclient)
        await session.add_items([{{"role": "user", "content": f"turn {{n}}"}} for n in range(8)])
        everything = await session.get_items()
        {read_latest}
        return everything

    assert len(asyncio.run(flow())) == 8
"""


def test_a_listing_recorded_before_a_mutation_answers_no_new_request(
    pytester: pytest.Pytester, api: ConversationsEmulator
) -> None:
    base_url, api_key = api.base_url, api.api_key

    def suite(read_after_mutation: str = "", read_latest: str = "") -> None:
        source = MUTATING_SUITE.format(
            base_url=base_url,
            api_key=api_key,
            read_after_mutation=read_after_mutation or "pass",
            read_latest=read_latest or "pass",
        )
        pytester.makepyfile(test_mutating=source)

    suite()
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=2)
    api.stop()
    # The tests are edited to read once more, with page sizes the cassettes never saw.
    suite(
        read_after_mutation='client().conversations.items.list(conversation.id, order="desc", limit=10)',
        read_latest="assert await session.get_items(limit=3) == everything[-3:]",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_delete_then_add.yaml holds no answer for GET */conversations/*/items?limit=10&order=desc",
            "To record it, run: pytest --convreplay-record-mode=new_episodes*test_delete_then_add*",
            "FAILED test_mutating.py::test_delete_then_add*",
        ],
        consecutive=False,
    )


def test_repeat_error_fails_an_extra_identical_request_even_when_the_listing_is_complete(
    pytester: pytest.Pytester,
) -> None:
    """A complete recorded listing must not answer the request ``repeat="error"`` is meant to refuse."""
    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(5)
        pytester.makepyfile(
            test_repeat=f"""
            import os
            import httpx
            import pytest

            @pytest.mark.convreplay(repeat="error")
            def test_list(convreplay):
                headers = {{"authorization": "Bearer {api.api_key}"}}
                with httpx.Client(base_url="{api.base_url}", headers=headers) as client:
                    for _ in range(int(os.environ.get("TIMES", "1"))):
                        page = client.get("/conversations/{conversation_id}/items", params={{"limit": 100}})
                        assert page.status_code == 200
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMES", "2")
        result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*holds no answer for GET*", "*repeat*error*"])
