"""Conversion between vcrpy's in-memory requests and responses and the cassette's shape.

Headers that change with every run or machine and that no client reads back are left out here,
and a multipart form is stored in its canonical form (boundary and binary parts: see
:mod:`~pytest_convreplay.model.multipart`), so re-recording the same calls gives the same file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.interactions import Headers, Interaction, RecordedRequest, RecordedResponse, header_values
from ..model.multipart import canonical_form


def text_or_bytes(value: object) -> Any:
    """Bodies are stored as text when they are UTF-8, which keeps cassettes reviewable in git."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return value


def _headers_of(raw: object) -> Headers:
    """vcrpy keeps request headers as a case-insensitive str->str map; the file keeps name->[values]."""
    if isinstance(raw, Mapping):
        return {
            str(name): [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for name, value in raw.items()
        }
    return {}


# Headers that change with every run or machine and that no client reads back on replay. They are
# not recorded, so re-recording the same conversation gives the same file (and a smaller one):
# the SDK's x-stainless-* platform headers, transport headers, and the API's timing/edge headers.
VOLATILE_REQUEST_HEADERS = frozenset(
    {"user-agent", "connection", "host", "accept-encoding", "content-length"}
)
VOLATILE_RESPONSE_HEADERS = frozenset(
    {"date", "openai-processing-ms", "cf-ray", "cf-cache-status", "alt-svc", "x-envoy-upstream-service-time"}
)
VOLATILE_PREFIXES = ("x-stainless-",)


def _stable(headers: Headers, volatile: frozenset[str]) -> Headers:
    return {
        name: values
        for name, values in headers.items()
        if name.lower() not in volatile and not name.lower().startswith(VOLATILE_PREFIXES)
    }


def to_interaction(request: Any, response: Mapping[str, Any]) -> Interaction:
    """The on-disk form of a vcrpy ``Request`` and response dict (no secrets removed yet)."""
    body = request.body
    headers = _stable(_headers_of(request.headers), VOLATILE_REQUEST_HEADERS)
    form = canonical_form(body, ", ".join(header_values(headers, "content-type")) or None)
    if form is not None:
        body = form.body
        headers = {
            name: [form.content_type] if name.lower() == "content-type" else values
            for name, values in headers.items()
        }
    recorded_request: RecordedRequest = {
        "method": str(request.method),
        "uri": str(request.uri),
        "body": text_or_bytes(body) if body is not None else None,
        "headers": headers,
    }
    status = response.get("status") or {}
    recorded_response: RecordedResponse = {
        "status": {"code": int(status.get("code", 0)), "message": str(status.get("message") or "")},
        "headers": _stable(_headers_of(response.get("headers") or {}), VOLATILE_RESPONSE_HEADERS),
        "body": {"string": text_or_bytes((response.get("body") or {}).get("string", b""))},
    }
    return {"request": recorded_request, "response": recorded_response}


def response_for_vcr(response: RecordedResponse) -> dict[str, Any]:
    """A response dict as vcrpy's stubs expect it: bytes body, list-valued headers.

    A text body is decoded by definition (recording drops the content-encoding once it decodes
    one), so a content-encoding beside it, from a hand edit, is dropped and content-length made to
    match: the client would otherwise try to gunzip plain text."""
    body: Any = response["body"].get("string", "")
    headers = response.get("headers", {})
    if isinstance(body, str):
        body = body.encode("utf-8")
        if header_values(headers, "content-encoding"):
            headers = {
                name: [str(len(body))] if name.lower() == "content-length" else values
                for name, values in headers.items()
                if name.lower() != "content-encoding"
            }
    return {
        "status": {"code": response["status"]["code"], "message": response["status"].get("message", "")},
        "headers": headers,
        "body": {"string": body},
    }
