"""Cassettes travel both ways between this plugin and plain vcrpy (and pytest-recording).

Ours keep vcrpy's format, so plain ``vcr.use_cassette(record_mode="none")`` replays them with the
openai SDK or httpx; a cassette plain vcrpy recorded replays under the plugin, and
``convreplay redact`` removes the credentials vcrpy left in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import openai
import pytest
import vcr

from pytest_convreplay.cli.main import main as convreplay
from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.storage.cassette import load_cassette

LIMIT = 3


def with_openai(base_url: str, api_key: str, conversation_id: str) -> list[str]:
    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    return [
        str(item.id) for item in client.conversations.items.list(conversation_id, limit=LIMIT, order="asc")
    ]


def with_httpx(base_url: str, api_key: str, conversation_id: str) -> list[str]:
    ids: list[str] = []
    params: dict[str, str | int] = {"limit": LIMIT, "order": "asc"}
    with httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {api_key}"}) as client:
        while True:
            page = client.get(f"/conversations/{conversation_id}/items", params=params).json()
            ids += [item["id"] for item in page["data"]]
            if not page["has_more"]:
                return ids
            params["after"] = page["last_id"]


CLIENTS: dict[str, Callable[[str, str, str], list[str]]] = {"openai": with_openai, "httpx": with_httpx}

SUITE = """
import pytest
from test_vcrpy_interop import with_{client}

@pytest.mark.convreplay
def test_history(convreplay):
    assert with_{client}("{base_url}", "{api_key}", "{conversation_id}") == {expected!r}
"""


class Conversation:
    """An emulator conversation, and the emulator, stopped once the recording is made."""

    def __init__(self, api: ConversationsEmulator, conversation_id: str) -> None:
        self.api = api
        self.base_url, self.api_key = api.base_url, api.api_key
        self.id = conversation_id
        self.item_ids = [item["id"] for item in api.items(conversation_id)]

    def read_with(self, client: str) -> list[str]:
        return CLIENTS[client](self.base_url, self.api_key, self.id)


@pytest.fixture
def conversation() -> Iterator[Conversation]:
    with ConversationsEmulator() as api:
        yield Conversation(api, api.seed_conversation(8))


def downstream_suite(pytester: pytest.Pytester, conversation: Conversation, client: str) -> Path:
    """A project with one test reading the conversation under the plugin; its cassette path."""
    pytester.syspathinsert(Path(__file__).parent)
    pytester.makepyfile(
        test_history=SUITE.format(
            client=client,
            base_url=conversation.base_url,
            api_key=conversation.api_key,
            conversation_id=conversation.id,
            expected=conversation.item_ids,
        )
    )
    return pytester.path / "cassettes" / "test_history" / "test_history.yaml"


def record_with_plain_vcrpy(path: Path, conversation: Conversation) -> None:
    with vcr.use_cassette(str(path), record_mode="once"):
        assert conversation.read_with("httpx") == conversation.item_ids


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_our_cassette_replays_in_plain_vcrpy(
    pytester: pytest.Pytester, conversation: Conversation, client: str
) -> None:
    path = downstream_suite(pytester, conversation, client)
    pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    conversation.api.stop()
    with vcr.use_cassette(str(path), record_mode="none"):
        assert conversation.read_with(client) == conversation.item_ids


def test_a_plain_vcrpy_cassette_replays_under_the_plugin(
    pytester: pytest.Pytester, conversation: Conversation
) -> None:
    path = downstream_suite(pytester, conversation, "httpx")
    record_with_plain_vcrpy(path, conversation)
    conversation.api.stop()
    pytester.runpytest().assert_outcomes(passed=1)


def test_convreplay_redact_removes_the_key_plain_vcrpy_left_in_its_cassette(
    tmp_path: Path, conversation: Conversation
) -> None:
    path = tmp_path / "vcrpy.yaml"
    record_with_plain_vcrpy(path, conversation)
    assert conversation.api_key in path.read_text()

    assert convreplay(["redact", str(path)]) == 0
    assert conversation.api_key not in path.read_text()
    assert len(load_cassette(path).interactions) == len(range(0, 8, LIMIT))
