"""Building blocks of hostile cassettes."""

from __future__ import annotations

from typing import Any, cast

from pytest_convreplay.model.interactions import Interaction
from support.files import cassette_yaml


def interaction(code: object = 200, headers: object = None) -> dict[str, Any]:
    """One items-list exchange; ``code`` and ``headers`` take wrong types on purpose."""
    return {
        "request": {
            "method": "GET",
            "uri": "https://api.openai.com/v1/conversations/c/items",
            "body": None,
            "headers": {"accept": ["application/json"]},
        },
        "response": {
            "status": {"code": code, "message": "OK"},
            "headers": headers or {},
            "body": {"string": '{"object": "list", "data": [], "has_more": false}'},
        },
    }


def cassette(*interactions: dict[str, Any], version: object = 1) -> bytes:
    text = cassette_yaml(cast(list[Interaction], list(interactions) or [interaction()]), {})
    return text.replace("version: 1", f"version: {version}", 1).encode()
