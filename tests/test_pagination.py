"""Recorded items-list chains: their checks, the endless-cursor guard, rebuilding and re-slicing.

Envelopes are made with ``listing.list_page`` so they are what the API sends; the end-to-end tests
record the real openai SDK and openai-agents against a loopback server.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.errors import PaginationError
from pytest_convreplay.model.chains import (
    ChainGuard,
    ChainProblem,
    Severity,
    build_chains,
    check_chains,
    read_pages,
)
from pytest_convreplay.model.conversations import rebuild_conversations
from pytest_convreplay.model.interactions import Interaction, json_body, split_uri
from pytest_convreplay.model.listing import Item, ListQuery, apply_include, list_page
from pytest_convreplay.model.pages import read_request
from pytest_convreplay.record.retries import drop_retried_failures
from pytest_convreplay.replay.reslice import CompleteListings

T = TypeVar("T")
CID = "conv_1"
BASE = "https://api.openai.com/v1"


def message(number: int) -> Item:
    return {
        "id": f"msg_{number:04d}",
        "type": "message",
        "role": "user" if number % 2 else "assistant",
        "status": "completed",
        "content": [{"type": "input_text", "text": f"turn {number}"}],
    }


def reasoning(number: int) -> Item:
    return {"id": f"rs_{number:04d}", "type": "reasoning", "summary": [], "encrypted_content": "gAAA"}


def conversation(count: int) -> list[Item]:
    return [reasoning(n) if n % 5 == 4 else message(n) for n in range(count)]


def list_uri(cid: str, *, after: str | None = None, base: str = BASE, **params: Any) -> str:
    pairs: list[tuple[str, str]] = [(k, str(v)) for k, v in params.items() if k != "include"]
    pairs += [("include[]", value) for value in params.get("include", ())]
    if after is not None:
        pairs.append(("after", after))
    return f"{base}/conversations/{cid}/items" + (f"?{urlencode(pairs)}" if pairs else "")


def exchange(
    uri: str, body: Any, status: int = 200, method: str = "GET", sent: str | None = None
) -> Interaction:
    return {
        "request": {"method": method, "uri": uri, "body": sent, "headers": {}},
        "response": {
            "status": {"code": status, "message": "OK" if status < 400 else "Error"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": body if isinstance(body, str) else json.dumps(body)},
        },
    }


def walk(
    items: Sequence[Item], cid: str = CID, *, stop_after: int | None = None, **params: Any
) -> list[Interaction]:
    """What the openai SDK's auto-pagination records: all params repeated, plus ``after``."""
    query = ListQuery.from_pairs(split_uri(list_uri(cid, **params))[1])
    recorded: list[Interaction] = []
    after: str | None = None
    while True:
        envelope = list_page(items, ListQuery(after, query.limit, query.order, query.include))
        recorded.append(exchange(list_uri(cid, after=after, **params), envelope))
        if not envelope["has_more"] or len(recorded) == stop_after:
            return recorded
        after = envelope["last_id"]


def errors(problems: list[ChainProblem]) -> list[ChainProblem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]


def with_body(interaction: Interaction, **changes: Any) -> Interaction:
    envelope = json.loads(interaction["response"]["body"]["string"])
    envelope.update(changes)
    return exchange(interaction["request"]["uri"], envelope)


# --- recognising items requests ---------------------------------------------------------------


def test_list_request_is_recognised_under_any_prefix() -> None:
    request = read_request("GET", "http://127.0.0.1:9/proxy/openai/v1/conversations/conv_9/items?limit=5")
    assert request is not None
    assert (request.conversation_id, request.item_id, request.query.limit) == ("conv_9", None, 5)


def test_item_retrieve_is_recognised_with_its_include() -> None:
    request = read_request(
        "get", f"{BASE}/conversations/conv_9/items/rs_1?include%5B%5D=reasoning.encrypted_content"
    )
    assert request is not None
    assert (request.item_id, request.query.include) == ("rs_1", frozenset({"reasoning.encrypted_content"}))


@pytest.mark.parametrize(
    ("method", "uri"),
    [
        ("POST", f"{BASE}/conversations/conv_9/items"),
        ("GET", f"{BASE}/conversations/conv_9"),
        ("GET", f"{BASE}/responses/resp_1/input_items"),
        ("GET", f"{BASE}/conversations/conv_9/items?limit=0"),
    ],
)
def test_other_requests_are_not_items_requests(method: str, uri: str) -> None:
    assert read_request(method, uri) is None


