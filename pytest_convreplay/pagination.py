"""The page model of recorded items-list traffic: cursor chains, their checks, rebuilt conversations.

A test that reads conversation history pages through ``GET …/conversations/{id}/items`` with
``after=<last_id>``. This module finds those pages among recorded interactions, links them into
the chains a client walked, checks each chain against the API's cursor contract, and rebuilds
each conversation's item list from them. It works on on-disk ``Interaction`` dicts only, so the
recorder, the ``verify`` command and replay can all share it.

Partial chains: a chain whose last page says ``has_more: true`` is what a client produces when it
stops early on purpose (``OpenAIConversationsSession.get_items(limit=N)``, or code reading only
``.data`` of the first page). Nothing in the recording tells that apart from a truncated run, so
it is a ``NOTE``, never an ``ERROR``; only a complete chain lets replay answer re-sliced requests.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from .errors import PaginationError
from .interactions import Interaction, json_body, split_uri
from .listing import Item, ListQuery, UnknownCursorError, apply_include, list_page, positions_of

# Any prefix (``/v1``, a proxy path), then the conversation, its items and one item of them.
_CONVERSATION_PATH = re.compile(
    r"(?:^|/)conversations/(?P<conversation>[^/]+)(?P<items>/items(?:/(?P<item>[^/]+))?)?/?$"
)

# Statuses the openai SDK retries (see DESIGN.md); anything else is the client's final answer.
_RETRIED_STATUSES = frozenset({408, 409, 429})

DEFAULT_MAX_PAGES = 10_000
"""Pages one chain may reach before the recorder gives up: 10,000 pages hold at least 10,000 items
(a million at ``limit=100``), far beyond any real conversation, yet stop an endless server within
minutes instead of never."""


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
        return [_item_id(item) for item in self.data]


def _item_id(item: Item) -> str | None:
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
    cursors = {tail.last_id, _item_id(tail.data[-1]) if tail.data else None}
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
    """The server broke the cursor contract: recording fails."""
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


def _page_problems(chain: PageChain, number: int, page: Page) -> Iterator[ChainProblem]:
    """The rules one page must follow on its own and against the page before it."""

    def problem(message: str, *ids: str | None, pages: tuple[int, ...] = (number,)) -> ChainProblem:
        return ChainProblem(chain.conversation_id, chain.number, pages, tuple(i for i in ids if i), message)

    ids = page.item_ids
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


def _chain_problems(chain: PageChain) -> Iterator[ChainProblem]:
    def problem(
        message: str, pages: tuple[int, ...], ids: tuple[str, ...] = (), *, note: bool = False
    ) -> ChainProblem:
        severity = Severity.NOTE if note else Severity.ERROR
        return ChainProblem(chain.conversation_id, chain.number, pages, ids, message, severity)

    seen: dict[str, int] = {}
    for number, page in enumerate(chain.pages, start=1):
        yield from _page_problems(chain, number, page)
        for item_id in page.item_ids:
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
    """Every broken pagination rule in a recording (``ERROR``s) and every partial chain (``NOTE``s)."""
    pages, problems = read_pages(interactions)
    for chain in build_chains(pages):
        problems.extend(_chain_problems(chain))
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
    """Whether ``list_page`` over ``items`` gives ``page`` (compared on the fields both carry)."""
    common = page.query.include & include
    try:
        expected = list_page(items, replace(page.query, include=common), positions)
    except UnknownCursorError:
        return False
    return expected["data"] == [apply_include(item, common) for item in page.data] and (
        expected["first_id"],
        expected["last_id"],
        expected["has_more"],
    ) == (page.first_id, page.last_id, page.has_more)


def rebuild_conversations(interactions: Sequence[Interaction]) -> dict[str, ConversationRecord]:
    """Each listed conversation's items, taken from its best chain (see ``_preference``).

    Chains of different ``include[]`` are not merged field by field: the widest one wins, so a
    request for an include set outside it is left to exact matching.
    """
    chains = build_chains(read_pages(interactions)[0])
    broken = {
        (problem.conversation_id, problem.chain)
        for chain in chains
        for problem in _chain_problems(chain)
        if problem.severity is Severity.ERROR
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


def drop_retried_failures(
    interactions: Sequence[Interaction], attempts: Sequence[int | None] | None = None
) -> list[Interaction]:
    """The recording without failures the client retried into a success.

    Replaying a 429/5xx would make the SDK sleep through its backoff on every run. A failure is
    dropped only when every later answer to the same request (method, uri, body) up to a 2xx is
    also a retried failure; failures the client ended with are kept. ``attempts`` are the SDK's
    ``x-stainless-retry-count`` per request where known: a request sent as attempt 0 is a new
    call by the application, so a failure before it was seen by the application and is kept.
    """

    def key(interaction: Interaction) -> tuple[str, str, str | None]:
        request = interaction["request"]
        return request["method"].upper(), request["uri"], request["body"]

    attempt_of = list(attempts) if attempts is not None else [None] * len(interactions)
    succeeds_later: dict[tuple[str, str, str | None], bool] = {}
    kept: list[Interaction] = []
    for interaction, attempt in zip(reversed(interactions), reversed(attempt_of), strict=True):
        status = interaction["response"]["status"]["code"]
        request_key = key(interaction)
        if status in _RETRIED_STATUSES or status >= 500:
            dropped = succeeds_later.get(request_key, False)
            if attempt == 0:  # the start of the SDK's retries: nothing earlier was retried into it
                succeeds_later[request_key] = False
            if dropped:
                continue
        else:
            succeeds_later[request_key] = 200 <= status < 300 and attempt != 0  # attempt 0: not a retry
        kept.append(interaction)
    kept.reverse()
    return kept
