"""A local, stateful OpenAI Conversations API on 127.0.0.1, standard library only.

It is what the demo records from when no real key is given and what the plugin's own tests record
from, so it answers like the real service: the same JSON shapes (OpenAPI excerpt in the shared
spec), the same error bodies, the headers redaction must deal with (cookies, organization,
project, request ids), HTTP/1.1 keep-alive so the openai SDK's connection pool is exercised, and
page semantics taken from :mod:`pytest_convreplay.listing` so replay re-slicing cannot disagree.

Ids are deterministic per instance (a seeded generator), so the same test records the same ids.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gzip
import importlib
import json
import random
import re
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from pytest_convreplay.emulator_seed import ID_PREFIXES, STATUS_REQUIRED, mixed_items, text_message
from pytest_convreplay.errors import ConvreplayError
from pytest_convreplay.listing import (
    Item,
    ListQuery,
    UnknownCursorError,
    apply_include,
    list_page,
    positions_of,
)

DEFAULT_API_KEY = "sk-emulator-Q2FZ9k3LrT8wXv1mN4pB7sYdE6hJ0uTc"
DEFAULT_ORGANIZATION = "org-emulatorK4mZ8qT2vR7wN1x"
DEFAULT_PROJECT = "proj_emulatorQ8wE3rT6yU1iO4p"
MAX_ITEMS_PER_REQUEST = 20
_METADATA_LIMITS = (16, 64, 512)  # pairs, key length, value length

JSONBody = dict[str, Any]


class ReceivedRequest(NamedTuple):
    """One request as the emulator saw it; header names are lower-cased."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]


class ApiError(ConvreplayError):
    """An error the emulator answers with an OpenAI error body (and raises from its Python methods)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSONBody = {"error": {"message": message, "type": type, "param": param, "code": code}}


def _not_found(what: str, ident: str, param: str) -> ApiError:
    return ApiError(404, f"{what} with id '{ident}' not found.", param=param)


def _missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


@dataclass
class _Conversation:
    id: str
    created_at: int
    metadata: dict[str, str]
    items: list[Item] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)

    def resource(self) -> JSONBody:
        return {
            "id": self.id,
            "object": "conversation",
            "created_at": self.created_at,
            "metadata": self.metadata,
        }

    def append(self, items: Sequence[Item]) -> None:
        for item in items:
            self.positions[item["id"]] = len(self.items)
            self.items.append(item)

    def remove(self, item_id: str) -> None:
        del self.items[self.positions[item_id]]
        self.positions = positions_of(self.items)


@dataclass
class _Fault:
    remaining: int
    status: int
    path_contains: str
    retry_after: float | None


class _IdFactory:
    """Realistic ids (``<prefix>_`` + 48 hex) from a seeded generator: reproducible per instance."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def __call__(self, prefix: str) -> str:
        return f"{prefix}_{self._random.getrandbits(192):048x}"


def _metadata(value: Any) -> dict[str, str]:
    pairs, key_len, value_len = _METADATA_LIMITS
    if value is None:
        return {}
    if (
        not isinstance(value, dict)
        or len(value) > pairs
        or not all(isinstance(k, str) and len(k) <= key_len for k in value)
        or not all(isinstance(v, str) and len(v) <= value_len for v in value.values())
    ):
        raise ApiError(
            400,
            f"Invalid 'metadata': expected at most {pairs} string pairs, keys up to {key_len} "
            f"and values up to {value_len} characters.",
            param="metadata",
            code="invalid_value",
        )
    return dict(value)


def _item_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(
            400, "Invalid type for 'items': expected an array.", param="items", code="invalid_type"
        )
    if len(value) > MAX_ITEMS_PER_REQUEST:
        raise ApiError(
            400,
            f"Invalid 'items': array too long. Expected an array with maximum length "
            f"{MAX_ITEMS_PER_REQUEST}, but got an array with length {len(value)} instead.",
            param="items",
            code="array_above_max_length",
        )
    return value


