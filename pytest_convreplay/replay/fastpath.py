"""Replay hits for httpx and httpx2 answered straight from the cassette index.

vcrpy's transport stubs build a vcrpy ``Request`` (a copy of every header) and ask the cassette
twice for each request; on a 500-page pagination that is most of the plugin's cost. These patches
sit on top of vcrpy's: a request the cassette can answer is answered here, anything else (a miss,
recording) goes on to vcrpy's stub, after its ``accept-encoding`` is narrowed to the client's
codings the redaction can decode too, so a response is never recorded in an encoding that could
hide a secret from it, nor sent in one the client cannot read. A miss that may not be recorded is
refused here at once, with the recording's own failure (a BaseException the SDK does not retry).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from ..model.codings import narrow_accept_encoding


class Answers(Protocol):
    """What the fast path needs from a recording: an answer for a request, or None, and the
    failure to raise for a request it may not send."""

    @property
    def write_protected(self) -> bool: ...

    def answer(
        self, method: str, uri: str, body: object, headers: Mapping[str, Any]
    ) -> dict[str, Any] | None: ...

    def refuse(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> BaseException: ...


def _before_live(request: Any) -> None:
    request.headers["accept-encoding"] = narrow_accept_encoding(request.headers.get("accept-encoding"))


def _response(module: Any, request: Any, answer: dict[str, Any]) -> Any:
    """The client's response, header values and reason phrase given as bytes: text that is not
    ASCII (a recorded ``café``) reaches the client as a live server's bytes would, where httpx
    would refuse to encode it."""
    headers = [
        (name.encode("utf-8"), value.encode("utf-8"))
        for name, values in answer["headers"].items()
        for value in values
    ]
    message = answer["status"].get("message") or ""
    return module.Response(
        answer["status"]["code"],
        headers=headers,
        stream=module.ByteStream(answer["body"]["string"]),
        extensions={"reason_phrase": message.encode("utf-8")} if message else None,
        request=request,
    )


def _sync(module: Any, answers: Answers, fallback: Callable[..., Any]) -> Callable[..., Any]:
    def handle_request(transport: Any, request: Any) -> Any:
        body = b"".join(request.stream)
        request.stream = module.ByteStream(body)  # reading consumed it; vcrpy may read it again
        answer = answers.answer(request.method, str(request.url), body, request.headers)
        if answer is None:
            if answers.write_protected:
                raise answers.refuse(request.method, str(request.url), body, request.headers)
            _before_live(request)
            return fallback(transport, request)
        return _response(module, request, answer)

    return handle_request


def _async(module: Any, answers: Answers, fallback: Callable[..., Any]) -> Callable[..., Any]:
    async def handle_async_request(transport: Any, request: Any) -> Any:
        body = b"".join([part async for part in request.stream])
        request.stream = module.ByteStream(body)
        answer = answers.answer(request.method, str(request.url), body, request.headers)
        if answer is None:
            if answers.write_protected:
                raise answers.refuse(request.method, str(request.url), body, request.headers)
            _before_live(request)
            return await fallback(transport, request)
        return _response(module, request, answer)

    return handle_async_request


@contextlib.contextmanager
def replay_hits_directly(answers: Answers) -> Iterator[None]:
    """Patch the httpx and httpx2 transports (whichever are installed) over vcrpy's patches."""
    with contextlib.ExitStack() as stack:
        for name in ("httpx", "httpx2"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            for cls, attribute, wrap in (
                (module.HTTPTransport, "handle_request", _sync),
                (module.AsyncHTTPTransport, "handle_async_request", _async),
            ):
                fallback = getattr(cls, attribute)
                stack.enter_context(_patched(cls, attribute, wrap(module, answers, fallback)))
        yield


@contextlib.contextmanager
def _patched(cls: type, attribute: str, replacement: Callable[..., Any]) -> Iterator[None]:
    original = cls.__dict__[attribute]
    setattr(cls, attribute, replacement)
    try:
        yield
    finally:
        setattr(cls, attribute, original)
