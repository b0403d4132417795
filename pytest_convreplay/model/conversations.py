"""Conversations rebuilt from recorded pages: each one's items, taken from its best chain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .chains import PageChain, Severity, build_chains, chain_problems, read_pages
from .interactions import Interaction
from .listing import Item, UnknownCursorError, apply_include, list_window, positions_of
from .pages import Page


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A conversation as the recording saw it, rebuilt from its best chain."""

    conversation_id: str
    items: tuple[Item, ...]
    """Ascending (chronological) order."""
    complete: bool
    """A chain ran from the first page to ``has_more: false`` without breaking a rule."""
    include: frozenset[str]
    """The ``include[]`` the items were recorded with: any subset of it can be served."""
    consistent: bool
    """Every recorded page of the conversation is what ``list_page`` over ``items`` gives, i.e. the
    conversation did not change while it was recorded. Replay re-slices only consistent ones."""


def _preference(chain: PageChain, clean: bool) -> tuple[bool, bool, int, int, int]:
    """Sort key: complete and clean, from the start, widest include, most items, latest."""
    return (
        chain.complete and clean,
        chain.from_start,
        len(chain.query.include),
        sum(len(page.data) for page in chain.pages),
        chain.pages[-1].index,
    )


def _reproduces(
    items: Sequence[Item], positions: Mapping[str, int], include: frozenset[str], page: Page
) -> bool:
    """Whether ``list_page`` over ``items`` gives ``page`` (compared on the fields both carry).

    ``items`` are mostly the very objects of the pages that gave them: such an item shows the
    same for any ``include[]``, so only the others are shown and compared (a 10,000-item
    conversation would otherwise copy every message twice)."""
    common = page.query.include & include
    try:
        window, has_more = list_window(items, replace(page.query, include=common), positions)
    except UnknownCursorError:
        return False
    first_id, last_id = (window[0]["id"], window[-1]["id"]) if window else (None, None)
    return (
        len(window) == len(page.data)
        and all(
            shown is recorded or apply_include(shown, common) == apply_include(recorded, common)
            for shown, recorded in zip(window, page.data, strict=True)
        )
        and (first_id, last_id, has_more) == (page.first_id, page.last_id, page.has_more)
    )


def rebuild_conversations(interactions: Sequence[Interaction]) -> dict[str, ConversationRecord]:
    """Each listed conversation's items, taken from its best chain (see ``_preference``).

    Chains of different ``include[]`` are not merged field by field: the widest one wins, so a
    request for an include set outside it is left to exact matching.
    """
    chains = build_chains(read_pages(interactions)[0])
    broken = {
        (problem.conversation_id, problem.chain)
        for chain in chains
        for problem in chain_problems(chain)
        if problem.severity is not Severity.NOTE  # a warning is harmless to exact replay, not to re-slicing
    }
    by_conversation: defaultdict[str, list[PageChain]] = defaultdict(list)
    for chain in chains:
        by_conversation[chain.conversation_id].append(chain)
    records: dict[str, ConversationRecord] = {}
    for conversation_id, candidates in by_conversation.items():
        best = max(candidates, key=lambda c: _preference(c, (c.conversation_id, c.number) not in broken))
        complete = best.complete and (conversation_id, best.number) not in broken
        items = best.ascending_items()
        include = best.query.include
        positions = positions_of(items)
        records[conversation_id] = ConversationRecord(
            conversation_id=conversation_id,
            items=tuple(items),
            complete=complete,
            include=include,
            consistent=complete
            and all(
                _reproduces(items, positions, include, page) for chain in candidates for page in chain.pages
            ),
        )
    return records
