"""Cursor chains: the pages a client walked, linked, checked against the API's cursor contract.

What a broken rule means for replay decides its severity. Replay answers the exact requests a
client sent with the answers it got, so ids that disagree with their page (``first_id``/``last_id``
from a mock server with random ids, a client that follows the last item's id instead of
``last_id``, an id that repeats) are harmless to it: a ``WARNING``, and such a chain is only
never re-sliced. A cursor that repeats is an ``ERROR`` (replayed, the client would follow it for
ever), and so is a list answer that is no list page (no chain can be followed through it): the
cassette is refused. A chain whose last page says ``has_more: true`` is what a
client produces when it stops early on purpose (``get_items(limit=N)``, code reading only
``.data`` of the first page): a ``NOTE``; only a complete chain lets replay re-slice.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..errors import PaginationError
from .interactions import Interaction, json_body, split_uri
from .listing import Item, ListQuery
from .pages import MalformedPageError, Page, id_of, read_page, read_request

DEFAULT_MAX_PAGES = 10_000
"""Pages one chain may reach before the recorder gives up: 10,000 pages hold at least 10,000 items
(a million at ``limit=100``), far beyond any real conversation, yet stop an endless server within
minutes instead of never."""


@dataclass(eq=False)
class PageChain:
    """Pages of one conversation a client walked with ``after`` = the previous page's ``last_id``.

    Mutable only while ``ChainBuilder`` links pages into it; everything else reads it.
    """

    conversation_id: str
    number: int
    """1-based, per conversation, in the order chains start in the recording."""
    pages: list[Page] = field(default_factory=list)
    repeated_cursor_at: int | None = None
    """1-based number of the first page whose ``after`` an earlier page of the chain already used."""
    _cursors: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def query(self) -> ListQuery:
        """The first page's query; later pages repeat it plus ``after``."""
        return self.pages[0].query

    @property
    def from_start(self) -> bool:
        return self.query.after is None

    @property
    def finished(self) -> bool:
        """The server said there is nothing more (the client may still have stopped earlier)."""
        return not self.pages[-1].has_more

    @property
    def complete(self) -> bool:
        """Every item of the conversation is in this chain, as far as the server's flags go."""
        return self.from_start and self.finished

    def items(self) -> Iterator[Item]:
        return (item for page in self.pages for item in page.data)

    def ascending_items(self) -> list[Item]:
        """Items in chronological order, whichever order the chain was listed in."""
        items = list(self.items())
        return items if self.query.order == "asc" else items[::-1]

    def _append(self, page: Page) -> None:
        after = page.query.after
        if after is not None:
            if after in self._cursors and self.repeated_cursor_at is None:
                self.repeated_cursor_at = len(self.pages) + 1
            self._cursors.setdefault(after, len(self.pages) + 1)
        self.pages.append(page)

    def first_use_of(self, cursor: str) -> int:
        return self._cursors[cursor]


# Pages continue a chain only when they ask for the same thing apart from ``after``.
_LinkKey = tuple[str, str, frozenset[str], str]


def _continuations(chain: PageChain) -> list[_LinkKey]:
    """Keys under which the next page of ``chain`` would arrive, if it is still open."""
    tail = chain.pages[-1]
    if not tail.has_more:
        return []
    query = chain.query
    # The last item's id too: a client that follows it where it differs from `last_id` is linked
    # here so that the check can name the mismatch instead of calling the page an orphan.
    cursors = {tail.last_id, id_of(tail.data[-1]) if tail.data else None}
    return [(chain.conversation_id, query.order, query.include, cursor) for cursor in cursors if cursor]


class ChainBuilder:
    """Links pages into chains one at a time, so the recorder's guard and the checks share one rule.

    A page without ``after`` starts a chain; a page whose ``after`` is the ``last_id`` of an open
    chain's last page (same conversation, order and include) continues such a chain; any other
    page starts a chain in the middle of the list. Several chains can wait at one cursor (clients
    paging the same list concurrently, their pages interleaved in any order), so each key holds
    all of them: a page goes to one asked with its own ``limit`` if any, else to the one that
    reached the cursor last (a client that stopped early there leaves its chain waiting forever).
    """

    def __init__(self) -> None:
        self.chains: list[PageChain] = []
        self._open: defaultdict[_LinkKey, list[PageChain]] = defaultdict(list)
        self._counts: defaultdict[str, int] = defaultdict(int)

    def add(self, page: Page) -> PageChain:
        """Link ``page`` and return its chain."""
        chain = self._waiting(page)
        if chain is None:
            self._counts[page.conversation_id] += 1
            chain = PageChain(page.conversation_id, self._counts[page.conversation_id])
            self.chains.append(chain)
        else:
            for old in _continuations(chain):
                self._open[old].remove(chain)
                if not self._open[old]:
                    del self._open[old]
        chain._append(page)
        for new in _continuations(chain):
            self._open[new].append(chain)
        return chain

    def _waiting(self, page: Page) -> PageChain | None:
        """The open chain ``page`` continues, or None."""
        if page.query.after is None:
            return None
        key = (page.conversation_id, page.query.order, page.query.include, page.query.after)
        waiting = self._open.get(key)
        if not waiting:
            return None
        same_limit = [chain for chain in waiting if chain.pages[-1].query.limit == page.query.limit]
        return (same_limit or waiting)[-1]


