"""Hand-edited, truncated and hostile files load into one clear error naming the file, fast."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from support.files import cassette_yaml
from support.hostile import cassette, interaction

from pytest_convreplay.errors import CassetteError, ConvreplayError, SnapshotError
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.snapshots import read_snapshots

TIME_LIMIT = 2.0


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
    "empty": (b"", "expected a mapping with 'version' and 'interactions'"),
    "not a mapping": (b"- just\n- a list\n", "expected a mapping with 'version' and 'interactions'"),
    "wrong version": (cassette(version=2), "cassette format version 2 is not supported"),
    "missing version": (VALID.replace(b"version: 1\n", b""), "cassette format version None is not supported"),
    "missing interactions": (b"version: 1\n", "'interactions' must be a list"),
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


def refused_quickly(load: Callable[[], object], error: type[ConvreplayError]) -> tuple[str, float]:
    """The message of the one error ``load`` raises, and how long it took to raise it."""
    started = time.perf_counter()
    with pytest.raises(error) as raised:
        load()
    return str(raised.value), time.perf_counter() - started


@pytest.mark.parametrize(("content", "problem"), CASSETTE_CORPUS.values(), ids=CASSETTE_CORPUS.keys())
def test_malformed_cassette_gives_one_clear_error_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    message, seconds = refused_quickly(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "re-record it with --convreplay-record-mode=all, or fix or delete the file" in message
    assert seconds < TIME_LIMIT


def test_a_100_mb_cassette_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    sparse(path, VALID)
    message, seconds = refused_quickly(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: the file is 100.0 MiB, over the 64 MiB limit")
    assert "max_cassette_bytes" in message
    assert seconds < TIME_LIMIT


def test_a_flood_of_tiny_nodes_is_stopped_by_the_node_budget(tmp_path: Path) -> None:
    path = tmp_path / "flood.yaml"
    path.write_text("version: 1\ninteractions: [" + "0," * 500_000 + "0]\n")
    message, seconds = refused_quickly(lambda: load_cassette(path, max_nodes=100_000), CassetteError)
    assert message.startswith(f"{path}: holds more than 100,000 YAML nodes")
    assert seconds < TIME_LIMIT


def test_an_unreadable_cassette_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    message, _ = refused_quickly(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: cannot be read")


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


@pytest.mark.parametrize("content", SNAPSHOT_CORPUS.values(), ids=SNAPSHOT_CORPUS.keys())
def test_malformed_snapshot_gives_one_clear_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "test_x.snapshot.yaml"
    path.write_bytes(content)
    message, seconds = refused_quickly(lambda: read_snapshots(path), SnapshotError)
    assert message.startswith(f"{path}: ")
    assert seconds < TIME_LIMIT


def test_a_100_mb_snapshot_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "test_x.snapshot.yaml"
    sparse(path, VALID_SNAPSHOT)
    message, seconds = refused_quickly(lambda: read_snapshots(path), SnapshotError)
    assert message.startswith(f"{path}: the file is 100.0 MiB, over the 64 MiB a snapshot may hold")
    assert seconds < TIME_LIMIT


def test_objects_shared_between_interactions_are_written_in_full_not_as_aliases(tmp_path: Path) -> None:
    shared = interaction()
    path = tmp_path / "shared.yaml"
    path.write_text(cassette_yaml(cast(list[Interaction], [shared, shared]), {}))
    assert load_cassette(path).interactions == [shared, shared]
