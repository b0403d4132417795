"""What identifies a request: the one notion of "the same request" for replay, retries and reports.

Method, path, query (order-insensitive) and canonical body (JSON with sorted keys, a multipart form
with its canonical boundary: see :mod:`.multipart`); no headers, since volatile ones
(date, x-request-id, …) and credentials differ on every run. Scheme, host and port take no part,
so a cassette recorded against the emulator or a proxy replays for ``api.openai.com`` too.
"""

from __future__ import annotations

import json
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from .interactions import parse_json
from .multipart import canonical_form


class RequestKey(NamedTuple):
    """What identifies a request for replay: no headers, query order-insensitive, JSON canonical."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: str | None

    def describe(self, origin: str = "") -> str:
        """``GET /v1/items?limit=20``; with ``origin`` (``https://host``) the host too, which the
        key leaves out so that a cassette replays whatever base URL the client is given."""
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"{self.method} {origin}{self.path}{query}"


def _canonical_body(body: object, content_type: str | None) -> str | None:
    if body is None or body in (b"", ""):
        return None
    form = canonical_form(body, content_type)
    if form is not None:
        return form.body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else str(body)
    try:
        return json.dumps(parse_json(text), sort_keys=True, separators=(",", ":"))
    except ValueError:  # not JSON, or too deep to walk: the text itself is the identity
        return text


def request_key(method: str, uri: str, body: object = None, content_type: str | None = None) -> RequestKey:
    """The replay key of a request (already normalized by the caller's redaction rules); the content
    type names a form's boundary (without it, a body shaped like a form is read as one)."""
    parts = urlsplit(uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return RequestKey(method.upper(), parts.path, query, _canonical_body(body, content_type))
