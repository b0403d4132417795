"""The on-disk shape of one recorded HTTP exchange, shared by every stage, and its JSON helpers.

Cassettes keep vcrpy's format (``version: 1``, ``interactions: [{request, response}]``) so that
plain vcrpy can read them. Bodies are kept as text whenever they are UTF-8, which is what makes
them reviewable in git and scannable for secrets.

Bodies and the strings inside them are written by servers, end users and models, so every stage
reads JSON through :func:`parse_json` and writes it through :func:`dump_json`: JSON nested beyond
:data:`MAX_JSON_DEPTH` is text, not a structure to walk, and a lone surrogate escape (``\\ud800``)
decoded from a body is written back as the escape it was, never as a character UTF-8 cannot hold.
"""

from __future__ import annotations

import json
import re
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


def origin_of(uri: str) -> str:
    """``scheme://host:port`` of a URI without its userinfo, where a token is often put (empty
    for text urlsplit refuses)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def split_uri(uri: str) -> tuple[str, list[tuple[str, str]]]:
    """The path and the query pairs of a URI, pairs in wire order (``include[]`` may repeat)."""
    parts = urlsplit(uri)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


MAX_JSON_DEPTH = 64
"""Levels of JSON the stages walk. The API's items nest about ten deep; a body nested thousands
deep, which the json module itself refuses with RecursionError, would exhaust every walker's stack."""


class TooDeeplyNested(ValueError):
    """JSON nested beyond MAX_JSON_DEPTH: handled as text, like anything else that is not JSON."""


def parse_json(text: str | bytes) -> Any:
    """The JSON value of ``text``; ValueError when it is not JSON or nests beyond MAX_JSON_DEPTH."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeeplyNested(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if isinstance(value, dict | list) and _openers(text) > MAX_JSON_DEPTH and nests_deeper(value):
        raise TooDeeplyNested(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _openers(text: str | bytes) -> int:
    """An upper bound of the nesting, JSON held in strings included: a count, so most texts need
    no walk at all (JSON escapes quotes, never brackets)."""
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def nests_deeper(value: Any, limit: int = MAX_JSON_DEPTH, *, json_in_strings: bool = False) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep; with ``json_in_strings``, a
    string holding a JSON object or array counts as that value one level down, as the walkers
    that decode such strings (redaction, masks, diffs) see it."""
    level = [value]  # level by level: the containers one level down, each level in one comprehension
    for _ in range(limit):
        if json_in_strings:
            children = [child for node in level for child in (node.values() if type(node) is dict else node)]
            level = [child for child in children if type(child) in _CONTAINERS]
            level += [
                inner for child in children if type(child) is str and (inner := _json_in(child)) is not None
            ]
        else:
            level = [
                child
                for node in level
                for child in (node.values() if type(node) is dict else node)
                if type(child) in _CONTAINERS
            ]
        if not level:
            return False
    return True


def _json_in(text: str) -> Any:
    """The object or array a string holds as JSON, else None (as the walkers that decode such
    strings see it; one too deep for Python's parser is none)."""
    if text.lstrip()[:1] not in _OPENERS:
        return None
    try:
        inner = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return inner if type(inner) in _CONTAINERS else None


_OPENERS = ("{", "[")
_CONTAINERS = frozenset({dict, list})


def json_container(
    text: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None
) -> Any:
    """The object or array a string holds as JSON (``arguments``, ``output``), or None.

    Walkers decode such strings inside decoded JSON, so the depth counted here is the whole one,
    strings holding JSON included: nesting JSON in strings cannot multiply the bound. The
    first-character check keeps this cheap on the many strings that are plain text.
    """
    text = text.lstrip(_BOM)  # a byte order mark before JSON: clients skip it, so do the rules
    if text.lstrip()[:1] not in _OPENERS:
        return None
    try:
        value = json.loads(text, object_pairs_hook=object_pairs_hook)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict | list):
        return None
    if _openers(text) > MAX_JSON_DEPTH and nests_deeper(value, json_in_strings=True):
        return None
    return value


def json_body(text: str | None) -> Any:
    """The JSON value of a body, or None when the body is empty or not JSON (nested beyond
    MAX_JSON_DEPTH included)."""
    if not text:
        return None
    try:
        return parse_json(text.lstrip(_BOM) if isinstance(text, str) else text)
    except ValueError:
        return None


def dump_json(value: Any, **options: Any) -> str:
    """JSON text as the files keep it (``ensure_ascii=False``: readable, and as the API sent it);
    a lone surrogate, which JSON escapes can hold and UTF-8 cannot, is written as its escape."""
    return escape_surrogates(json.dumps(value, ensure_ascii=False, **options))


def escape_surrogates(text: str) -> str:
    """``text`` with every lone surrogate written as its ``\\udXXX`` escape: what is printed or
    written must be UTF-8, and a JSON escape in a body can decode to half a pair."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")
