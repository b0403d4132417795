"""Every string an exchange holds, with where it is: what the gate checks, field by field.

JSON bodies are walked so that a finding names the field (``response body data[2].text``); an
event stream is walked event by event, and the ``delta`` texts of each streamed part are also
given joined: a secret split over deltas is whole only there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from ..model.interactions import Interaction, json_body
from ..model.streams import event_lines, is_event_stream, stream_events
from ..rules.selector import JsonPath, format_path


class HeaderName(str):
    """A header name as the walk gives it: HTTP compares names case-insensitively, so the gate does."""

    __slots__ = ()


def strings_of_interaction(
    index: int, interaction: Interaction, secret_key: Callable[[str], bool] = lambda key: False
) -> Iterator[tuple[str, str | bytes]]:
    """(location, text) of every string an interaction holds: URI, header values, body fields.

    JSON bodies are walked so that a finding names the field (``response body data[2].text``);
    an object key for which ``secret_key`` is true is shown as ``<key>``, never as itself. An
    event stream is walked event by event, and the ``delta`` texts of each streamed part are also
    given joined: a secret split over deltas is whole only there.
    """
    for place, text in places_of_interaction(index, interaction):
        yield place.describe(secret_key), text


class Place(NamedTuple):
    """Where a string is: a location and, inside a JSON body, the path to it (or the header it is
    a value of). Written out only for a finding (:meth:`describe`): a recording walks a hundred
    thousand strings, and finds nothing in almost all of them."""

    where: str
    path: JsonPath | None = None
    header: str | None = None

    def describe(self, secret_key: Callable[[str], bool] = lambda key: False) -> str:
        """``interaction 3 response body data[2].text``; a key that is a secret shows as
        ``<key>``, a header name that is one as ``<name>``, in any case."""
        if self.header is not None:
            return f"{self.where} {'<name>' if secret_key(HeaderName(self.header)) else self.header.lower()}"
        if self.path is None:
            return self.where
        shown = tuple("<key>" if isinstance(step, str) and secret_key(step) else step for step in self.path)
        return f"{self.where} {format_path(shown)}".rstrip()


def places_of_interaction(index: int, interaction: Interaction) -> Iterator[tuple[Place, str | bytes]]:
    """:func:`strings_of_interaction` with places left unwritten (header names keep their case in
    the place; :meth:`Place.describe` with ``secret_key`` decides how a name is shown)."""
    request: Mapping[str, Any] = interaction.get("request") or {}
    response: Mapping[str, Any] = interaction.get("response") or {}
    prefix = f"interaction {index}"
    yield Place(f"{prefix} request uri"), str(request.get("uri", ""))
    for side, part in (("request", request), ("response", response)):
        headers: Mapping[str, Any] = part.get("headers") or {}
        for name, values in headers.items():
            carrier = HeaderName(name)
            place = Place(f"{prefix} {side} header", header=name)
            yield place, carrier
            for value in [values] if isinstance(values, str) else values:
                yield place, str(value)
        body = part.get("body")
        if isinstance(body, Mapping):
            body = body.get("string")
        where = f"{prefix} {side} body"
        if isinstance(body, str) and is_event_stream(headers):
            yield from _strings_of_events(where, body)
        else:
            yield from _strings_of_body(where, body)


def _strings_of_body(where: str, body: Any) -> Iterator[tuple[Place, str | bytes]]:
    if isinstance(body, bytes):
        yield Place(where), body
    elif isinstance(body, str) and body:
        document = json_body(body)
        if isinstance(document, dict | list):
            for path, text in strings_of_json(document, ()):
                yield Place(where, path), text
        else:
            yield Place(where), body


def strings_of_json(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str | bytes]]:
    """Every string (and bytes value: a snapshot item may hold one, YAML writes it as base64) of
    plain data, with its path; object keys are given at their object's path. Depth first, in
    document order, with a stack of its own (no generator per level)."""
    if isinstance(value, str | bytes):
        yield path, value
        return
    stack: list[tuple[Iterator[tuple[Any, Any]], JsonPath, bool]] = []
    if isinstance(value, dict):
        stack.append((iter(value.items()), path, True))
    elif isinstance(value, list):
        stack.append((enumerate(value), path, False))
    while stack:
        entries, here, keyed = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        key, item = entry
        place = (*here, key)
        if keyed:
            yield place, str(key)  # at its own place, shown as <key> when it is a secret
        if isinstance(item, str | bytes):
            yield place, item
        elif isinstance(item, dict):
            stack.append((iter(item.items()), place, True))
        elif isinstance(item, list):
            stack.append((enumerate(item), place, False))


_STREAMED_PART = ("type", "item_id", "output_index", "content_index", "summary_index")
"""Which text a Responses stream's ``delta`` adds to."""


def _strings_of_events(where: str, body: str) -> Iterator[tuple[Place, str | bytes]]:
    """Each event's strings, then the pieces of each streamed text joined: a secret split over
    deltas is whole only there (Responses: per output, content and summary index; Chat
    Completions: per choice, for its content, refusal and each tool call's name and arguments)."""
    deltas: dict[tuple[Any, ...], list[tuple[int, str]]] = {}
    for number, data in enumerate(event.data for event in stream_events(event_lines(body))):
        yield from _strings_of_body(f"{where} event {number}", data)
        event = json_body(data)
        if isinstance(event, dict):
            for part, piece in _streamed_pieces(event):
                deltas.setdefault(part, []).append((number, piece))
    for pieces in deltas.values():
        if len(pieces) > 1:
            joined = "".join(delta for _, delta in pieces)
            yield Place(f"{where} events {pieces[0][0]}-{pieces[-1][0]}, deltas joined"), joined


def _streamed_pieces(event: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(which streamed text, piece) of one event, in both stream shapes."""
    if isinstance(event.get("delta"), str):
        yield ("responses", *(str(event.get(name)) for name in _STREAMED_PART)), event["delta"]
    choices = event.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if not isinstance(choice, dict):
            continue
        index = choice.get("index")
        if isinstance(choice.get("text"), str):  # the legacy completions stream
            yield ("text", index), choice["text"]
        for path, piece in _delta_strings(choice.get("delta"), ()):
            yield ("chat", index, *path), piece


def _delta_strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, piece) of every string a Chat Completions delta streams: content, refusal, reasoning,
    the audio transcript, each tool call's name and arguments (a list element is known by its
    ``index``, as the stream numbers tool calls, not by its place in one event)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _delta_strings(inner, (*path, key))
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            key = inner.get("index", position) if isinstance(inner, dict) else position
            yield from _delta_strings(inner, (*path, key))
