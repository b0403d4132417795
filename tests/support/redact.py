"""Exchanges for the redaction tests."""

from __future__ import annotations

import json
from typing import Any

from pytest_convreplay.model.interactions import Interaction

ITEMS_URI = "https://api.openai.com/v1/conversations/conv_123/items"


def make_interaction(
    *,
    uri: str = ITEMS_URI,
    request_headers: dict[str, list[str]] | None = None,
    request_body: str | None = None,
    response_headers: dict[str, list[str]] | None = None,
    body: Any = "",
) -> Interaction:
    return {
        "request": {
            "method": "GET",
            "uri": uri,
            "body": request_body,
            "headers": request_headers or {},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": response_headers or {},
            "body": {"string": body},
        },
    }


def page(*texts: str, **extra: Any) -> dict[str, Any]:
    data = [
        {"id": f"msg_{i}", "type": "message", "content": [{"type": "output_text", "text": text}]}
        for i, text in enumerate(texts)
    ]
    return {
        "object": "list",
        "data": data,
        "first_id": "msg_0",
        "last_id": "msg_0",
        "has_more": False,
        **extra,
    }


def response_json(interaction: Interaction) -> Any:
    return json.loads(interaction["response"]["body"]["string"])
