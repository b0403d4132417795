"""Every string an exchange holds, with where it is: what the gate checks, field by field.

JSON bodies are walked so that a finding names the field (``response body data[2].text``); an
event stream is walked event by event, and the ``delta`` texts of each streamed part are also
given joined: a secret split over deltas is whole only there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..model.interactions import Interaction, json_body
from ..model.streams import is_event_stream, sse_data
from ..rules.selector import JsonPath, format_path


def strings_of_interaction(
    index: int, interaction: Interaction, secret_key: Callable[[str], bool] = lambda key: False
) -> Iterator[tuple[str, str | bytes]]:
    """(location, text) of every string an interaction holds: URI, header values, body fields.

    JSON bodies are walked so that a finding names the field (``response body data[2].text``);
    an object key for which ``secret_key`` is true is shown as ``<key>``, never as itself. An
    event stream is walked event by event, and the ``delta`` texts of each streamed part are also
    given joined: a secret split over deltas is whole only there.
    """
    request: Mapping[str, Any] = interaction.get("request") or {}
    response: Mapping[str, Any] = interaction.get("response") or {}
    prefix = f"interaction {index}"
    yield f"{prefix} request uri", str(request.get("uri", ""))
    for side, part in (("request", request), ("response", response)):
        headers: Mapping[str, Any] = part.get("headers") or {}
        for name, values in headers.items():
            yield f"{prefix} {side} header {name.lower()}", str(name)
            for value in [values] if isinstance(values, str) else values:
                yield f"{prefix} {side} header {name.lower()}", str(value)
        body = part.get("body")
        if isinstance(body, Mapping):
            body = body.get("string")
        where = f"{prefix} {side} body"
        if isinstance(body, str) and is_event_stream(headers):
            yield from _strings_of_events(where, body, secret_key)
        else:
            yield from _strings_of_body(where, body, secret_key)


def _strings_of_body(
    where: str, body: Any, secret_key: Callable[[str], bool]
) -> Iterator[tuple[str, str | bytes]]:
    if isinstance(body, bytes):
        yield where, body
    elif isinstance(body, str) and body:
        document = json_body(body)
        if isinstance(document, dict | list):
            for path, text in strings_of_json(document, ()):
                shown = tuple(
                    "<key>" if isinstance(step, str) and secret_key(step) else step for step in path
                )
                yield f"{where} {format_path(shown)}".rstrip(), text
        else:
            yield where, body


def strings_of_json(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from strings_of_json(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_of_json(item, (*path, index))


_STREAMED_PART = ("type", "item_id", "output_index", "content_index")  # which text a delta adds to


def _strings_of_events(
    where: str, body: str, secret_key: Callable[[str], bool]
) -> Iterator[tuple[str, str | bytes]]:
    deltas: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for number, data in enumerate(filter(None, map(sse_data, body.split("\n")))):
        yield from _strings_of_body(f"{where} event {number}", data, secret_key)
        event = json_body(data)
        if isinstance(event, dict) and isinstance(event.get("delta"), str):
            part = tuple(str(event.get(name)) for name in _STREAMED_PART)
            deltas.setdefault(part, []).append((number, event["delta"]))
    for pieces in deltas.values():
        if len(pieces) > 1:
            joined = "".join(delta for _, delta in pieces)
            yield f"{where} events {pieces[0][0]}-{pieces[-1][0]}, deltas joined", joined
