"""A recording whose server does not answer: one line naming the cassette and the base URL.

The SDK ends such a test with a bare ``APIConnectionError`` (httpx's ``ConnectError`` beneath it),
which says neither which cassette was being recorded nor from where; the plugin adds both.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..errors import shown_path
from ..model.interactions import origin_of
from .recording import Recording

# Connection failures of the clients the plugin records, looked up only if the test imported them.
_CONNECTION_ERRORS = (("httpx", "ConnectError"), ("httpx2", "ConnectError"), ("openai", "APIConnectionError"))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_connection_error(error: BaseException) -> bool:
    if isinstance(error, ConnectionRefusedError):
        return True
    for module, name in _CONNECTION_ERRORS:
        kind = getattr(sys.modules.get(module), name, None)
        if isinstance(kind, type) and isinstance(error, kind):
            return True
    return False


def _base_url(url: str) -> str:
    """``http://127.0.0.1:8321/v1`` of ``http://127.0.0.1:8321/v1/conversations/c/items?limit=2``."""
    path = urlsplit(url).path
    return origin_of(url) + (path.split("/v1/", 1)[0] + "/v1" if "/v1/" in path else "")


def unreachable_note(error: BaseException, recording: Recording) -> str | None:
    """The line to add when ``error`` says the server being recorded from did not answer."""
    if recording.write_protected:
        return None
    failures = [e for e in _chain(error) if _is_connection_error(e)]
    if not failures:
        return None
    urls = [str(url) for e in _chain(error) if (url := getattr(getattr(e, "request", None), "url", None))]
    where = _base_url(urls[0]) if urls else "the server"
    return (
        f"convreplay: recording {shown_path(recording.path)} from {where}, but nothing answers there; "
        "start the server (convreplay serve for the emulator) or point OPENAI_BASE_URL at one that runs"
    )
