"""Indexed matching of live requests against a cassette, unmatched-request errors, network blocking.

vcrpy compares each request with every recorded one (O(n) per request, O(n²) per pagination).
Here a request is reduced once to a :class:`RequestKey` (method, path, sorted query, canonical
body) and looked up in a dict, so replay cost grows linearly with the number of pages. Headers
never take part: volatile ones (date, x-request-id, …) and credentials differ on every run.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from .config import RepeatPolicy
from .errors import ConvreplayError
from .interactions import Interaction

Normalizer = Callable[[str, str, object, Mapping[str, Any]], tuple[str, object]]
"""(method, URI, body, headers) of a live request -> (URI, body) as the cassette stores them."""


_NO_HEADERS: Mapping[str, Any] = {}


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
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return text


def request_key(method: str, uri: str, body: object = None) -> RequestKey:
    """The replay key of a request (already normalized by the caller's redaction rules)."""
    parts = urlsplit(uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return RequestKey(method.upper(), parts.path, query, _canonical_body(body))


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
            if normalized:
                uri, body = self._normalize(request["method"], uri, body, request.get("headers") or {})
            positions.setdefault(request_key(request["method"], uri, body), []).append(position)
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
            body = None
        elif not isinstance(body, str | bytes):
            return self._key(method, uri, body, headers)
        memo = (method, uri, body, str(headers.get("content-type") or headers.get("Content-Type") or ""))
        key = self._keys.get(memo)
        if key is None:
            key = self._keys[memo] = self._key(method, uri, body, headers)
        return key

    def _key(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> RequestKey:
        """The request as sent when the cassette holds it so (nothing in it was redacted, or a cassette
        from another tool kept it), else as the redaction rules wrote it (URI and body). Redacting
        costs more than the lookup, and most requests (cursors, limits) hold nothing to redact."""
        as_sent = request_key(method, uri, body)
        if as_sent in self._positions:
            return as_sent
        return request_key(method, *self._normalize(method, uri, body, headers))

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

    def played_all(self) -> bool:
        return all(self._played.get(key, 0) >= len(p) for key, p in self._positions.items())

    def closest(self, key: RequestKey, limit: int = 3) -> list[tuple[RequestKey, list[str]]]:
        """The recorded requests most like ``key``, each with what differs, for the error message."""
        ranked = sorted(
            ((len(diff), diff, other) for other in self._positions for diff in [_differences(key, other)]),
            key=lambda entry: entry[0],
        )
        return [(other, diff) for _, diff, other in ranked[:limit]]


def _differences(sent: RequestKey, recorded: RequestKey) -> list[str]:
    """What separates two keys, in words; method and path weigh more than any query parameter."""
    differences: list[str] = []
    if sent.method != recorded.method:
        differences += [f"method: {recorded.method} recorded, {sent.method} sent"] * 3
    if sent.path != recorded.path:
        differences += [f"path: {recorded.path} recorded, {sent.path} sent"] * 3
    sent_query, recorded_query = _multi(sent.query), _multi(recorded.query)
    for name in sorted(sent_query.keys() | recorded_query.keys()):
        was, now = recorded_query.get(name), sent_query.get(name)
        if was != now:
            differences.append(f"query {name}: {_show(was)} recorded, {_show(now)} sent")
    if sent.body != recorded.body:
        differences.append("body differs")
    return differences


def _multi(pairs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _show(values: list[str] | None) -> str:
    if values is None:
        return "(absent)"
    return ",".join(values)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """One request replay could not answer, kept so the test fails even if the client swallowed it."""

    key: RequestKey
    message: str


def unmatched_message(
    *,
    cassette: str,
    key: RequestKey,
    closest: list[tuple[RequestKey, list[str]]],
    record_command: str,
    missing_cassette: bool = False,
    reason: str = "",
) -> str:
    """The one message a user needs: which cassette, which request, what is near, how to record it."""
    if missing_cassette:
        lines = [f"convreplay: cassette {cassette} does not exist, so {key.describe()} cannot be replayed."]
    else:
        lines = [f"convreplay: cassette {cassette} holds no answer for {key.describe()}"]
    if reason:
        lines.append(f"  ({reason})")
    if closest:
        lines.append("Closest recorded requests:")
        for other, differences in closest:
            lines.append(f"  {other.describe()}")
            lines.extend(f"      {line}" for line in dict.fromkeys(differences))
    lines.append(f"To record it, run: {record_command}")
    return "\n".join(lines)


class NetworkBlockedError(ConvreplayError):
    """A connection to a non-loopback host was attempted while replaying offline."""


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def block_network(allowed_hosts: Sequence[str], describe: str) -> Iterator[None]:
    """Refuse socket connections that would leave the machine, for clients vcrpy does not patch.

    Loopback and ``allowed_hosts`` stay reachable (local databases, the emulator); the error is not
    an OSError, so HTTP clients do not retry it as a connection problem.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    allowed = set(allowed_hosts)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        if not _is_loopback(host) and host not in allowed:
            raise NetworkBlockedError(
                f"convreplay: network access to {host} is blocked while replaying {describe}; "
                "record with --convreplay-record-mode=once, or list the host in the allowed_hosts option"
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
