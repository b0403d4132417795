"""Recorded items-list chains: recognition, the cursor contract, the endless-cursor guard, rebuilding."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.pages import (
    BASE,
    CID,
    conversation,
    exchange,
    limits,
    list_uri,
    orders,
    sizes,
    walk,
)

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
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.model.listing import ListQuery, apply_include, list_page
from pytest_convreplay.model.pages import read_request


def errors(problems: list[ChainProblem]) -> list[ChainProblem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]


def warnings_of(problems: list[ChainProblem]) -> list[ChainProblem]:
    return [problem for problem in problems if problem.severity is Severity.WARNING]


def with_body(interaction: Interaction, **changes: Any) -> Interaction:
    envelope = json.loads(interaction["response"]["body"]["string"])
    envelope.update(changes)
    return exchange(interaction["request"]["uri"], envelope)


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


def test_a_clean_complete_chain_has_no_problems() -> None:
    assert check_chains(walk(conversation(45), limit=10, order="asc")) == []


def test_after_that_is_not_the_previous_last_id_is_a_warning() -> None:
    first, _ = walk(conversation(4), limit=2, order="asc", stop_after=2)
    # The server names a wrong last_id; the client follows the last item instead.
    first = with_body(first, last_id="msg_9999")
    second = exchange(
        list_uri(CID, limit=2, order="asc", after="msg_0001"),
        list_page(conversation(4), ListQuery("msg_0001", 2, "asc")),
    )
    problems = check_chains([first, second])
    assert errors(problems) == []
    problems = warnings_of(problems)
    assert [(p.chain, p.pages) for p in problems] == [(1, (1,)), (1, (1, 2))]
    assert "after='msg_0001'" in problems[1].message
    assert set(problems[1].ids) == {"msg_0001", "msg_9999"}


def test_first_and_last_id_that_are_not_the_page_items_are_a_warning() -> None:
    pages = walk(conversation(6), limit=3, order="asc")
    pages[1] = with_body(pages[1], first_id="msg_0000")
    [problem] = check_chains(pages)
    assert (problem.pages, problem.severity) == ((2,), Severity.WARNING)
    assert "msg_0000" in problem.ids
    assert "msg_0003" in problem.ids


def test_an_empty_page_has_null_first_and_last_id() -> None:
    assert check_chains(walk([], limit=5, order="asc")) == []


def test_an_item_listed_twice_is_a_warning_naming_both_pages() -> None:
    items = conversation(6)
    pages = walk(items, limit=3, order="asc")
    pages[1] = with_body(pages[1], data=[items[2], items[4], items[5]], first_id="msg_0002")
    [problem] = check_chains(pages)
    assert (problem.pages, problem.ids, problem.severity) == ((1, 2), ("msg_0002",), Severity.WARNING)
    assert "twice" in str(problem)


def test_a_page_larger_than_its_limit_is_a_warning() -> None:
    envelope = list_page(conversation(5), ListQuery(limit=5, order="asc"))
    [problem] = check_chains([exchange(list_uri(CID, limit=3, order="asc"), envelope)])
    assert "5 items on a page requested with limit=3" in problem.message


def test_has_more_without_a_last_id_is_a_warning() -> None:
    [first, _] = walk(conversation(4), limit=2, order="asc")
    problems = check_chains([with_body(first, last_id=None)])
    assert [p.message for p in warnings_of(problems)][
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


@given(count=sizes, limit=limits, order=orders)
def test_chains_round_trip_through_rebuild(count: int, limit: int, order: str) -> None:
    items = conversation(count)
    recording = walk(items, limit=limit, order=order, include=["reasoning.encrypted_content"])
    assert check_chains(recording) == []
    record = rebuild_conversations(recording)[CID]
    assert (list(record.items), record.complete, record.consistent) == (items, True, True)


def file_page(after: str | None, ids: list[str], *, has_more: bool) -> Interaction:
    uri = f"{BASE}/files?limit=2" + (f"&after={after}" if after else "")
    data = [{"id": item_id, "object": "file"} for item_id in ids]
    return exchange(uri, {"object": "list", "data": data, "last_id": ids[-1], "has_more": has_more})


def test_any_cursor_list_that_repeats_its_cursor_is_stopped() -> None:
    """Prism's static mode: every page is the same, with has_more true, so after= never moves."""
    endless = (file_page(None if n == 0 else "file-1", ["file-1"], has_more=True) for n in range(100))
    count, message = pages_until_stopped(ChainGuard(), endless, bound=10)
    assert count == 3
    assert "/v1/files: cursor after=file-1 repeats" in message


def test_two_walks_of_one_list_side_by_side_are_not_a_loop() -> None:
    guard = ChainGuard()
    walk_pages = [file_page(None, ["a", "b"], has_more=True), file_page("b", ["c"], has_more=False)]
    for page in [walk_pages[0], walk_pages[0], walk_pages[1], walk_pages[1], *walk_pages]:
        guard.observe(page)
