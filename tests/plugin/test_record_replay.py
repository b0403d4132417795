"""Record once against the emulator, replay offline forever: the plugin as a downstream suite uses it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_convreplay.emulator import ConversationsEmulator

CLIENTS = {
    "openai_sync": """
        import openai

        def list_items(base_url, api_key, conversation_id, **params):
            client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
            return [item.id for item in client.conversations.items.list(conversation_id, **params)]
    """,
    "openai_async": """
        import asyncio
        import openai

        def list_items(base_url, api_key, conversation_id, **params):
            async def run():
                client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0)
                return [item.id async for item in client.conversations.items.list(conversation_id, **params)]
            return asyncio.run(run())
    """,
}
# Plain httpx and httpx2 (openai 3.x's transport) are driven by the same hand-written pagination loop.
PLAIN_PAGINATION = """
    import {module} as http

    def list_items(base_url, api_key, conversation_id, **params):
        ids = []
        with http.Client(base_url=base_url, headers={{"authorization": f"Bearer {{api_key}}"}}) as client:
            while True:
                page = client.get(f"/conversations/{{conversation_id}}/items", params=params).json()
                ids += [item["id"] for item in page["data"]]
                if not page["has_more"]:
                    return ids
                params["after"] = page["last_id"]
"""
CLIENTS.update({module: PLAIN_PAGINATION.format(module=module) for module in ("httpx", "httpx2")})


def write_suite(
    pytester: pytest.Pytester, api: ConversationsEmulator, conversation_id: str, client: str
) -> None:
    """A downstream project: a client helper and one test that pages the conversation under a cassette."""
    pytester.makepyfile(client_helper=textwrap.dedent(CLIENTS[client]))
    pytester.makepyfile(
        test_history=f"""
        import pytest
        from client_helper import list_items

        @pytest.mark.convreplay
        def test_history(convreplay):
            ids = list_items("{api.base_url}", "{api.api_key}", "{conversation_id}", limit=5, order="asc")
            assert len(ids) == len(set(ids)) > 5
            assert ids == [item["id"] for item in convreplay.conversations["{conversation_id}"]]
        """
    )


def cassette_of(pytester: pytest.Pytester) -> Path:
    return pytester.path / "cassettes" / "test_history" / "test_history.yaml"


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_recorded_pagination_replays_with_the_emulator_stopped(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    with ConversationsEmulator() as api:
        conversation_id = api.seed_mixed_conversation()
        write_suite(pytester, api, conversation_id, client)
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    cassette = cassette_of(pytester).read_text(encoding="utf-8")
    assert api.api_key not in cassette
    assert api.organization not in cassette
    assert api.project not in cassette
    assert "__cf_bm=" not in cassette
    assert "_cfuvid=" not in cassette

    pytester.runpytest().assert_outcomes(passed=1)
    monkeypatch.setenv("CI", "true")
    pytester.runpytest().assert_outcomes(passed=1)


def test_unrecorded_request_fails_with_cassette_request_and_command(pytester: pytest.Pytester) -> None:
    with ConversationsEmulator() as api:
        conversation_id = api.seed_mixed_conversation()
        write_suite(pytester, api, conversation_id, "openai_sync")
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    test_file = pytester.path / "test_history.py"
    source = test_file.read_text()
    test_file.write_text(source.replace(f'"{conversation_id}", limit=5', '"conv_never_recorded", limit=5'))

    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "cassettes/test_history/test_history.yaml holds no answer for GET http://127.0.0.1:" in output
    assert "/v1/conversations/conv_never_recorded/items?limit=5&order=asc" in output
    assert "pytest --convreplay-record-mode=new_episodes 'test_history.py::test_history'" in output


def test_missing_cassette_in_mode_none_names_the_file_and_the_record_command(
    pytester: pytest.Pytester,
) -> None:
    with ConversationsEmulator() as api:
        conversation_id = api.seed_mixed_conversation()
        write_suite(pytester, api, conversation_id, "httpx")
        result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "cassette cassettes/test_history/test_history.yaml does not exist" in output
    assert "pytest --convreplay-record-mode=once 'test_history.py::test_history'" in output
    assert not cassette_of(pytester).exists()
