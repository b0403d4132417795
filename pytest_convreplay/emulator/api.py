"""A local, stateful OpenAI Conversations API on 127.0.0.1.

It is what the demo records from when no real key is given and what the plugin's own tests record
from, so it answers like the real service: the same JSON shapes (OpenAPI excerpt in the shared
spec), the same error bodies, the headers redaction must deal with (cookies, organization,
project, request ids), HTTP/1.1 keep-alive so the openai SDK's connection pool is exercised, and
page semantics taken from :mod:`pytest_convreplay.listing` so replay re-slicing cannot disagree.

Ids are deterministic per instance (a seeded generator), so the same test records the same ids.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from ..errors import ConvreplayError, EmulatorApiError
from ..model.catalogue import ID_PREFIXES
from ..model.listing import Item, ListQuery, UnknownCursorError, apply_include, list_page
from .http import COMPRESSORS, EmulatorHandler, EmulatorServer
from .inputs import (
    JSONBody,
    ReceivedRequest,
    include_of,
    item_list,
    json_body,
    list_query,
    metadata_of,
    missing,
    not_found,
)
from .seed import mixed_items, text_message
from .state import Conversation, Fault, IdFactory, stored_item

DEFAULT_API_KEY = "sk-emulator-Q2FZ9k3LrT8wXv1mN4pB7sYdE6hJ0uTc"
DEFAULT_ORGANIZATION = "org-emulatorK4mZ8qT2vR7wN1x"
DEFAULT_PROJECT = "proj_emulatorQ8wE3rT6yU1iO4p"


class ConversationsEmulator:
    """The running API plus its state; use as a context manager or call start()/stop().

    All state sits behind one lock because ThreadingHTTPServer serves each connection on its own
    thread while tests mutate the same state from the main thread.
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        organization: str = DEFAULT_ORGANIZATION,
        project: str = DEFAULT_PROJECT,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
    ) -> None:
        self.api_key = api_key
        self.organization = organization
        self.project = project
        self.host = host
        self.port = port
        self.endless_pagination = False
        self._compress: str | None = None
        self.requests: list[ReceivedRequest] = []
        self._seed = seed
        self._lock = threading.RLock()
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ConversationsEmulator:
        """Bind (a random port when port=0) and serve on a daemon thread."""
        if self._server is None:
            try:
                self._server = EmulatorServer((self.host, self.port), EmulatorHandler, self)
            except (OSError, OverflowError) as error:  # the port taken, out of range, an unknown host
                reason = error.strerror if isinstance(error, OSError) and error.strerror else error
                raise ConvreplayError(
                    f"the emulator cannot listen on {self.host}:{self.port}: {reason}; "
                    "pick another --port (0 picks a free one) or --host"
                ) from None
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> ConversationsEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to pass as ``openai.OpenAI(base_url=...)``."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}/v1"

    def reset(self) -> None:
        """Forget every conversation, pending fault and logged request; restart the id sequence."""
        with self._lock:
            self._new_id = IdFactory(self._seed)
            self._conversations: dict[str, Conversation] = {}
            self._faults: list[Fault] = []
            self.requests.clear()
            self.endless_pagination = False
            self._compress = None

    @property
    def compress(self) -> str | None:
        """The content coding answers use when the client accepts it (None: plain JSON)."""
        return self._compress

    @compress.setter
    def compress(self, coding: str | None) -> None:
        if coding is not None and coding not in COMPRESSORS:
            raise ValueError(
                f"the emulator cannot answer in {coding!r}; it knows {', '.join(COMPRESSORS)} "
                "(br needs 'brotli', zstd needs 'zstandard')"
            )
        self._compress = coding

    # -- state, usable without HTTP --------------------------------------------------------

    def create_conversation(
        self, items: list[Item] | None = None, metadata: dict[str, str] | None = None
    ) -> str:
        """A new conversation; from Python there is no 20-item limit (the HTTP endpoint has one)."""
        with self._lock:
            conversation = Conversation(self._new_id("conv"), int(time.time()), metadata_of(metadata))
            self._conversations[conversation.id] = conversation
            self.add_items(conversation.id, items or [])
            return conversation.id

    def add_items(self, conversation_id: str, items: list[Item]) -> list[Item]:
        """Append input items and return them as stored (ids, statuses and defaults filled in)."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            stored = [stored_item(item, index, self._new_id) for index, item in enumerate(items)]
            seen = set(conversation.positions)
            for item in stored:
                if item["id"] in seen:
                    raise EmulatorApiError(400, f"Item with id '{item['id']}' already exists.", param="items")
                seen.add(item["id"])
            conversation.append(stored)
            return stored

    def delete_item(self, conversation_id: str, item_id: str) -> None:
        """Remove an item, as ``DELETE …/items/{item_id}`` does (raises ApiError when unknown)."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            self._item_index(conversation, item_id)
            conversation.remove(item_id)

    def edit_item(self, conversation_id: str, item_id: str, **fields: Any) -> Item:
        """Change fields of a stored item in place and return it: no endpoint does this, it stands
        for the live service answering differently than when a cassette was recorded (drift)."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            item = conversation.items[self._item_index(conversation, item_id)]
            item.update(copy.deepcopy(fields))
            return copy.deepcopy(item)

    def items(self, conversation_id: str) -> list[Item]:
        """A copy of the stored items (include superset) in ascending order."""
        with self._lock:
            return copy.deepcopy(self._conversation(conversation_id).items)

    def seed_mixed_conversation(self) -> str:
        """A conversation holding one of every ConversationItem type in the spec, all optional fields set."""
        with self._lock:
            return self.create_conversation(mixed_items(self._new_id), {"seed": "mixed"})

    def seed_conversation(self, n_items: int, *, kind: str = "message") -> str:
        """A conversation of ``n_items`` generated items, fast enough for 10,000-item scale tests.

        ``kind`` is ``"message"`` (alternating user/assistant text), ``"mixed"`` (cycling through
        every item type) or one item type of the mixed seed.
        """
        templates = [item for item in mixed_items(lambda _: "") if kind in ("mixed", item["type"])]
        if kind == "message":
            templates = [
                text_message("", role, "Message {index}: the quick brown fox.")
                for role in ("user", "assistant")
            ]
        if not templates:
            raise ValueError(
                f"kind must be 'message', 'mixed' or an item type of the mixed seed, got {kind!r}"
            )
        with self._lock:
            conversation_id = self.create_conversation(metadata={"seed": kind})
            items = []
            for index in range(n_items):
                item = copy.deepcopy(templates[index % len(templates)])
                item["id"] = self._new_id(ID_PREFIXES[item["type"]])
                if kind == "message":
                    item["content"][0]["text"] = item["content"][0]["text"].format(index=index)
                items.append(item)
            self._conversation(conversation_id).append(items)
            return conversation_id

    def fail_next(
        self, count: int = 1, status: int = 429, *, path_contains: str = "", retry_after: float | None = 0
    ) -> None:
        """Answer the next ``count`` requests whose path contains ``path_contains`` with ``status``.

        ``retry_after`` becomes the retry-after header. The openai SDK ignores a value of 0 and
        backs off 0.5 s or more, so 0 also sends ``retry-after-ms: 1`` to keep retrying tests fast.
        """
        with self._lock:
            self._faults.append(Fault(count, status, path_contains, retry_after))

    # -- request handling ------------------------------------------------------------------

    def handle(self, request: ReceivedRequest, body: bytes) -> tuple[int, JSONBody, dict[str, str]]:
        """Status, JSON body and extra headers for one request: faults, then auth, then routing."""
        with self._lock:
            self.requests.append(request)
            fault = next((f for f in self._faults if f.path_contains in request.path), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
        if fault is not None:
            return self._fault_response(fault)
        try:
            self._check_auth(request.headers.get("authorization", ""))
            handler, params = self._route(request.method, request.path)
            return 200, handler(params, request.query, body), {}
        except EmulatorApiError as error:
            return error.status, error.body, {}

    def _fault_response(self, fault: Fault) -> tuple[int, JSONBody, dict[str, str]]:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = f"{fault.retry_after:g}"
            headers["retry-after-ms"] = str(max(1, round(fault.retry_after * 1000)))
        kind, code, message = _FAULTS.get(fault.status, _FAULTS[500 if fault.status >= 500 else 400])
        error = EmulatorApiError(fault.status, message.format(status=fault.status), type=kind, code=code)
        return error.status, error.body, headers

    def _check_auth(self, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip() == self.api_key:
            return
        message = (
            f"Incorrect API key provided: {token.strip()[:8]}****. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
            if token.strip()
            else "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
        raise EmulatorApiError(401, message, code="invalid_api_key")

    def _route(self, method: str, path: str) -> tuple[_Endpoint, dict[str, str]]:
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path.rstrip("/"))
            if match and method in methods:
                params = {name: unquote(value) for name, value in match.groupdict().items()}
                return getattr(self, methods[method]), params
        raise EmulatorApiError(404, f"Invalid URL ({method} {path})")

    def _conversation(self, conversation_id: str) -> Conversation:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            raise not_found("Conversation", conversation_id, "conversation_id")
        return conversation

    def _item_index(self, conversation: Conversation, item_id: str) -> int:
        index = conversation.positions.get(item_id)
        if index is None:
            raise not_found("Item", item_id, "item_id")
        return index

    # -- endpoints: (path params, query pairs, body) -> JSON -------------------------------

    def _create_conversation(self, _: dict[str, str], pairs: list[tuple[str, str]], body: bytes) -> JSONBody:
        payload = json_body(body)
        items, metadata = item_list(payload.get("items")), metadata_of(payload.get("metadata"))
        with self._lock:
            conversation_id = self.create_conversation(metadata=metadata)
            try:
                self.add_items(conversation_id, items)
            except EmulatorApiError:
                del self._conversations[conversation_id]
                raise
            return self._conversations[conversation_id].resource()

    def _get_conversation(self, params: dict[str, str], _: list[tuple[str, str]], __: bytes) -> JSONBody:
        with self._lock:
            return self._conversation(params["cid"]).resource()

    def _update_conversation(self, params: dict[str, str], _: list[tuple[str, str]], body: bytes) -> JSONBody:
        """The OpenAPI body is optional: no body changes nothing; a body must carry metadata."""
        payload = json_body(body)
        if body.strip() and "metadata" not in payload:
            raise missing("metadata")
        with self._lock:
            conversation = self._conversation(params["cid"])
            if "metadata" in payload:
                conversation.metadata = metadata_of(payload["metadata"])
            return conversation.resource()

    def _delete_conversation(self, params: dict[str, str], _: list[tuple[str, str]], __: bytes) -> JSONBody:
        with self._lock:
            conversation = self._conversation(params["cid"])
            del self._conversations[conversation.id]
        return {"id": conversation.id, "object": "conversation.deleted", "deleted": True}

    def _create_items(self, params: dict[str, str], pairs: list[tuple[str, str]], body: bytes) -> JSONBody:
        include = include_of(pairs)
        payload = json_body(body)
        if "items" not in payload:
            raise missing("items")
        stored = self.add_items(params["cid"], item_list(payload["items"]))
        query = ListQuery(limit=max(1, len(stored)), order="asc", include=include)
        return list_page(stored, query)

    def _list_items(self, params: dict[str, str], pairs: list[tuple[str, str]], _: bytes) -> JSONBody:
        query = list_query(pairs)
        with self._lock:
            conversation = self._conversation(params["cid"])
            if self.endless_pagination:
                # Ignore the cursor: every page is the first one and claims more, a cursor loop.
                page = list_page(
                    conversation.items, ListQuery(limit=query.limit, order=query.order, include=query.include)
                )
                return {**page, "has_more": True}
            try:
                return list_page(conversation.items, query, conversation.positions)
            except UnknownCursorError:
                raise EmulatorApiError(
                    400,
                    f"Invalid 'after': item '{query.after}' not found in conversation {conversation.id}.",
                    param="after",
                ) from None

    def _get_item(self, params: dict[str, str], pairs: list[tuple[str, str]], _: bytes) -> JSONBody:
        include = include_of(pairs)
        with self._lock:
            conversation = self._conversation(params["cid"])
            return apply_include(conversation.items[self._item_index(conversation, params["iid"])], include)

    def _delete_item(self, params: dict[str, str], _: list[tuple[str, str]], __: bytes) -> JSONBody:
        with self._lock:
            self.delete_item(params["cid"], params["iid"])
            return self._conversation(params["cid"]).resource()


# status -> (error type, code, message) of an injected fault, as the real API words them.
_FAULTS: dict[int, tuple[str, str | None, str]] = {
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests (emulated). Please try again shortly.",
    ),
    500: ("server_error", None, "The server had an error processing your request (emulated, {status})."),
    400: ("invalid_request_error", None, "Emulated failure with status {status}."),
}
_Endpoint = Callable[[dict[str, str], list[tuple[str, str]], bytes], JSONBody]
_ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"/v1/conversations"), {"POST": "_create_conversation"}),
    (
        re.compile(r"/v1/conversations/(?P<cid>[^/]+)"),
        {"GET": "_get_conversation", "POST": "_update_conversation", "DELETE": "_delete_conversation"},
    ),
    (re.compile(r"/v1/conversations/(?P<cid>[^/]+)/items"), {"GET": "_list_items", "POST": "_create_items"}),
    (
        re.compile(r"/v1/conversations/(?P<cid>[^/]+)/items/(?P<iid>[^/]+)"),
        {"GET": "_get_item", "DELETE": "_delete_item"},
    ),
]
