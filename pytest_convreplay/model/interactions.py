"""The on-disk shape of one recorded HTTP exchange, shared by every stage.

Cassettes keep vcrpy's format (``version: 1``, ``interactions: [{request, response}]``) so that
plain vcrpy can read them. Bodies are kept as text whenever they are UTF-8, which is what makes
them reviewable in git and scannable for secrets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypedDict
from urllib.parse import parse_qsl, urlsplit

Headers = dict[str, list[str]]
_BOM = "\ufeff"


class RecordedRequest(TypedDict):
    method: str
    uri: str
    body: str | None
    headers: Headers


class ResponseStatus(TypedDict):
    code: int
    message: str


class ResponseBody(TypedDict):
    string: str


class RecordedResponse(TypedDict):
    status: ResponseStatus
    headers: Headers
    body: ResponseBody


class Interaction(TypedDict):
    request: RecordedRequest
    response: RecordedResponse


def header_values(headers: Headers, name: str) -> list[str]:
    """All values of a header, matched case-insensitively as HTTP requires."""
    wanted = name.lower()
    return [value for key, values in headers.items() if key.lower() == wanted for value in values]


def split_uri(uri: str) -> tuple[str, list[tuple[str, str]]]:
    """The path and the query pairs of a URI, pairs in wire order (``include[]`` may repeat)."""
    parts = urlsplit(uri)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def json_container(
    text: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
) -> Any:
    """The object or array a string holds as JSON (``arguments``, ``output``), or None.

    The first-character check keeps this cheap on the many strings that are plain text.
    """
    text = text.lstrip(_BOM)  # a byte order mark before JSON: clients skip it, so do the rules
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        value = json.loads(text, object_pairs_hook=object_pairs_hook)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def json_body(text: str | None) -> Any:
    """The JSON value of a body, or None when the body is empty or not JSON."""
    if not text:
        return None
    try:
        return json.loads(text.lstrip(_BOM) if isinstance(text, str) else text)
    except ValueError:
        return None
