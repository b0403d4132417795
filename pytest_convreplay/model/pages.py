"""Items requests and list pages as recorded: which request names which conversation, what a page holds.

A test that reads conversation history pages through ``GET …/conversations/{id}/items`` with
``after=<last_id>``. This module recognises those requests and pages among recorded interactions
(on-disk ``Interaction`` dicts only, so the recorder, ``verify`` and replay share it), and the
exchanges that change what a listing shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .interactions import Interaction, json_body, split_uri
from .listing import Item, ListQuery

# Any prefix (``/v1``, a proxy path), then the conversation, its items and one item of them.
_CONVERSATION_PATH = re.compile(
    r"(?:^|/)conversations/(?P<conversation>[^/]+)(?P<items>/items(?:/(?P<item>[^/]+))?)?/?$"
)


@dataclass(frozen=True, slots=True)
class ItemsRequest:
    """An items-list request (``item_id`` None) or an item retrieve, with its parsed query."""

    conversation_id: str
    item_id: str | None
    query: ListQuery


def read_request(method: str, uri: str) -> ItemsRequest | None:
    """The items request ``uri`` names, or None for any other request or an invalid query."""
    if method.upper() != "GET":
        return None
    path, pairs = split_uri(uri)
    match = _CONVERSATION_PATH.search(path)
    if match is None or not match["items"]:
        return None
    try:
        query = ListQuery.from_pairs(pairs)
    except ValueError:
        return None
    item = match["item"]
    return ItemsRequest(unquote(match["conversation"]), unquote(item) if item else None, query)


def mutated_conversation(interaction: Interaction) -> str | None:
    """The conversation whose items this exchange may have changed, or None.

    Adding items, deleting an item, deleting the conversation and creating a response in it
    change what a listing shows. A 4xx says the server refused; a 5xx may have applied it.
    """
    request = interaction["request"]
    if 400 <= interaction["response"]["status"]["code"] < 500:
        return None
    method = request["method"].upper()
    path = split_uri(request["uri"])[0]
    match = _CONVERSATION_PATH.search(path)
    if match is not None:
        adds = method == "POST" and match["items"] and not match["item"]
        deletes = method == "DELETE" and (match["item"] or not match["items"])
        return unquote(match["conversation"]) if adds or deletes else None
    if method != "POST" or not path.rstrip("/").endswith("/responses"):
        return None
    body = json_body(request["body"])
    conversation = body.get("conversation") if isinstance(body, dict) else None
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    return conversation if isinstance(conversation, str) else None


class MalformedPageError(ValueError):
    """A 2xx answer to an items-list request whose body is not a list envelope."""


@dataclass(frozen=True, slots=True)
class Page:
    """One successful items-list answer: where it was recorded, what was asked, what came back."""

    index: int
    conversation_id: str
    query: ListQuery
    data: tuple[Item, ...]
    first_id: str | None
    last_id: str | None
    has_more: bool

    @property
    def item_ids(self) -> list[str | None]:
        return [id_of(item) for item in self.data]


def id_of(item: Item) -> str | None:
    value = item.get("id")
    return value if isinstance(value, str) else None


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _envelope_problem(envelope: object) -> str | None:
    """What is wrong with a list answer's body, in words, or None when it is a list envelope."""
    if envelope is None:
        return "the body is not JSON"
    if not isinstance(envelope, dict):
        return f"the body is a JSON {type(envelope).__name__}, not an object"
    data = envelope.get("data")
    if not isinstance(data, list):
        return "`data` is missing or not a list"
    if not all(isinstance(item, dict) for item in data):
        return "`data` holds something other than objects"
    if not isinstance(envelope.get("has_more"), bool):
        return "`has_more` is missing or not a boolean"
    return None


def read_page(index: int, interaction: Interaction) -> Page | None:
    """The page ``interaction`` holds, or None when it is no successful items-list answer.

    Raises MalformedPageError when a list request was answered 2xx with something else, because
    a chain cannot be followed through such a page.
    """
    request = read_request(interaction["request"]["method"], interaction["request"]["uri"])
    if request is None or request.item_id is not None:
        return None
    if not 200 <= interaction["response"]["status"]["code"] < 300:
        return None
    envelope = json_body(interaction["response"]["body"]["string"])
    problem = _envelope_problem(envelope)
    if problem:
        raise MalformedPageError(
            f"interaction {index} ({interaction['request']['uri']}) is not a list page: {problem}; "
            "expected a JSON object with a `data` list of objects and a boolean `has_more`"
        )
    return Page(
        index=index,
        conversation_id=request.conversation_id,
        query=request.query,
        data=tuple(envelope["data"]),
        first_id=_optional_str(envelope.get("first_id")),
        last_id=_optional_str(envelope.get("last_id")),
        has_more=envelope["has_more"],
    )