# --- check_chains: the cursor contract --------------------------------------------------------


def test_a_clean_complete_chain_has_no_problems() -> None:
    assert check_chains(walk(conversation(45), limit=10, order="asc")) == []


def test_after_that_is_not_the_previous_last_id_is_an_error() -> None:
    first, _ = walk(conversation(4), limit=2, order="asc", stop_after=2)
    # The server names a wrong last_id; the client follows the last item instead.
    first = with_body(first, last_id="msg_9999")
    second = exchange(
        list_uri(CID, limit=2, order="asc", after="msg_0001"),
        list_page(conversation(4), ListQuery("msg_0001", 2, "asc")),
    )
    problems = errors(check_chains([first, second]))
    assert [(p.chain, p.pages) for p in problems] == [(1, (1,)), (1, (1, 2))]
    assert "after='msg_0001'" in problems[1].message
    assert set(problems[1].ids) == {"msg_0001", "msg_9999"}


def test_first_and_last_id_must_match_the_page_items() -> None:
    pages = walk(conversation(6), limit=3, order="asc")
    pages[1] = with_body(pages[1], first_id="msg_0000")
    [problem] = check_chains(pages)
    assert (problem.pages, problem.severity) == ((2,), Severity.ERROR)
    assert "msg_0000" in problem.ids
    assert "msg_0003" in problem.ids


def test_an_empty_page_has_null_first_and_last_id() -> None:
    assert check_chains(walk([], limit=5, order="asc")) == []


def test_an_item_listed_twice_is_an_error_naming_both_pages() -> None:
    items = conversation(6)
    pages = walk(items, limit=3, order="asc")
    pages[1] = with_body(pages[1], data=[items[2], items[4], items[5]], first_id="msg_0002")
    [problem] = check_chains(pages)
    assert (problem.pages, problem.ids) == ((1, 2), ("msg_0002",))
    assert "twice" in str(problem)


def test_a_page_larger_than_its_limit_is_an_error() -> None:
    envelope = list_page(conversation(5), ListQuery(limit=5, order="asc"))
    [problem] = check_chains([exchange(list_uri(CID, limit=3, order="asc"), envelope)])
    assert "5 items on a page requested with limit=3" in problem.message


def test_has_more_without_a_last_id_is_an_error() -> None:
    [first, _] = walk(conversation(4), limit=2, order="asc")
    problems = check_chains([with_body(first, last_id=None)])
    assert [p.message for p in errors(problems)][
        -1
    ] == "has_more is true but there is no last_id to continue from"


def test_a_client_that_stops_early_leaves_only_a_note() -> None:
    [problem] = check_chains(walk(conversation(50), order="desc", stop_after=1))
    assert (problem.severity, problem.pages) == (Severity.NOTE, (1,))
    assert "stopped at page 1 while has_more was true" in str(problem)


def test_a_listing_that_starts_at_a_cursor_leaves_only_a_note() -> None:
    items = conversation(5)
    uri = list_uri(CID, order="asc", after="msg_0001")
    [problem] = check_chains([exchange(uri, list_page(items, ListQuery("msg_0001", order="asc")))])
    assert problem.severity is Severity.NOTE
    assert problem.ids == ("msg_0001",)


def test_failed_answers_are_not_pages() -> None:
    error = {"error": {"message": "Rate limit", "type": "requests", "param": None, "code": None}}
    recording = [exchange(list_uri(CID, order="asc"), error, status=429), *walk(conversation(3), order="asc")]
    assert check_chains(recording) == []


def test_a_successful_answer_that_is_no_list_page_is_an_error() -> None:
    [problem] = check_chains([exchange(list_uri(CID), {"object": "conversation"})])
    assert (problem.conversation_id, problem.chain, problem.severity) == (CID, 0, Severity.ERROR)
    assert "not a list page" in problem.message


def test_interleaved_listings_of_one_conversation_are_separate_chains() -> None:
    items = conversation(9)
    asc = walk(items, limit=3, order="asc")
    desc = walk(items, limit=4, order="desc")
    other = walk(conversation(2), "conv_2", limit=1, order="asc")
    mixed = [asc[0], desc[0], other[0], asc[1], desc[1], other[1], asc[2], desc[2]]
    assert check_chains(mixed) == []


