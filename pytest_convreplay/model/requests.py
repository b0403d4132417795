"""What identifies a request: the one notion of "the same request" for replay, retries and reports.

Method, path, query (order-insensitive) and canonical JSON body; no headers, since volatile ones
(date, x-request-id, …) and credentials differ on every run. Scheme, host and port take no part,
so a cassette recorded against the emulator or a proxy replays for ``api.openai.com`` too.
"""

from __future__ import annotations

import json
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from .interactions import parse_json


class RequestKey(NamedTuple):
    """What identifies a request for replay: no headers, query order-insensitive, JSON canonical."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: str | None

    def describe(self) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"{self.method} {self.path}{query}"


def _canonical_body(body: object) -> str | None:
    if body is None or body in (b"", ""):
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else str(body)
    try:
        return json.dumps(parse_json(text), sort_keys=True, separators=(",", ":"))
    except ValueError:  # not JSON, or too deep to walk: the text itself is the identity
        return text


def request_key(method: str, uri: str, body: object = None) -> RequestKey:
    """The replay key of a request (already normalized by the caller's redaction rules)."""
    parts = urlsplit(uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return RequestKey(method.upper(), parts.path, query, _canonical_body(body))
