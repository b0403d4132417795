"""Whole exchanges redacted: bodies decoded, the user's callables run, then every rule applied.

Bodies are decoded from their content-encoding and stored as text when they are UTF-8; a body
that is not (audio, an image, UTF-16 text) is stored as bytes, which the gate checks as bytes and in
the text encodings they may hold. A content-encoding that cannot be undone raises
UndecodableBodyError, since nothing could check what it hides, unless ``allow_undecodable`` is set,
in which case the body is kept byte for byte with its content-encoding and is not inspected.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping
from typing import Any, cast

from ..errors import ConfigError, UndecodableBodyError
from ..model.codings import decode_body
from ..model.interactions import Headers, Interaction, header_values
from ..rules.credentials import cookie_values, credential_parts, is_learnable
from ..rules.redaction import PLACEHOLDER_RE, RedactionRules
from .redactor import Redactor

_HOW_TO_ALLOW = (
    "set allow_undecodable (ini convreplay_allow_undecodable or the marker/convreplay_config option) "
    "to store it unchecked"
)


def redact_request(
    method: str, uri: str, body: object, rules: RedactionRules, headers: Mapping[str, Any] | None = None
) -> tuple[str, object]:
    """A live request's URI and body as a cassette stores them, for matching it on replay: the
    request side of :func:`redact_interaction`, user callables included (they get the request's
    headers and an empty 200 response beside it); ``headers`` (values as text or lists) decide
    how the body is read, e.g. as a form. A body that is not UTF-8 text is passed through as is."""
    redactor = Redactor(rules)
    uri = redactor.uri(uri)
    as_lists: Headers = {
        name: [values] if isinstance(values, str) else list(values)
        for name, values in (headers or {}).items()
    }
    if isinstance(body, bytes | bytearray):
        with contextlib.suppress(UnicodeDecodeError):
            body = bytes(body).decode("utf-8")
    if rules.callables:
        request = {"method": method, "uri": uri, "body": body, "headers": as_lists}
        response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": ""}}
        request = _run_callables({"request": request, "response": response}, rules)["request"]
        uri, body, as_lists = redactor.uri(request["uri"]), request.get("body"), request["headers"]
    return uri, redactor.body(body, as_lists) if isinstance(body, str) else body


def request_credentials(interaction: Interaction, rules: RedactionRules) -> list[tuple[str, str]]:
    """(rule label, value) of every value a credential rule (header, query parameter or body path,
    built in or the user's) redacts in the request the client sent, long and specific enough to
    be looked for anywhere: a server that echoes one is caught wherever the echo is."""
    request = interaction["request"]
    found: list[tuple[str, str]] = []
    redactor = Redactor(rules, found=found)
    redactor.uri(request["uri"])
    headers = request.get("headers") or {}
    redactor.headers(headers, "request")
    body = request.get("body")
    if isinstance(body, bytes):
        with contextlib.suppress(UndecodableBodyError, UnicodeDecodeError):
            encoding = ", ".join(header_values(headers, "content-encoding"))
            body = decode_body(body, encoding).decode("utf-8")
    if isinstance(body, str):
        redactor.body(body, headers)
    return [
        (label, part)
        for label, value in dict.fromkeys(found)
        # the cookies a client sends are its session, which a server may echo (learned from the
        # request only: a response's set-cookie is fresh on every page and would grow the rules)
        for part in (cookie_values(value) if label == "cookie" else credential_parts(value))
        if is_learnable(part) and not PLACEHOLDER_RE.search(part)  # a replayed placeholder sent back
    ]


def _run_callables(interaction: dict[str, Any], rules: RedactionRules) -> dict[str, Any]:
    for func in rules.callables:
        result = func(cast(Interaction, interaction))
        problem = _callable_result_problem(result)
        if problem:
            name = getattr(func, "__qualname__", None) or repr(func)
            module = getattr(func, "__module__", None)
            raise ConfigError(
                f"redact_callables: {module + '.' if module else ''}{name} returned {problem}; a redaction "
                "callable must return the interaction it was given (changed in place, or a new one)",
                option="redact_callables",
            )
        interaction = cast(dict[str, Any], result)
    return interaction


def _callable_result_problem(result: object) -> str | None:
    """What is wrong with a user callable's result, in words (its type, never its values)."""
    if not isinstance(result, dict):
        return (
            "None (a function that forgot `return interaction`?)"
            if result is None
            else f"a {type(result).__name__}"
        )
    request, response = result.get("request"), result.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "a mapping without 'request' and 'response' mappings"
    if not isinstance(request.get("uri"), str) or not isinstance(request.get("method"), str):
        return "a request whose 'method' or 'uri' is not a string"
    if not isinstance(request.get("headers", {}), dict) or not isinstance(response.get("headers", {}), dict):
        return "headers that are not a mapping"
    return None


def redact_interaction(interaction: Interaction, rules: RedactionRules) -> Interaction:
    """A new interaction, bodies decoded and every rule applied; the input is not modified.

    User callables run after decoding and before the built-in rules, so they see clear bodies
    and their output still goes through the patterns. Raises UndecodableBodyError for a body
    that cannot be inspected unless ``rules.allow_undecodable``.
    """
    redactor = Redactor(rules)
    result = cast(dict[str, Any], copy.deepcopy(interaction))
    request, response = result["request"], result["response"]
    request["uri"] = redactor.uri(request["uri"])
    where = f"{request.get('method', '?')} {request['uri']}"
    request["body"] = _decoded(request.get("body"), request["headers"], f"{where} (request body)", rules)
    if "body" in response:
        response["body"]["string"] = _decoded(
            response["body"].get("string"), response["headers"], f"{where} (response body)", rules
        )
    result = _run_callables(result, rules)
    request, response = result["request"], result["response"]
    request["uri"] = redactor.uri(request["uri"])
    request["headers"] = redactor.headers(request["headers"], "request")
    request["body"] = redactor.body(request.get("body"), request["headers"])
    answer = Redactor(rules, rules.learned)
    response["headers"] = answer.headers(response["headers"], "response")
    if "body" in response:
        response["body"]["string"] = answer.body(response["body"].get("string"), response["headers"])
    _fix_content_length(request, _body_of(interaction["request"]))
    _fix_content_length(response, _body_of(interaction["response"]))
    return cast(Interaction, result)


def _body_of(part: Any) -> Any:
    body = part.get("body")
    return body.get("string") if isinstance(body, dict) else body


def _decoded(
    body: str | bytes | None, headers: Headers, where: str, rules: RedactionRules
) -> str | bytes | None:
    """The body as text; drops the content-encoding header (in place) once the body is decoded."""
    if not isinstance(body, bytes) or not body:
        return body
    encoding = ", ".join(header_values(headers, "content-encoding"))
    try:
        data = decode_body(body, encoding)
    except UndecodableBodyError as exc:
        if rules.allow_undecodable:
            return body
        raise UndecodableBodyError(
            f"{where}: {exc}, so it cannot be checked for secrets and nothing was written; {_HOW_TO_ALLOW}",
            request=where,
        ) from None
    _drop_header(headers, "content-encoding")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary: kept as bytes, checked by the gate as bytes and as the texts they hold


def _drop_header(headers: Headers, name: str) -> None:
    for key in [key for key in headers if key.lower() == name]:
        del headers[key]


def _fix_content_length(part: dict[str, Any], original: Any) -> None:
    """content-length must describe the stored (decoded, redacted) body, or clients truncate it."""
    body = _body_of(part)
    if body == original or not isinstance(body, str | bytes):
        return
    length = str(len(body.encode("utf-8") if isinstance(body, str) else body))
    headers = part["headers"]
    for key in headers:
        if key.lower() == "content-length":
            headers[key] = length if isinstance(headers[key], str) else [length]
