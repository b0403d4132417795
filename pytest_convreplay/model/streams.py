"""Server-sent event streams (``text/event-stream``): how a body is told to be one, and its events."""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def is_event_stream(headers: Mapping[str, Any]) -> bool:
    """Whether a part's ``content-type`` is ``text/event-stream`` (header values as list or str)."""
    return any(
        key.lower() == "content-type" and "text/event-stream" in str(values).lower()
        for key, values in headers.items()
    )
