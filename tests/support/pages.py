"""Recorded items-list traffic as the API sends it: items, list URIs, exchanges, whole paginations."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import yaml
from hypothesis import strategies as st

from pytest_convreplay.model.interactions import Interaction, split_uri
from pytest_convreplay.model.listing import Item, ListQuery, list_page

T = TypeVar("T")


CID = "conv_1"


BASE = "https://api.openai.com/v1"


def message(number: int) -> Item:
    return {
        "id": f"msg_{number:04d}",
        "type": "message",
        "role": "user" if number % 2 else "assistant",
        "status": "completed",
        "content": [{"type": "input_text", "text": f"turn {number}"}],
    }


def reasoning(number: int) -> Item:
    return {"id": f"rs_{number:04d}", "type": "reasoning", "summary": [], "encrypted_content": "gAAA"}


def conversation(count: int) -> list[Item]:
    return [reasoning(n) if n % 5 == 4 else message(n) for n in range(count)]


def list_uri(cid: str, *, after: str | None = None, base: str = BASE, **params: Any) -> str:
    pairs: list[tuple[str, str]] = [(k, str(v)) for k, v in params.items() if k != "include"]
    pairs += [("include[]", value) for value in params.get("include", ())]
    if after is not None:
        pairs.append(("after", after))
    return f"{base}/conversations/{cid}/items" + (f"?{urlencode(pairs)}" if pairs else "")


def exchange(
    uri: str, body: Any, status: int = 200, method: str = "GET", sent: str | None = None
) -> Interaction:
    return {
        "request": {"method": method, "uri": uri, "body": sent, "headers": {}},
        "response": {
            "status": {"code": status, "message": "OK" if status < 400 else "Error"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": body if isinstance(body, str) else json.dumps(body)},
        },
    }


def walk(
    items: Sequence[Item], cid: str = CID, *, stop_after: int | None = None, **params: Any
) -> list[Interaction]:
    """What the openai SDK's auto-pagination records: all params repeated, plus ``after``."""
    query = ListQuery.from_pairs(split_uri(list_uri(cid, **params))[1])
    recorded: list[Interaction] = []
    after: str | None = None
    while True:
        envelope = list_page(items, ListQuery(after, query.limit, query.order, query.include))
        recorded.append(exchange(list_uri(cid, after=after, **params), envelope))
        if not envelope["has_more"] or len(recorded) == stop_after:
            return recorded
        after = envelope["last_id"]


sizes = st.integers(min_value=0, max_value=250)


limits = st.integers(min_value=1, max_value=100)


orders = st.sampled_from(["asc", "desc"])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_cassette(path: Path) -> list[Interaction]:
    """vcrpy's YAML as on-disk ``Interaction``s, bodies decoded to text."""
    raw = yaml.safe_load(path.read_text())
    return [
        {
            "request": {
                "method": entry["request"]["method"],
                "uri": entry["request"]["uri"],
                "body": None if entry["request"]["body"] is None else _text(entry["request"]["body"]),
                "headers": entry["request"]["headers"],
            },
            "response": {
                "status": entry["response"]["status"],
                "headers": entry["response"]["headers"],
                "body": {"string": _text(entry["response"]["body"]["string"])},
            },
        }
        for entry in raw["interactions"]
    ]


def record(cassette: Path, client_code: Callable[[], T]) -> tuple[T, list[Interaction]]:
    """Run ``client_code`` against the live server with vcrpy recording what crosses the wire."""
    import vcr

    with vcr.VCR().use_cassette(str(cassette), record_mode="all"):
        result = client_code()
    return result, read_cassette(cassette)
