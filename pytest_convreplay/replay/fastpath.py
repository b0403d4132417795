"""httpx and httpx2 intercepted at their transports: replayed from the cassette, refused, or sent
live and recorded, without vcrpy.

vcrpy's transport stubs build a vcrpy ``Request`` (a copy of every header) and ask the cassette
twice for each request, and they rebuild the response once more to record it; on a 500-page
pagination that was most of the plugin's cost. Here every transport vcrpy patches (HTTP, WSGI,
ASGI and mock, sync and async) is patched directly: a request the cassette can answer is answered
at once; a miss that may not be recorded is refused at once, with the recording's own failure (a
BaseException the SDK does not retry); anything else goes to the real transport, after its
``accept-encoding`` is narrowed to the client's codings the redaction can decode too (so a
response is never recorded in an encoding that could hide a secret from it, nor sent in one the
client cannot read), and the exchange is handed to the recording as vcrpy would have recorded it.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from ..model.codings import narrow_accept_encoding


class Answers(Protocol):
    """What the interception needs from a recording: an answer for a request, or None; the
    failure to raise for a request it may not send; and where a live exchange goes."""

    @property
    def write_protected(self) -> bool: ...

    def answer(
        self, method: str, uri: str, body: object, headers: Mapping[str, Any]
    ) -> dict[str, Any] | None: ...

    def refuse(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> BaseException: ...

    def record_live(self, request: Any, response: Mapping[str, Any]) -> None:
        """A live exchange: the request with vcrpy's ``Request`` attributes (``method``, ``uri``,
        ``body`` bytes, ``headers``), the response in vcrpy's shape (``status``, ``headers``
        name → [values], ``body.string`` bytes)."""


class _Sent:
    """A request as the recording sees it (vcrpy's ``Request`` attributes, nothing copied twice):
    header names lower-cased and repeated headers joined, as vcrpy recorded them."""

    __slots__ = ("body", "headers", "method", "uri")

    def __init__(self, request: Any, body: bytes) -> None:
        self.method: str = request.method
        self.uri = str(request.url)
        self.body = body
        self.headers: dict[str, str] = dict(request.headers.items())


def _received(response: Any, content: bytes) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name, []).append(value)
    return {
        "status": {"code": response.status_code, "message": response.reason_phrase},
        "headers": headers,
        "body": {"string": content},
    }


def served_headers(headers: Mapping[str, list[str]]) -> list[tuple[bytes, bytes]]:
    """A recorded response's headers as replay serves them, names and values as bytes: text that
    is not ASCII (a recorded ``café``) reaches the client as a live server's bytes would, where
    httpx would refuse to encode it."""
    return [
        (name.encode("utf-8"), value.encode("utf-8")) for name, values in headers.items() for value in values
    ]


def _response(module: Any, request: Any, answer: dict[str, Any]) -> Any:
    """The client's response, built from the recorded one (reason phrase as bytes too)."""
    message = answer["status"].get("message") or ""
    return module.Response(
        answer["status"]["code"],
        headers=served_headers(answer["headers"]),
        stream=module.ByteStream(answer["body"]["string"]),
        extensions={"reason_phrase": message.encode("utf-8")} if message else None,
        request=request,
    )


def _request_context(module: Any, response: Any) -> contextlib.AbstractContextManager[Any]:
    """httpx's mapping of transport errors to its own, for closing the live stream (as vcrpy does)."""
    context = getattr(getattr(module, "_exceptions", None), "request_context", None)
    return context(request=response._request) if context is not None else contextlib.nullcontext()


def _replayed(module: Any, answers: Answers, request: Any, body: bytes) -> Any:
    """The recorded answer as the client's response; else None, the request made ready to go out
    (its ``accept-encoding`` narrowed), or the recording's refusal raised when it may not."""
    __tracebackhide__ = True
    answer = answers.answer(request.method, str(request.url), body, request.headers)
    if answer is not None:
        return _response(module, request, answer)
    if answers.write_protected:
        raise answers.refuse(request.method, str(request.url), body, request.headers)
    request.headers["accept-encoding"] = narrow_accept_encoding(request.headers.get("accept-encoding"))
    return None


def _sync(module: Any, answers: Answers, real: Callable[..., Any]) -> Callable[..., Any]:
    def handle_request(transport: Any, request: Any) -> Any:
        __tracebackhide__ = True  # the plugin's frames (and their locals) stay out of tracebacks
        body = b"".join(request.stream)
        request.stream = module.ByteStream(body)  # reading consumed it; the transport reads it again
        replayed = _replayed(module, answers, request, body)
        if replayed is not None:
            return replayed
        sent = _Sent(request, body)
        response = real(transport, request)
        try:
            content = b"".join(response.stream)
        except BaseException:
            with contextlib.suppress(Exception):  # the client never saw it, so cannot close it
                response.stream.close()
            raise
        with _request_context(module, response):  # the connection goes back to the pool
            response.stream.close()
        response.stream = module.ByteStream(content)
        answers.record_live(sent, _received(response, content))
        return response

    return handle_request


def _async(module: Any, answers: Answers, real: Callable[..., Any]) -> Callable[..., Any]:
    async def handle_async_request(transport: Any, request: Any) -> Any:
        __tracebackhide__ = True
        body = b"".join([part async for part in request.stream])
        request.stream = module.ByteStream(body)
        replayed = _replayed(module, answers, request, body)
        if replayed is not None:
            return replayed
        sent = _Sent(request, body)
        response = await real(transport, request)
        try:
            content = b"".join([part async for part in response.stream])
        except BaseException:
            with contextlib.suppress(Exception):
                await response.stream.aclose()
            raise
        with _request_context(module, response):
            await response.stream.aclose()
        response.stream = module.ByteStream(content)
        answers.record_live(sent, _received(response, content))
        return response

    return handle_async_request


_TRANSPORTS = (
    ("HTTPTransport", "handle_request", _sync),
    ("AsyncHTTPTransport", "handle_async_request", _async),
    ("WSGITransport", "handle_request", _sync),
    ("ASGITransport", "handle_async_request", _async),
    ("MockTransport", "handle_request", _sync),
    ("MockTransport", "handle_async_request", _async),
)
"""What vcrpy patches in httpx and httpx2, and so what a test under a cassette has intercepted."""


@contextlib.contextmanager
def intercept_httpx(answers: Answers) -> Iterator[None]:
    """Patch the httpx and httpx2 transports (whichever are installed) for the duration."""
    with contextlib.ExitStack() as stack:
        for name in ("httpx", "httpx2"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            for class_name, attribute, wrap in _TRANSPORTS:
                cls = getattr(module, class_name, None)
                if cls is not None and attribute in cls.__dict__:
                    real = cls.__dict__[attribute]
                    stack.enter_context(_patched(cls, attribute, wrap(module, answers, real)))
        yield


@contextlib.contextmanager
def _patched(cls: type, attribute: str, replacement: Callable[..., Any]) -> Iterator[None]:
    original = cls.__dict__[attribute]
    setattr(cls, attribute, replacement)
    try:
        yield
    finally:
        setattr(cls, attribute, original)