def read_pages(interactions: Sequence[Interaction]) -> tuple[list[Page], list[ChainProblem]]:
    """Every well-formed page in recording order, and a problem for each malformed one."""
    pages: list[Page] = []
    problems: list[ChainProblem] = []
    for index, interaction in enumerate(interactions):
        try:
            page = read_page(index, interaction)
        except MalformedPageError as error:
            request = read_request(interaction["request"]["method"], interaction["request"]["uri"])
            problems.append(ChainProblem(request.conversation_id if request else "?", 0, (), (), str(error)))
            continue
        if page is not None:
            pages.append(page)
    return pages, problems


def build_chains(pages: Iterable[Page]) -> list[PageChain]:
    builder = ChainBuilder()
    for page in pages:
        builder.add(page)
    return builder.chains


class Severity(enum.StrEnum):
    ERROR = "error"
    """Replay could not follow the chain (its cursor repeats, a page is no list page): the
    cassette is refused."""
    WARNING = "warning"
    """The ids break the cursor contract, harmlessly for replay of the exact requests: the cassette
    is written, and the chain is not used to answer re-sliced requests."""
    NOTE = "note"
    """Worth knowing (a client that stopped early), not wrong."""


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One broken rule, with enough to find it: the conversation, the chain, its pages, the ids."""

    conversation_id: str
    chain: int
    """1-based chain number within the conversation; 0 when the page could not join a chain."""
    pages: tuple[int, ...]
    """1-based page numbers within the chain."""
    ids: tuple[str, ...]
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"conversation {self.conversation_id}"
        if self.chain:
            where += f", chain {self.chain}"
        if self.pages:
            where += f", page{'s' if len(self.pages) > 1 else ''} {', '.join(map(str, self.pages))}"
        return f"{self.severity}: {where}: {self.message}"


def _page_problems(
    chain: PageChain, number: int, page: Page, ids: list[str | None]
) -> Iterator[ChainProblem]:
    """The rules one page must follow on its own (``ids``: its items' ids) and against the page
    before it."""

    def problem(message: str, *ids: str | None, pages: tuple[int, ...] = (number,)) -> ChainProblem:
        found = tuple(i for i in ids if i)
        return ChainProblem(chain.conversation_id, chain.number, pages, found, message, Severity.WARNING)

    first, last = (ids[0], ids[-1]) if ids else (None, None)
    if (page.first_id, page.last_id) != (first, last):
        yield problem(
            f"first_id/last_id are {page.first_id!r}/{page.last_id!r} but the page's items run "
            f"from {first!r} to {last!r}",
            page.first_id,
            page.last_id,
            first,
            last,
        )
    if len(page.data) > page.query.limit:
        yield problem(f"{len(page.data)} items on a page requested with limit={page.query.limit}")
    if page.has_more and not page.last_id:
        yield problem("has_more is true but there is no last_id to continue from")
    if number > 1:
        previous = chain.pages[number - 2]
        if page.query.after != previous.last_id:
            yield problem(
                f"after={page.query.after!r} but page {number - 1} ended with last_id={previous.last_id!r}",
                page.query.after,
                previous.last_id,
                pages=(number - 1, number),
            )


def chain_problems(chain: PageChain) -> Iterator[ChainProblem]:
    def problem(
        message: str, pages: tuple[int, ...], ids: tuple[str, ...] = (), *, note: bool = False
    ) -> ChainProblem:
        severity = Severity.NOTE if note else Severity.WARNING
        return ChainProblem(chain.conversation_id, chain.number, pages, ids, message, severity)

    seen: dict[str, int] = {}
    for number, page in enumerate(chain.pages, start=1):
        ids = page.item_ids
        yield from _page_problems(chain, number, page, ids)
        for item_id in ids:
            if item_id is None:
                continue
            if item_id in seen:
                yield problem(f"item {item_id} appears twice", (seen[item_id], number), (item_id,))
            else:
                seen[item_id] = number
    if chain.repeated_cursor_at is not None:
        yield _repeat_problem(chain)
    if not chain.from_start:
        yield problem(
            f"starts after {chain.query.after} without an earlier page ending there; "
            "replay can answer only its exact requests",
            (1,),
            (chain.query.after or "",),
            note=True,
        )
    if not chain.finished:
        count = len(chain.pages)
        yield problem(
            f"the client stopped at page {count} while has_more was true (fine if it meant to, "
            "e.g. get_items(limit=N)); replay can answer only its exact requests",
            (count,),
            note=True,
        )


def _repeat_problem(chain: PageChain) -> ChainProblem:
    repeat = chain.repeated_cursor_at or 0
    cursor = chain.pages[repeat - 1].query.after or ""
    first = chain.first_use_of(cursor)
    return ChainProblem(
        chain.conversation_id,
        chain.number,
        (first, repeat),
        (cursor,),
        f"cursor after={cursor} repeats: the server keeps handing back a cursor already followed, "
        "so the listing would never end",
    )


def check_chains(interactions: Sequence[Interaction]) -> list[ChainProblem]:
    """Every broken pagination rule in a recording (``ERROR``s, ``WARNING``s) and every partial
    chain (``NOTE``s)."""
    pages, problems = read_pages(interactions)
    for chain in build_chains(pages):
        problems.extend(chain_problems(chain))
    return problems


class ChainGuard:
    """Stops a recording whose pagination would never end, as soon as that is certain.

    The recorder calls ``observe`` after every recorded exchange. The openai SDK has no loop guard
    of its own, so without this a server that keeps saying ``has_more: true`` hangs the test.
    """

    def __init__(self, max_pages: int = DEFAULT_MAX_PAGES) -> None:
        if max_pages < 1:
            raise ValueError(f"max_pages: must be at least 1, got {max_pages}")
        self.max_pages = max_pages
        self._builder = ChainBuilder()
        self._lists = _CursorWalks()
        self._observed = 0

    def observe(self, interaction: Interaction) -> None:
        """Raises PaginationError when this page repeats a cursor or its chain grew too long."""
        index = self._observed
        self._observed += 1
        try:
            page = read_page(index, interaction)
        except MalformedPageError:
            return
        if page is None:
            self._lists.observe(interaction, self.max_pages)
            return
        chain = self._builder.add(page)
        if chain.repeated_cursor_at is not None:
            raise PaginationError(f"{_repeat_problem(chain)}; recording stopped")
        if len(chain.pages) > self.max_pages:
            raise PaginationError(
                f"conversation {chain.conversation_id}, chain {chain.number}: more than {self.max_pages} "
                f"pages and has_more is still true (last cursor {page.query.after}); the server seems "
                "never to end. Recording stopped; raise max_pages if the conversation really is that long"
            )


@dataclass(eq=False)
class _CursorWalk:
    cursors: set[str] = field(default_factory=set)
    pages: int = 1


class _CursorWalks:
    """The same guard for every other cursor list (files, vector stores, admin lists …): a client
    that sends ``after=<a cursor its walk already followed>`` to a list answering ``has_more: true``
    (Prism's static mode answers every page with the same ``last_id``) would never stop.

    A walk starts with a request without ``after`` and goes on with the one whose ``after`` is the
    previous page's ``last_id`` or last item id, so walks of one list side by side stay apart.
    """

    def __init__(self) -> None:
        self._waiting: defaultdict[tuple[str, str | None], list[_CursorWalk]] = defaultdict(list)

    def observe(self, interaction: Interaction, max_pages: int) -> None:
        request, response = interaction["request"], interaction["response"]
        if request["method"].upper() != "GET" or not 200 <= response["status"]["code"] < 300:
            return
        envelope = json_body(response["body"]["string"])
        if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), list):
            return
        path, pairs = split_uri(request["uri"])
        after = next((value for name, value in pairs if name == "after"), None)
        query = urlencode(sorted(pair for pair in pairs if pair[0] != "after"))
        walk = self._continued(path + "?" + query, after)
        if after is not None and after in walk.cursors:
            raise PaginationError(
                f"{path}: cursor after={after} repeats: the server keeps answering has_more: true "
                "with a cursor this listing already followed, so it would never end; recording stopped"
            )
        if walk.pages > max_pages:
            raise PaginationError(
                f"{path}: more than {max_pages} pages and has_more is still true; recording stopped"
            )
        if after is not None:
            walk.cursors.add(after)
        if envelope.get("has_more") is True:
            data = envelope["data"]
            last_item = data[-1].get("id") if data and isinstance(data[-1], dict) else None
            for cursor in {envelope.get("last_id"), last_item}:
                if isinstance(cursor, str) and cursor:
                    self._waiting[path + "?" + query, cursor].append(walk)

    def _continued(self, listing: str, after: str | None) -> _CursorWalk:
        waiting = self._waiting.pop((listing, after), None) if after is not None else None
        if not waiting:
            return _CursorWalk()
        walk = waiting.pop()
        if waiting:
            self._waiting[listing, after] = waiting
        walk.pages += 1
        return walk
