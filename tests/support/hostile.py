"""Hostile cassettes and snapshot files: their building blocks, and the malformed corpus the loaders,
the CLI and the fuzz targets' seeds share (name -> content, and a phrase the error must contain)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
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


HUNDRED_MB = 100 * 1024 * 1024


def laughs_bomb() -> bytes:
    """The billion laughs: nine levels of nine aliases, 9**9 'lol's once expanded."""
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{n}: &lol{n} [" + ",".join([f"*lol{n - 1}"] * 9) + "]" for n in range(1, 10)]
    return ("version: 1\n" + "\n".join(lines) + "\ninteractions: *lol9\n").encode()


def scalar_alias_bomb() -> bytes:
    """One 1 MB body used by 1,000 interactions: small on disk, 1 GB for every pass over bodies."""
    request = "{method: GET, uri: 'https://a/v1/x'}"
    item = f"- {{request: {request}, response: {{status: {{code: 200}}, body: {{string: *b}}}}}}"
    return (f"version: 1\nbody: &b {'x' * 1_000_000}\ninteractions:\n" + "\n".join([item] * 1_000)).encode()


def merge_key_bomb() -> bytes:
    lines = ["m0: &m0 {k0: 1, k1: 2, k2: 3}"]
    lines += [f"m{n}: &m{n} {{<<: [" + ",".join([f"*m{n - 1}"] * 9) + "]}" for n in range(1, 12)]
    return ("version: 1\ninteractions: []\n" + "\n".join(lines)).encode()


def _text(value: str) -> bytes:
    return textwrap.dedent(value).encode()


def sparse(path: Path, head: bytes) -> None:
    """A 100 MB file in an instant: the head, then a hole the filesystem does not store."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(HUNDRED_MB)


VALID = cassette()


# name -> (file content, a phrase the error must contain)
CASSETTE_CORPUS: dict[str, tuple[bytes, str]] = {
    "truncated": (VALID[: VALID.index(b"has_more")], "invalid YAML at line"),
    "empty": (b"", "not a cassette: the file is empty; a cassette is a mapping with 'version: 1'"),
    "not a mapping": (b"- just\n- a list\n", "not a cassette: the file holds a list, not a mapping"),
    "wrong version": (cassette(version=2), "cassette format version 2 is not supported"),
    "missing version": (
        VALID.replace(b"version: 1\n", b""),
        "not a cassette: it has 'interactions' but no 'version'",
    ),
    "another file": (
        b'{"name": "x", "dependencies": {}}',
        "not a cassette: it has no 'interactions' and no 'version'",
    ),
    "missing interactions": (b"version: 1\n", "not a cassette: it has no 'interactions';"),
    "interactions is a mapping": (b"version: 1\ninteractions: {a: 1}\n", "'interactions' must be a list"),
    "missing response": (
        _text("""\
        version: 1
        interactions:
        - request: {method: GET, uri: 'https://a/v1/x'}
        """),
        "interaction 0: missing 'request' or 'response'",
    ),
    "status code is text": (cassette(interaction(code="200")), "response.status.code must be an HTTP status"),
    "status code out of range": (
        cassette(interaction(code=7)),
        "response.status.code must be an HTTP status",
    ),
    "headers not lists": (
        cassette(interaction(headers={"a": "b"})),
        "response.headers must map names to lists",
    ),
    "header value a number": (
        cassette(interaction(headers={"a": [1]})),
        "response.headers must map names to lists",
    ),
    "body a number": (
        VALID.replace(b"string: '{", b"string: 12\n      x: '{"),
        "response.body.string must be text",
    ),
    "metadata a list": (VALID + b"metadata: [1]\n", "'metadata' must be a mapping"),
    "not UTF-8": (b"version: 1\ninteractions: []\n# caf\xe9\n", "not UTF-8 text (byte 33 is invalid)"),
    "NUL byte": (b"version: 1\ninteractions: []\nx: \x00\n", "character U+0000 is not allowed"),
    "tab indentation": (b"version: 1\n\tinteractions: []\n", "invalid YAML at line 2"),
    "python object tag": (b"!!python/object/apply:os.system ['echo pwned']\n", "builds objects"),
    "deep nesting": (b"[" * 100_000, "invalid YAML"),
    "billion laughs": (laughs_bomb(), "a second time through an alias"),
    "scalar alias bomb": (scalar_alias_bomb(), "a second time through an alias"),
    "merge key bomb": (merge_key_bomb(), "merge key (<<)"),
    "recursive alias": (b"version: 1\ninteractions: &a [*a]\n", "a second time through an alias"),
    "impossible month": (
        VALID + b"metadata: {recorded_at: 2024-13-45}\n",
        "the value '2024-13-45' is not a valid timestamp (month must be in 1..12)",
    ),
    "february 30": (VALID + b"metadata: {recorded_at: 2024-02-30}\n", "not a valid timestamp"),
    "time zone beyond a day": (VALID + b"metadata: {at: 2001-12-14t21:59:43+99:99}\n", "valid timestamp"),
    "int tag on text": (VALID + b"metadata: {n: !!int abc}\n", "the value 'abc' is not a valid int"),
    "float tag on text": (VALID + b"metadata: {n: !!float abc}\n", "the value 'abc' is not a valid float"),
    "float tag on nothing": (VALID + b"metadata: {n: !!float ''}\n", "the value '' is not a valid float"),
    "bool tag on maybe": (VALID + b"metadata: {n: !!bool maybe}\n", "the value 'maybe' is not a valid bool"),
    "timestamp tag on text": (VALID + b"metadata: {n: !!timestamp nope}\n", "is not a valid timestamp"),
    "integer over 4,300 digits": (VALID + b"metadata: {n: " + b"9" * 4301 + b"}\n", "more than 4,300 digits"),
    "hex integer over 4,300 digits": (VALID + b"metadata: {n: 0x" + b"f" * 4000 + b"}\n", "4,300 digits"),
    "sexagesimal integer flood": (VALID + b"metadata: {n: 1" + b":1" * 100_000 + b"}\n", "4,300 digits"),
    "set tag": (
        VALID + b"metadata: {n: !!set {a, b}}\n",
        "the tag 'tag:yaml.org,2002:set' is not plain data",
    ),
    "ordered map tag": (VALID + b"metadata: {n: !!omap [a: 1]}\n", "is not plain data"),
    "uri with an unclosed IPv6 host": (
        VALID.replace(b"https://api.openai.com", b"http://[::1"),
        "interaction 0: request.uri is not a valid URL (Invalid IPv6 URL)",
    ),
    "header name a number": (cassette(interaction(headers={1: ["a"]})), "headers must map names to lists"),
    "nested 200 levels": (VALID + b"metadata: {n: " + b"[" * 200 + b"]" * 200 + b"}\n", "levels deep"),
    "nested 5,000 levels": (VALID + b"metadata: " + b"[" * 5000 + b"]" * 5000 + b"\n", "invalid YAML"),
}


