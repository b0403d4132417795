"""A rebuilt conversation is consistent exactly when every recorded page is what list_page gives."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from support.pages import CID, conversation, limits, orders, walk

from pytest_convreplay.model.chains import build_chains, read_pages
from pytest_convreplay.model.conversations import rebuild_conversations
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.model.listing import UnknownCursorError, apply_include, list_page

includes = st.sampled_from([[], ["reasoning.encrypted_content"]])


def consistent_by_definition(recording: list[Interaction]) -> bool:
    """The definition, applied the slow way: ``list_page`` over the items, each page compared."""
    record = rebuild_conversations(recording)[CID]
    items = list(record.items)
    for chain in build_chains(read_pages(recording)[0]):
        for page in chain.pages:
            common = page.query.include & record.include
            try:
                expected = list_page(items, dataclasses.replace(page.query, include=common))
            except UnknownCursorError:
                return False
            shown = [apply_include(item, common) for item in page.data]
            if (expected["data"], expected["first_id"], expected["last_id"], expected["has_more"]) != (
                shown,
                page.first_id,
                page.last_id,
                page.has_more,
            ):
                return False
    return record.complete


def edited(items: list[dict[str, Any]], number: int) -> list[dict[str, Any]]:
    """The conversation with one item's text changed (or as it was, when it has no text)."""
    if not items:
        return items
    changed = [dict(item) for item in items]
    target = changed[number % len(changed)]
    if "content" in target:
        target["content"] = [{"type": "input_text", "text": "edited"}]
    return changed


@given(
    count=st.integers(min_value=0, max_value=60),
    walks=st.lists(
        st.tuples(limits, orders, includes, st.integers(min_value=0, max_value=3), st.booleans()),
        min_size=1,
        max_size=3,
    ),
)
def test_consistency_is_what_list_page_over_the_items_gives(
    count: int, walks: list[tuple[int, str, list[str], int, bool]]
) -> None:
    items = conversation(count)
    recording = [
        page
        for limit, order, include, grown, edit in walks
        for page in walk(
            edited(conversation(count + grown), count) if edit else conversation(count + grown),
            limit=limit,
            order=order,
            include=include,
        )
    ]
    assert rebuild_conversations(recording)[CID].consistent == consistent_by_definition(recording)
    assert rebuild_conversations(walk(items, limit=7, order="desc"))[CID].consistent