def test_two_identical_listings_in_a_row_are_two_clean_chains() -> None:
    pages = walk(conversation(6), limit=2, order="asc")
    assert check_chains(pages + pages) == []


def interleave(walks: Sequence[Sequence[Interaction]], turns: Iterable[int]) -> list[Interaction]:
    """The walks' pages merged as concurrent clients record them: each walk keeps its own order,
    ``turns`` says which walk records next (turns of a finished walk are skipped)."""
    queues = [list(pages) for pages in walks]
    merged = [queues[turn % len(queues)].pop(0) for turn in turns if queues[turn % len(queues)]]
    return merged + [page for queue in queues for page in queue]


def test_two_identical_listings_interleaved_page_by_page_are_two_complete_chains() -> None:
    items = conversation(45)
    pages = walk(items, limit=5, order="asc")
    recording = interleave([pages, pages], [0, 1] * len(pages))
    assert check_chains(recording) == []
    record = rebuild_conversations(recording)[CID]
    assert (len(record.items), record.complete, record.consistent) == (45, True, True)


@given(clients=st.integers(min_value=2, max_value=4), turns=st.lists(st.integers(min_value=0, max_value=3)))
def test_identical_listings_interleaved_in_any_order_are_complete_chains(
    clients: int, turns: list[int]
) -> None:
    pages = walk(conversation(23), limit=4, order="desc")
    chains = build_chains(read_pages(interleave([pages] * clients, turns))[0])
    assert [(len(chain.pages), chain.complete) for chain in chains] == [(len(pages), True)] * clients


def test_listings_that_meet_at_a_cursor_keep_their_own_page_size() -> None:
    items = conversation(8)
    small, large = walk(items, limit=2, order="asc"), walk(items, limit=4, order="asc")
    # Both wait at msg_0003 when the limit=4 client asks for its second page.
    recording = [small[0], large[0], small[1], large[1], small[2], small[3]]
    chains = build_chains(read_pages(recording)[0])
    assert [[page.query.limit for page in chain.pages] for chain in chains] == [[2, 2, 2, 2], [4, 4]]


def endless_server() -> Iterator[Interaction]:
    """A server whose has_more never turns false and whose cursor never moves."""
    items = conversation(3)
    after: str | None = None
    while True:
        envelope = {**list_page(items, ListQuery(limit=3, order="asc")), "has_more": True}
        yield exchange(list_uri(CID, limit=3, order="asc", after=after), envelope)
        after = envelope["last_id"]


def test_a_repeating_cursor_is_an_error_naming_both_pages() -> None:
    recording = [page for _, page in zip(range(4), endless_server(), strict=False)]
    problems = errors(check_chains(recording))
    repeat = [p for p in problems if "repeats" in p.message]
    assert [(p.pages, p.ids) for p in repeat] == [((2, 3), ("msg_0002",))]


def pages_until_stopped(guard: ChainGuard, pages: Iterable[Interaction], bound: int) -> tuple[int, str]:
    """How many pages the guard saw before it raised, and its message."""
    for count, page in enumerate(pages, start=1):
        assert count <= bound, "the guard let the listing go on"
        try:
            guard.observe(page)
        except PaginationError as error:
            return count, str(error)
    raise AssertionError("the guard never stopped the listing")


def test_the_guard_stops_an_endless_server_within_three_pages() -> None:
    count, message = pages_until_stopped(ChainGuard(), endless_server(), bound=3)
    assert count == 3
    assert "chain 1, pages 2, 3: cursor after=msg_0002 repeats" in message


def test_the_guard_stops_a_chain_that_never_ends_at_max_pages() -> None:
    pages = walk(conversation(1000), limit=1, order="asc")
    count, message = pages_until_stopped(ChainGuard(max_pages=50), pages, bound=51)
    assert count == 51
    assert "more than 50 pages" in message


def test_the_guard_lets_complete_and_partial_listings_pass() -> None:
    guard = ChainGuard(max_pages=5)
    for page in walk(conversation(10), limit=2, order="asc") + walk(
        conversation(10), order="desc", stop_after=1
    ):
        guard.observe(page)