VALID_SNAPSHOT = b"version: 1\nsnapshots:\n  items:\n  - {id: msg_1, type: message}\n"


SNAPSHOT_CORPUS: dict[str, bytes] = {
    "truncated": VALID_SNAPSHOT[:-12],
    "empty": b"",
    "wrong version": VALID_SNAPSHOT.replace(b"version: 1", b"version: 9"),
    "snapshots a list": b"version: 1\nsnapshots: [1, 2]\n",
    "items without a type": b"version: 1\nsnapshots:\n  items:\n  - {id: msg_1}\n",
    "not UTF-8": VALID_SNAPSHOT + b"# caf\xe9\n",
    "python object tag": b"!!python/object/apply:os.system ['echo pwned']\n",
    "billion laughs": laughs_bomb().replace(b"interactions: *lol9", b"snapshots: {items: *lol9}"),
    "impossible date": VALID_SNAPSHOT.replace(b"type: message}", b"type: message, at: 2024-02-30}"),
    "bool tag on maybe": VALID_SNAPSHOT.replace(b"type: message}", b"type: message, ok: !!bool maybe}"),
    "timestamp tag on text": VALID_SNAPSHOT.replace(b"type: message}", b"type: message, at: !!timestamp x}"),
    "integer over 4,300 digits": VALID_SNAPSHOT.replace(b"msg_1", b"9" * 5000),
    "set tag": VALID_SNAPSHOT.replace(b"type: message}", b"type: message, s: !!set {a}}"),
    "nested 5,000 levels": VALID_SNAPSHOT.replace(
        b"type: message}", b"type: message, n: " + b"[" * 5000 + b"]" * 5000 + b"}"
    ),
}


DEEP_JSON = "[" * 3000 + "]" * 3000
"""Nested beyond Python's recursion limit: the json module refuses it with RecursionError."""


def _answering(body: str, *, uri: str = "https://api.openai.com/v1/conversations/c/items") -> bytes:
    exchange = interaction()
    exchange["request"]["uri"] = uri
    exchange["response"]["body"]["string"] = body
    return cassette(exchange)


def _message_page(content: str) -> str:
    item = {"id": "msg_1", "type": "message", "role": "assistant", "content": content}
    return json.dumps(
        {"object": "list", "data": [item], "first_id": "msg_1", "last_id": "msg_1", "has_more": False}
    )


def _posting(body: str) -> bytes:
    exchange = interaction()
    exchange["request"].update(method="POST", uri="https://api.openai.com/v1/responses", body=body)
    return cassette(exchange)


# name -> a cassette that loads, whose content stresses every later stage (file name suffix first)
HOSTILE_CONTENT: dict[str, tuple[str, bytes]] = {
    "items page nested 3,000 deep": (".yaml", _answering(DEEP_JSON)),
    "file body nested 3,000 deep": (".yaml", _answering(DEEP_JSON, uri="https://api.openai.com/v1/files")),
    "request body nested 3,000 deep": (".yaml", _posting(DEEP_JSON)),
    "message holding JSON nested 3,000 deep": (".yaml", _answering(_message_page(DEEP_JSON))),
    "lone surrogate escape beside a secret": (
        ".yaml",
        _answering(_message_page("x\\ud800 sk-proj-" + "A1b2" * 12).replace("\\\\ud800", "\\ud800")),
    ),
    "text that only looks like a URL": (".yaml", _answering(_message_page("see https://[your-domain]/v1"))),
    "a port out of range": (".yaml", VALID.replace(b"https://api.openai.com", b"http://h:99999999")),
    "base_urls not a list": (
        ".yaml",
        VALID + b"metadata: {recorded_at: '2024-01-01T00:00:00+00:00', base_urls: 5}\n",
    ),
    "JSON cassette nested 3,000 deep": (
        ".json",
        ('{"version": 1, "interactions": [], "metadata": ' + DEEP_JSON + "}").encode(),
    ),
    "JSON cassette with a header value a number": (
        ".json",
        json.dumps({"version": 1, "interactions": [interaction(headers={"a": [1]})]}).encode(),
    ),
}
