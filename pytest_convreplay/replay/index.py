"""Indexed matching of live requests against a cassette.

vcrpy compares each request with every recorded one (O(n) per request, O(n²) per pagination).
Here a request is reduced once to a :class:`RequestKey` (method, path, sorted query, canonical
body) and looked up in a dict, so replay cost grows linearly with the number of pages. Headers
never take part: volatile ones (date, x-request-id, …) and credentials differ on every run; only
the content type is read, for the boundary of a multipart form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..config.settings import RepeatPolicy
from ..model.interactions import Interaction
from ..model.multipart import canonical_form
from ..model.requests import RequestKey, request_key

Normalizer = Callable[[str, str, object, Mapping[str, Any]], tuple[str, object]]
"""(method, URI, body, headers) of a live request -> (URI, body) as the cassette stores them."""


_NO_HEADERS: Mapping[str, Any] = {}


def content_type_of(headers: Mapping[str, Any]) -> str | None:
    """The content type of a live (text values) or recorded (list values) request's headers."""
    for name, value in headers.items():
        if name.lower() == "content-type":
            return ", ".join(value) if isinstance(value, list | tuple) else str(value)
    return None


class CassetteIndex:
    """Recorded answers by request key; identical requests are answered in recorded order."""

    def __init__(
        self,
        interactions: Sequence[Interaction],
        *,
        normalize: Normalizer = lambda method, uri, body, headers: (uri, body),
        repeat: RepeatPolicy = RepeatPolicy.REPEAT_LAST,
    ) -> None:
        self._normalize = normalize
        self._repeat = repeat
        self._interactions = interactions
        self._played: dict[RequestKey, int] = {}
        self._keys: dict[tuple[str, str, str | bytes | None, str], RequestKey] = {}
        # Recorded URIs were redacted when written, and redaction is idempotent, so they are indexed
        # as stored; only a cassette from another tool, whose URIs may still hold values the rules
        # redact, needs them normalized, which happens on the first miss (see ``_recorded``).
        self._positions = self._index(normalized=False)
        self._recorded_normalized = False

    def _index(self, *, normalized: bool) -> dict[RequestKey, list[int]]:
        positions: dict[RequestKey, list[int]] = {}
        for position, interaction in enumerate(self._interactions):
            request = interaction["request"]
            uri: str = request["uri"]
            body: object = request.get("body")
            headers = request.get("headers") or {}
            if normalized:
                uri, body = self._normalize(request["method"], uri, body, headers)
            key = request_key(request["method"], uri, body, content_type_of(headers))
            positions.setdefault(key, []).append(position)
        return positions

    def _recorded(self, key: RequestKey) -> list[int] | None:
        positions = self._positions.get(key)
        if positions is None and not self._recorded_normalized:
            self._recorded_normalized = True
            self._positions = self._index(normalized=True)
            positions = self._positions.get(key)
        return positions

    def key(
        self, method: str, uri: str, body: object = None, headers: Mapping[str, Any] = _NO_HEADERS
    ) -> RequestKey:
        """The request's key, remembered: vcrpy asks about each live request twice (can play? play).
        The content type is part of the memo, as it decides how the body is normalized."""
        if body is None or body == b"" or body == "":
            body = content_type = None  # no body: the content type decides nothing
        else:
            content_type = content_type_of(headers)
            if not isinstance(body, str | bytes):
                return self._key(method, uri, body, headers, content_type)
        memo = (method, uri, body, content_type or "")
        key = self._keys.get(memo)
        if key is None:
            key = self._keys[memo] = self._key(method, uri, body, headers, content_type)
        return key

    def _key(
        self, method: str, uri: str, body: object, headers: Mapping[str, Any], content_type: str | None
    ) -> RequestKey:
        """The request as sent when the cassette holds it so (nothing in it was redacted, or a cassette
        from another tool kept it), else as the redaction rules wrote it (URI and body). Redacting
        costs more than the lookup, and most requests (cursors, limits) hold nothing to redact.
        A multipart form is put in its canonical form first, as recording stored it."""
        form = canonical_form(body, content_type)
        if form is not None:
            body, content_type = form.body, form.content_type
            headers = {
                **{name: value for name, value in headers.items() if name.lower() != "content-type"},
                "content-type": content_type,
            }
        as_sent = request_key(method, uri, body, content_type)
        if as_sent in self._positions:
            return as_sent
        return request_key(method, *self._normalize(method, uri, body, headers), content_type)

    def __len__(self) -> int:
        return sum(len(positions) for positions in self._positions.values())

    def peek(self, key: RequestKey) -> int | None:
        """The interaction that would answer ``key`` now, without consuming it."""
        positions = self._recorded(key)
        if not positions:
            return None
        played = self._played.get(key, 0)
        if played < len(positions):
            return positions[played]
        return positions[-1] if self._repeat is RepeatPolicy.REPEAT_LAST else None

    def holds(self, key: RequestKey) -> bool:
        """Whether the cassette recorded this exact request (its answers may all be played)."""
        return bool(self._recorded(key))

    def take(self, key: RequestKey) -> int | None:
        """Like :meth:`peek`, and count the answer as played."""
        position = self.peek(key)
        if position is not None:
            self._played[key] = self._played.get(key, 0) + 1
        return position

    def recorded_keys(self) -> list[RequestKey]:
        """Every distinct request the cassette holds, for "closest recorded requests"."""
        return list(self._positions)