# --- rebuilding conversations -----------------------------------------------------------------


def test_an_ascending_chain_rebuilds_the_conversation_as_listed() -> None:
    items = conversation(23)
    record = rebuild_conversations(walk(items, limit=10, order="asc"))[CID]
    # Recorded without include[], so reasoning items come without encrypted_content.
    items = [apply_include(item, ()) for item in items]
    assert (list(record.items), record.complete, record.consistent, record.include) == (
        items,
        True,
        True,
        frozenset(),
    )


def test_a_descending_chain_is_rebuilt_in_chronological_order() -> None:
    items = conversation(23)
    include = ["reasoning.encrypted_content"]
    record = rebuild_conversations(walk(items, limit=7, order="desc", include=include))[CID]
    assert list(record.items) == items
    assert record.include == frozenset(include)


def test_a_partial_chain_gives_the_items_seen_but_is_not_complete() -> None:
    items = conversation(30)
    include = ["reasoning.encrypted_content"]
    record = rebuild_conversations(walk(items, order="desc", stop_after=1, include=include))[CID]
    assert (list(record.items), record.complete) == (items[-20:], False)


def test_the_widest_include_is_preferred() -> None:
    items = conversation(12)
    recording = walk(items, limit=100, order="asc") + walk(
        items, limit=5, order="desc", include=["reasoning.encrypted_content"]
    )
    record = rebuild_conversations(recording)[CID]
    assert record.include == frozenset({"reasoning.encrypted_content"})
    assert list(record.items) == items
    assert record.consistent


def test_a_conversation_that_changed_between_listings_is_not_consistent() -> None:
    before, after = conversation(5), conversation(6)
    record = rebuild_conversations(walk(before, order="asc") + walk(after, order="asc"))[CID]
    assert record.complete
    assert not record.consistent


def test_a_chain_that_breaks_a_rule_is_not_complete() -> None:
    pages = walk(conversation(6), limit=3, order="asc")
    pages[0] = with_body(pages[0], first_id="msg_0005")
    assert not rebuild_conversations(pages)[CID].complete


# --- answering re-sliced requests -------------------------------------------------------------


def test_a_recording_at_limit_100_asc_answers_limit_7_desc() -> None:
    items = conversation(30)
    listings = CompleteListings.from_interactions(walk(items, limit=100, order="asc"))
    answer = listings.answer("GET", list_uri(CID, limit=7, order="desc", after="msg_0020"))
    assert answer == list_page(items, ListQuery("msg_0020", 7, "desc"))


def test_a_narrower_include_omits_the_fields_it_does_not_ask_for() -> None:
    items = conversation(10)
    listings = CompleteListings.from_interactions(
        walk(items, limit=100, order="asc", include=["reasoning.encrypted_content"])
    )
    answer = listings.answer("GET", list_uri(CID, order="asc"))
    assert answer is not None
    assert all("encrypted_content" not in item for item in answer["data"])
    assert answer == list_page(items, ListQuery(order="asc"))


def test_a_wider_include_than_recorded_is_not_answered() -> None:
    listings = CompleteListings.from_interactions(walk(conversation(10), limit=100, order="asc"))
    assert listings.answer("GET", list_uri(CID, include=["reasoning.encrypted_content"])) is None


def test_an_item_is_retrieved_from_the_complete_list() -> None:
    items = conversation(10)
    include = ["reasoning.encrypted_content"]
    listings = CompleteListings.from_interactions(walk(items, order="asc", include=include))
    assert listings.answer("GET", f"{BASE}/conversations/{CID}/items/rs_0004") == {
        k: v for k, v in items[4].items() if k != "encrypted_content"
    }
    assert (
        listings.answer("GET", f"{BASE}/conversations/{CID}/items/rs_0004?include[]={include[0]}") == items[4]
    )


@pytest.mark.parametrize(
    "uri",
    [
        list_uri("conv_other", order="asc"),
        list_uri(CID, order="asc", after="msg_9999"),
        f"{BASE}/conversations/{CID}/items/msg_9999",
        f"{BASE}/conversations/{CID}",
    ],
    ids=["unknown conversation", "unknown after", "unknown item", "not an items request"],
)
def test_requests_the_recording_cannot_answer_get_none(uri: str) -> None:
    listings = CompleteListings.from_interactions(walk(conversation(10), order="asc"))
    assert listings.answer("GET", uri) is None


