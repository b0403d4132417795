"""Answers computed from complete recorded listings: any page size, order, include and item retrieve."""

from __future__ import annotations

import json

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
    message,
    orders,
    sizes,
    walk,
)

from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.model.listing import Item, ListQuery, list_page
from pytest_convreplay.replay.reslice import CompleteListings


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


@given(count=sizes, limit=limits, order=orders)
def test_re_sliced_pages_concatenate_to_the_conversation(count: int, limit: int, order: str) -> None:
    items = conversation(count)
    seen = [
        item
        for page in walk(items, limit=limit, order=order, include=["reasoning.encrypted_content"])
        for item in json.loads(page["response"]["body"]["string"])["data"]
    ]
    assert seen == (items if order == "asc" else items[::-1])


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
