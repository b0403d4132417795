"""Server-sent event streams (``text/event-stream``): how a body is told to be one, and its events."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_LINE_END = re.compile(r"(\r\n|\r|\n)")


def split_lines(body: str) -> list[str]:
    """An event stream's lines and line ends, alternating (``[line, end, line, …]``): CR, LF and
    CRLF each end a line, as the event-stream format says and clients read it."""
    return _LINE_END.split(body)


def event_lines(body: str) -> list[str]:
    """An event stream's lines, whichever line ends it uses."""
    return split_lines(body)[::2]


def sse_data(line: str) -> str | None:
    """The value of a server-sent event's ``data:`` line (None for any other line)."""
    field, colon, value = line.rstrip("\r\n").partition(":")
    if field != "data" or not colon:
        return None
    return value[1:] if value.startswith(" ") else value


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a stream: which lines hold its data, and that data as clients read it."""

    lines: tuple[int, ...]  # indices of its ``data:`` lines in the stream's lines
    data: str  # those lines' values joined by "\n", as the event-stream format says


def stream_events(lines: Sequence[str]) -> list[Event]:
    """The events of a stream's lines: ``data:`` lines up to a blank line make one event, however
    many there are (a JSON event may be split over several)."""
    found: list[Event] = []
    current: list[int] = []
    for index, line in enumerate([*lines, ""]):
        data = sse_data(line)
        if data is not None:
            current.append(index)
        elif not line and current:
            found.append(Event(tuple(current), "\n".join(str(sse_data(lines[i])) for i in current)))
            current = []
    return found


def is_event_stream(headers: Mapping[str, Any]) -> bool:
    """Whether a part's ``content-type`` is ``text/event-stream`` (header values as list or str)."""
    return any(
        key.lower() == "content-type" and "text/event-stream" in str(values).lower()
        for key, values in headers.items()
    )