def _include(pairs: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The validated ``include[]`` values of a request that takes no other list parameter."""
    return _list_query([pair for pair in pairs if pair[0] in ("include", "include[]")]).include


def _list_query(pairs: Sequence[tuple[str, str]]) -> ListQuery:
    try:
        return ListQuery.from_pairs(pairs)
    except ValueError as exc:
        param = str(exc).split(":", 1)[0].removesuffix("[]")
        raise ApiError(400, f"Invalid '{param}': {exc}", param=param, code="invalid_value") from None


def _json_body(body: bytes) -> JSONBody:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
            "your HTTP library correctly. The OpenAI API expects a JSON payload.)",
        )
    return value


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    """Content codings the emulator can answer in: gzip and deflate always, br and zstd when
    ``brotli`` / ``zstandard`` are installed (the same optional libraries httpx decodes them with)."""
    found: dict[str, Callable[[bytes], bytes]] = {
        "gzip": lambda data: gzip.compress(data, mtime=0),
        "deflate": zlib.compress,
    }
    with contextlib.suppress(ImportError):
        found["br"] = importlib.import_module("brotli").compress
    with contextlib.suppress(ImportError):
        zstandard = importlib.import_module("zstandard")  # a compressor object is not thread-safe
        found["zstd"] = lambda data: zstandard.ZstdCompressor().compress(data)
    return found


COMPRESSORS = _compressors()


def _cookies() -> list[str]:
    """Cloudflare cookies shaped like the real ones, fresh per response, for redaction to remove."""
    now = int(time.time())
    expires = formatdate(now + 1800, usegmt=True)
    attrs = "path=/; domain=.api.openai.com; HttpOnly; Secure; SameSite=None"
    cf_bm = f"{secrets.token_urlsafe(32)}-{now}-1.0.1.1-{secrets.token_urlsafe(60)}"
    return [
        f"__cf_bm={cf_bm}; {attrs}; expires={expires}",
        f"_cfuvid={secrets.token_urlsafe(32)}-{now * 1000}-0.0.1.1-604800000; {attrs}",
    ]


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
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ConversationsEmulator:
        """Bind (a random port when port=0) and serve on a daemon thread."""
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler, self)
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
            self._new_id = _IdFactory(self._seed)
            self._conversations: dict[str, _Conversation] = {}
            self._faults: list[_Fault] = []
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
            conversation = _Conversation(self._new_id("conv"), int(time.time()), _metadata(metadata))
            self._conversations[conversation.id] = conversation
            self.add_items(conversation.id, items or [])
            return conversation.id

    def add_items(self, conversation_id: str, items: list[Item]) -> list[Item]:
        """Append input items and return them as stored (ids, statuses and defaults filled in)."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            stored = [self._stored_item(item, index) for index, item in enumerate(items)]
            seen = set(conversation.positions)
            for item in stored:
                if item["id"] in seen:
                    raise ApiError(400, f"Item with id '{item['id']}' already exists.", param="items")
                seen.add(item["id"])
            conversation.append(stored)
            return stored

    def delete_item(self, conversation_id: str, item_id: str) -> None:
        """Remove an item, as ``DELETE …/items/{item_id}`` does (raises ApiError when unknown)."""
        with self._lock:
            conversation = self._conversation(conversation_id)
            self._item_index(conversation, item_id)
            conversation.remove(item_id)

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
            self._faults.append(_Fault(count, status, path_contains, retry_after))

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
        except ApiError as error:
            return error.status, error.body, {}

    def _fault_response(self, fault: _Fault) -> tuple[int, JSONBody, dict[str, str]]:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = f"{fault.retry_after:g}"
            headers["retry-after-ms"] = str(max(1, round(fault.retry_after * 1000)))
        kind, code, message = _FAULTS.get(fault.status, _FAULTS[500 if fault.status >= 500 else 400])
        error = ApiError(fault.status, message.format(status=fault.status), type=kind, code=code)
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
        raise ApiError(401, message, code="invalid_api_key")

    def _route(self, method: str, path: str) -> tuple[_Endpoint, dict[str, str]]:
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path.rstrip("/"))
            if match and method in methods:
                params = {name: unquote(value) for name, value in match.groupdict().items()}
                return getattr(self, methods[method]), params
        raise ApiError(404, f"Invalid URL ({method} {path})")

    def _conversation(self, conversation_id: str) -> _Conversation:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            raise _not_found("Conversation", conversation_id, "conversation_id")
        return conversation

    def _item_index(self, conversation: _Conversation, item_id: str) -> int:
        index = conversation.positions.get(item_id)
        if index is None:
            raise _not_found("Item", item_id, "item_id")
        return index

    def _stored_item(self, item: Any, index: int) -> Item:
        """An input item as the API stores it: typed, with an id and the status it reports."""
        if not isinstance(item, dict):
            raise ApiError(
                400, f"Invalid type for 'items[{index}]': expected an object.", param=f"items[{index}]"
            )
        stored = copy.deepcopy(item)
        if "type" not in stored and "role" in stored:
            stored["type"] = "message"
        kind = stored.get("type")
        if kind not in ID_PREFIXES:
            raise ApiError(
                400,
                f"Invalid value for 'items[{index}].type': {kind!r} is not a conversation item type.",
                param=f"items[{index}].type",
                code="invalid_value",
            )
        if kind == "message" and isinstance(stored.get("content"), str):
            stored["content"] = text_message("", str(stored.get("role")), stored["content"])["content"]
        if not isinstance(stored.get("id"), str) or not stored["id"]:
            stored["id"] = self._new_id(ID_PREFIXES[kind])
        if kind in STATUS_REQUIRED:
            stored.setdefault("status", "completed")
        return stored

    # -- endpoints: (path params, query pairs, body) -> JSON -------------------------------

    def _create_conversation(self, _: dict[str, str], pairs: list[tuple[str, str]], body: bytes) -> JSONBody:
        payload = _json_body(body)
        items, metadata = _item_list(payload.get("items")), _metadata(payload.get("metadata"))
        with self._lock:
            conversation_id = self.create_conversation(metadata=metadata)
            try:
                self.add_items(conversation_id, items)
            except ApiError:
                del self._conversations[conversation_id]
                raise
            return self._conversations[conversation_id].resource()

    def _get_conversation(self, params: dict[str, str], _: list[tuple[str, str]], __: bytes) -> JSONBody:
        with self._lock:
            return self._conversation(params["cid"]).resource()

    def _update_conversation(self, params: dict[str, str], _: list[tuple[str, str]], body: bytes) -> JSONBody:
        """The OpenAPI body is optional: no body changes nothing; a body must carry metadata."""
        payload = _json_body(body)
        if body.strip() and "metadata" not in payload:
            raise _missing("metadata")
        with self._lock:
            conversation = self._conversation(params["cid"])
            if "metadata" in payload:
                conversation.metadata = _metadata(payload["metadata"])
            return conversation.resource()

    def _delete_conversation(self, params: dict[str, str], _: list[tuple[str, str]], __: bytes) -> JSONBody:
        with self._lock:
            conversation = self._conversation(params["cid"])
            del self._conversations[conversation.id]
        return {"id": conversation.id, "object": "conversation.deleted", "deleted": True}

    def _create_items(self, params: dict[str, str], pairs: list[tuple[str, str]], body: bytes) -> JSONBody:
        include = _include(pairs)
        payload = _json_body(body)
        if "items" not in payload:
            raise _missing("items")
        stored = self.add_items(params["cid"], _item_list(payload["items"]))
        query = ListQuery(limit=max(1, len(stored)), order="asc", include=include)
        return list_page(stored, query)

    def _list_items(self, params: dict[str, str], pairs: list[tuple[str, str]], _: bytes) -> JSONBody:
        query = _list_query(pairs)
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
                raise ApiError(
                    400,
                    f"Invalid 'after': item '{query.after}' not found in conversation {conversation.id}.",
                    param="after",
                ) from None

    def _get_item(self, params: dict[str, str], pairs: list[tuple[str, str]], _: bytes) -> JSONBody:
        include = _include(pairs)
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: ConversationsEmulator
    ) -> None:
        self.emulator = emulator
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with exact Content-Length, so clients keep their pooled connections alive."""

    protocol_version = "HTTP/1.1"
    server_version = "cloudflare"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 60  # idle keep-alive connections end instead of holding a thread forever

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ``emulator.requests`` instead of stderr."""

    def _serve(self) -> None:
        started = time.perf_counter()
        emulator = self.server.emulator  # type: ignore[attr-defined]
        assert isinstance(emulator, ConversationsEmulator)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = ReceivedRequest(
            self.command, url.path, parse_qsl(url.query, keep_blank_values=True), headers
        )
        status, payload, extra = emulator.handle(request, body)
        data = json.dumps(payload, indent=2).encode()
        encoding = self._encoding(emulator.compress, headers.get("accept-encoding", ""))
        if encoding is not None:
            data = COMPRESSORS[encoding](data)
        self.send_response(status)
        for name, value in self._api_headers(emulator, started, encoding).items():
            self.send_header(name, value)
        for name, value in extra.items():
            self.send_header(name, value)
        for cookie in _cookies():
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _encoding(wanted: str | None, accept_encoding: str) -> str | None:
        accepted = {token.split(";")[0].strip().lower() for token in accept_encoding.split(",")}
        return wanted if wanted in accepted else None

    @staticmethod
    def _api_headers(emulator: ConversationsEmulator, started: float, encoding: str | None) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "openai-version": "2020-10-01",
            "openai-organization": emulator.organization,
            "openai-project": emulator.project,
            "x-request-id": f"req_{secrets.token_hex(16)}",
            "openai-processing-ms": str(max(1, round((time.perf_counter() - started) * 1000))),
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "x-content-type-options": "nosniff",
            "cf-cache-status": "DYNAMIC",
            "cf-ray": f"{secrets.token_hex(8)}-CDG",
            "alt-svc": 'h3=":443"; ma=86400',
        }
        if encoding:
            headers["content-encoding"] = encoding
        return headers


@pytest.fixture
def conversations_api() -> Iterator[ConversationsEmulator]:
    """A running emulator per test: fresh state and the same id sequence, so recordings repeat."""
    with ConversationsEmulator() as emulator:
        yield emulator


def serve_forever(host: str = "127.0.0.1", port: int = 0, *, seed_mixed: bool = False) -> None:
    """Run an emulator in the foreground until Ctrl-C (what ``convreplay serve`` calls)."""
    with ConversationsEmulator(host=host, port=port) as emulator:
        print(f"base_url: {emulator.base_url}")
        print(f"api_key:  {emulator.api_key}")
        if seed_mixed:
            print(f"conversation: {emulator.seed_mixed_conversation()}")
        print("Serving the Conversations API emulator; press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: ``convreplay serve [--host H] [--port P] [--seed-mixed]``."""
    parser = argparse.ArgumentParser(
        prog="convreplay serve", description="Run the local Conversations API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument(
        "--seed-mixed", action="store_true", help="create a conversation with every item type"
    )
    args = parser.parse_args(argv)
    serve_forever(args.host, args.port, seed_mixed=args.seed_mixed)
    return 0
