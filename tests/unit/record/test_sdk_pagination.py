"""The real openai SDK and openai-agents record against a loopback server and replay re-sliced pages."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support.pages import conversation, record

from pytest_convreplay.model.chains import (
    check_chains,
)
from pytest_convreplay.model.interactions import Interaction, json_body, split_uri
from pytest_convreplay.model.listing import Item, ListQuery, list_page
from pytest_convreplay.replay.reslice import CompleteListings

_SERVED_PATH = re.compile(r"/v1/conversations/(?P<cid>[^/]+)/items(?:/(?P<item>[^/]+))?$")


class _ItemsServer(BaseHTTPRequestHandler):
    conversations: ClassVar[dict[str, list[Item]]] = {}

    def do_GET(self) -> None:
        path, pairs = split_uri(self.path)
        match = _SERVED_PATH.fullmatch(path)
        items = self.conversations.get(match["cid"]) if match else None
        if match is None or items is None:
            return self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        query = ListQuery.from_pairs(pairs)
        if match["item"]:
            return self._send(200, next(item for item in items if item["id"] == match["item"]))
        return self._send(200, list_page(items, query))

    def _send(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback Conversations API serving ``conv_live`` (45 items), with the real page semantics."""
    _ItemsServer.conversations = {"conv_live": conversation(45)}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ItemsServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def assert_answered_like_live(listings: CompleteListings, live: list[Interaction]) -> None:
    """Every live exchange is answered offline with exactly the body the server sent."""
    assert live
    for exchange_ in live:
        request = exchange_["request"]
        served = listings.answer(request["method"], request["uri"])
        assert served == json_body(exchange_["response"]["body"]["string"]), request["uri"]


def test_sdk_recording_at_limit_100_asc_answers_limit_7_desc_like_the_server(
    server: str, tmp_path: Path
) -> None:
    import openai

    client = openai.OpenAI(base_url=server, api_key="sk-test", max_retries=0)
    listed, recording = record(
        tmp_path / "sdk.yaml",
        lambda: [item.id for item in client.conversations.items.list("conv_live", limit=100, order="asc")],
    )
    assert listed == [item["id"] for item in conversation(45)]
    assert len(recording) == 1
    assert check_chains(recording) == []
    listings = CompleteListings.from_interactions(recording)

    _, live = record(
        tmp_path / "live.yaml",
        lambda: (
            list(client.conversations.items.list("conv_live", limit=7, order="desc")),
            client.conversations.items.retrieve("msg_0007", conversation_id="conv_live"),
        ),
    )
    assert len(live) == 8  # seven pages of 7 (the last with 3) and one retrieve
    assert_answered_like_live(listings, live)


def test_agents_get_items_recording_answers_get_items_limit_5(server: str, tmp_path: Path) -> None:
    from agents.memory.openai_conversations_session import OpenAIConversationsSession
    from openai import AsyncOpenAI

    def get_items(limit: int | None = None) -> list[Any]:
        client = AsyncOpenAI(base_url=server, api_key="sk-test", max_retries=0)
        session = OpenAIConversationsSession(conversation_id="conv_live", openai_client=client)
        return asyncio.run(session.get_items(limit))

    everything, recording = record(tmp_path / "agents.yaml", get_items)
    assert [item["id"] for item in everything] == [item["id"] for item in conversation(45)]
    # get_items() walks order=asc at the API's default page size (20).
    assert [split_uri(i["request"]["uri"])[1] for i in recording] == [
        [("order", "asc")],
        [("order", "asc"), ("after", "rs_0019")],
        [("order", "asc"), ("after", "rs_0039")],
    ]
    listings = CompleteListings.from_interactions(recording)

    last_five, live = record(tmp_path / "agents5.yaml", lambda: get_items(limit=5))
    # get_items(limit=5) lists order=desc with no limit and stops after the first page.
    assert [split_uri(i["request"]["uri"])[1] for i in live] == [[("order", "desc")]]
    assert last_five == everything[-5:]
    assert_answered_like_live(listings, live)