def test_partial_and_changed_conversations_are_not_answered() -> None:
    partial = walk(conversation(50), order="desc", stop_after=1)
    changed = walk(conversation(3), "conv_2", order="asc") + walk(conversation(4), "conv_2", order="asc")
    listings = CompleteListings.from_interactions(partial + changed)
    assert listings.conversation_ids == frozenset()
    assert listings.answer("GET", list_uri(CID, order="desc")) is None


def deleted(item_id: str, cid: str = CID, status: int = 200) -> Interaction:
    body = {"id": item_id, "object": "conversation.item.deleted", "deleted": True}
    return exchange(f"{BASE}/conversations/{cid}/items/{item_id}", body, status, method="DELETE")


def added(*items: Item, cid: str = CID) -> Interaction:
    body = {"object": "list", "data": list(items), "first_id": None, "last_id": None, "has_more": False}
    return exchange(
        f"{BASE}/conversations/{cid}/items", body, method="POST", sent=json.dumps({"items": items})
    )


def conversation_deleted(cid: str = CID) -> Interaction:
    body = {"id": cid, "object": "conversation.deleted", "deleted": True}
    return exchange(f"{BASE}/conversations/{cid}", body, method="DELETE")


def response_in(cid: str) -> Interaction:
    sent = json.dumps({"model": "gpt-4.1", "input": "hi", "conversation": {"id": cid}})
    return exchange(f"{BASE}/responses", {"id": "resp_1", "object": "response"}, method="POST", sent=sent)


@pytest.mark.parametrize(
    "mutation",
    [deleted("msg_0002"), added(message(10)), conversation_deleted(), response_in(CID)],
    ids=["item deleted", "items added", "conversation deleted", "response created in it"],
)
def test_a_listing_followed_by_a_mutation_answers_nothing(mutation: Interaction) -> None:
    listings = CompleteListings.from_interactions([*walk(conversation(10), order="asc"), mutation])
    assert listings.conversation_ids == frozenset()
    assert listings.answer("GET", list_uri(CID, limit=3, order="desc")) is None
    assert listings.answer("GET", f"{BASE}/conversations/{CID}/items/msg_0002") is None


def test_a_complete_listing_after_the_last_mutation_answers() -> None:
    before, after = conversation(6), [*conversation(6)[:2], *conversation(7)[3:]]
    recording = [
        *walk(before, order="asc"),
        deleted("msg_0002"),
        added(message(6)),
        *walk(after, limit=2, order="desc"),
    ]
    listings = CompleteListings.from_interactions(recording)
    assert listings.answer("GET", list_uri(CID, limit=3, order="desc")) == list_page(
        after, ListQuery(limit=3, order="desc")
    )
    assert listings.answer("GET", f"{BASE}/conversations/{CID}/items/msg_0002") is None


@pytest.mark.parametrize(
    "mutation",
    [deleted("msg_0002", cid="conv_2"), deleted("msg_0099", status=404), response_in("conv_2")],
    ids=["another conversation", "refused by the server", "response in another conversation"],
)
def test_other_and_refused_mutations_leave_the_listing_answering(mutation: Interaction) -> None:
    listings = CompleteListings.from_interactions([*walk(conversation(10), order="asc"), mutation])
    assert listings.conversation_ids == frozenset({CID})


# --- retries ----------------------------------------------------------------------------------

RATE_LIMITED = {"error": {"message": "slow down", "type": "requests", "param": None, "code": None}}


def test_failures_retried_into_a_success_are_dropped() -> None:
    uri = list_uri(CID, order="asc")
    ok = walk(conversation(2), order="asc")[0]
    other = exchange(list_uri("conv_2"), RATE_LIMITED, status=503)
    recording = [exchange(uri, RATE_LIMITED, 429), other, exchange(uri, RATE_LIMITED, 500), ok]
    assert drop_retried_failures(recording) == [other, ok]


def test_a_failure_the_client_ended_with_is_kept() -> None:
    uri = list_uri(CID)
    recording = [exchange(uri, RATE_LIMITED, 429), exchange(uri, RATE_LIMITED, 429)]
    assert drop_retried_failures(recording) == recording


def test_a_retried_failure_followed_by_a_client_error_is_kept() -> None:
    uri = list_uri(CID)
    recording = [exchange(uri, RATE_LIMITED, 429), exchange(uri, RATE_LIMITED, 400)]
    assert drop_retried_failures(recording) == recording


def test_with_the_sdk_retry_count_only_the_sdk_retries_are_dropped() -> None:
    uri = list_uri(CID, order="asc")
    ok = walk(conversation(2), order="asc")[0]
    seen_by_the_app = exchange(uri, RATE_LIMITED, 429)  # attempt 0, and the app's next call is attempt 0
    retried_by_the_sdk = exchange(uri, RATE_LIMITED, 500)  # attempt 0 again, then the SDK's attempt 1
    recording = [seen_by_the_app, retried_by_the_sdk, ok]
    assert drop_retried_failures(recording, [0, 0, 1]) == [seen_by_the_app, ok]
    assert drop_retried_failures(recording, [0, 0, 0]) == recording  # the app retried both itself
    assert drop_retried_failures(recording, [None, None, None]) == [ok]  # no count: the heuristic


def test_retries_are_matched_on_the_request_body_too() -> None:
    uri = f"{BASE}/conversations/{CID}/items"
    failed = exchange(uri, RATE_LIMITED, 429, method="POST", sent='{"items": [1]}')
    succeeded = exchange(uri, {}, 200, method="POST", sent='{"items": [2]}')
    assert drop_retried_failures([failed, succeeded]) == [failed, succeeded]


# --- properties -------------------------------------------------------------------------------

sizes = st.integers(min_value=0, max_value=250)
limits = st.integers(min_value=1, max_value=100)
orders = st.sampled_from(["asc", "desc"])


@given(count=sizes, limit=limits, order=orders)
def test_re_sliced_pages_concatenate_to_the_conversation(count: int, limit: int, order: str) -> None:
    items = conversation(count)
    seen = [
        item
        for page in walk(items, limit=limit, order=order, include=["reasoning.encrypted_content"])
        for item in json.loads(page["response"]["body"]["string"])["data"]
    ]
    assert seen == (items if order == "asc" else items[::-1])


@given(count=sizes, limit=limits, order=orders)
def test_chains_round_trip_through_rebuild(count: int, limit: int, order: str) -> None:
    items = conversation(count)
    recording = walk(items, limit=limit, order=order, include=["reasoning.encrypted_content"])
    assert check_chains(recording) == []
    record = rebuild_conversations(recording)[CID]
    assert (list(record.items), record.complete, record.consistent) == (items, True, True)


@given(count=sizes, limit=limits, order=orders, cursor=st.integers(min_value=-1, max_value=249))
def test_a_limit_100_asc_recording_answers_any_page_like_the_api(
    count: int, limit: int, order: str, cursor: int
) -> None:
    items = conversation(count)
    after = str(items[cursor]["id"]) if 0 <= cursor < count else None
    listings = CompleteListings.from_interactions(walk(items, limit=100, order="asc"))
    query = ListQuery(after, limit, "asc" if order == "asc" else "desc")
    assert listings.answer("GET", list_uri(CID, limit=limit, order=order, after=after)) == list_page(
        items, query
    )


# --- end to end: the real SDK and openai-agents against a loopback server ---------------------

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


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_cassette(path: Path) -> list[Interaction]:
    """vcrpy's YAML as on-disk ``Interaction``s, bodies decoded to text."""
    raw = yaml.safe_load(path.read_text())
    return [
        {
            "request": {
                "method": entry["request"]["method"],
                "uri": entry["request"]["uri"],
                "body": None if entry["request"]["body"] is None else _text(entry["request"]["body"]),
                "headers": entry["request"]["headers"],
            },
            "response": {
                "status": entry["response"]["status"],
                "headers": entry["response"]["headers"],
                "body": {"string": _text(entry["response"]["body"]["string"])},
            },
        }
        for entry in raw["interactions"]
    ]


def record(cassette: Path, client_code: Callable[[], T]) -> tuple[T, list[Interaction]]:
    """Run ``client_code`` against the live server with vcrpy recording what crosses the wire."""
    import vcr

    with vcr.VCR().use_cassette(str(cassette), record_mode="all"):
        result = client_code()
    return result, read_cassette(cassette)


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
