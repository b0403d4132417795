"""The adversarial corpus's machinery: a loopback server that answers what an attacker needs, and an
oracle that finds a secret on disk or in output in any form, decoded and normalized.

The oracle is written independently of the plugin's gate (it decodes every base64 run it sees,
loads every YAML file, joins every streamed piece), so a form the gate forgot is still a failure.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import brotli  # type: ignore[import-untyped]
import yaml
import zstandard


@dataclass(frozen=True)
class Answer:
    """What the server answers on one path (any method)."""

    body: str | bytes = '{"object": "list", "data": [], "has_more": false}'
    status: int = 200
    headers: Sequence[tuple[str, str]] = (("content-type", "application/json"),)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class AttackServer:
    """A loopback HTTP server answering each path (a forward proxy's absolute URIs too) as told."""

    answers: Mapping[str, Answer] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> AttackServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                path = urlsplit(self.path).path
                server.received.append(
                    Received(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                )
                answer = server.answers.get(path) or server.answers.get("*") or Answer(status=404)
                body = answer.body.encode() if isinstance(answer.body, str) else answer.body
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- the oracle ---------------------------------------------------------------------------------

_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")
_WRAPPING = re.compile(r"(?:\s|\\[rn])+")


def _text_forms(secret: str) -> set[str]:
    """Forms searched in text, lower-cased (so hex and URL-escape case and header-name case fold)."""
    once = quote(secret, safe="")
    escaped = secret.encode("unicode_escape").decode("ascii")  # pytest's form in a test id
    forms = {
        secret,
        once,
        quote(once, safe=""),
        quote(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        secret.encode().hex(),
        escaped,
        escaped.replace("\\", "_"),  # ... as a file name shows it
    }
    return {form.lower() for form in forms}


def _decoded_runs(text: str) -> Iterator[bytes]:
    """Every base64 or base64url run in the text (line wrapping removed), decoded at each alignment."""
    for run in _BASE64_RUN.findall(_WRAPPING.sub("", text)):
        standard = run.rstrip("=").translate(str.maketrans("-_", "+/"))
        for skip in range(4):
            piece = standard[skip:]
            try:
                yield base64.b64decode(piece + "=" * (-len(piece) % 4))
            except (binascii.Error, ValueError):
                continue


def _streamed_joins(value: Any) -> Iterator[str]:
    """Every streamed text piece of an event-stream body joined, in order, per field name."""
    if not isinstance(value, str) or "data:" not in value:
        return
    pieces: dict[str, list[str]] = {}
    for line in re.split(r"\r\n|\r|\n", value):
        if line.startswith("data:"):
            try:
                event = json.loads(line[5:])
            except ValueError:
                continue
            for key, text in _leaves(event):
                pieces.setdefault(key, []).append(text)
    yield from ("".join(texts) for texts in pieces.values())


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _leaves(inner, str(inner_key))
    elif isinstance(value, list):
        for inner in value:
            yield from _leaves(inner, key)


def _strings(value: Any) -> Iterator[str | bytes]:
    """Every string and bytes value of loaded data, JSON inside strings and streams included."""
    if isinstance(value, bytes):
        yield value
    elif isinstance(value, str):
        yield value
        yield from _streamed_joins(value)
        try:
            nested = json.loads(value.lstrip("\ufeff"))
        except ValueError:
            return
        if isinstance(nested, dict | list | str) and nested != value:
            yield from _strings(nested)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def found_in_text(secret: str, text: str) -> bool:
    """Whether ``secret`` is in ``text`` in any form, decoded and normalized."""
    normalized = unicodedata.normalize("NFKC", text).lower()
    unwrapped = _WRAPPING.sub("", normalized)
    if any(form in normalized or form in unwrapped for form in _text_forms(secret)):
        return True
    raw = secret.encode()
    return any(raw in decoded for decoded in _decoded_runs(text))


def _found_in_loaded(secret: str, text: str) -> bool:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        try:
            data = json.loads(text)
        except ValueError:
            return False
    raw = secret.encode()
    for value in _strings(data):
        if isinstance(value, bytes):
            for data_ in (value, *_decompressed(value)):
                if raw in data_ or any(raw in decoded for decoded in _decoded_runs(data_.decode("latin-1"))):
                    return True
        elif found_in_text(secret, value):
            return True
    return False


def _decompressed(data: bytes) -> Iterator[bytes]:
    """What ``data`` holds when it is a compressed file (gzip, zlib, brotli, zstd): each decoder is
    simply tried, as a reader with every tool at hand would."""
    decoders: tuple[Callable[[bytes], bytes], ...] = (
        lambda blob: zlib.decompressobj(wbits=47).decompress(blob),
        brotli.decompress,
        lambda blob: zstandard.ZstdDecompressor().stream_reader(blob, read_across_frames=True).read(),
    )
    for decode in decoders:
        try:
            yield decode(data)
        except Exception:
            continue


_NODE_ID = re.compile(r"test_attack\[[^\]\n]*\]")
"""A parametrized test's id: the user's own text, which pytest itself prints and caches."""
_NODE_ID_FILES = ("nodeids", "lastfailed", "report.xml")


def leaks(secrets: Sequence[str], root: Path, output: str, *, inputs: Sequence[str] = ()) -> list[str]:
    """Where any of ``secrets`` shows: a file or folder name under ``root``, a file's text or
    loaded data, or ``output`` (the run's terminal text). Empty means no leak. The suite's own
    files (its tests, its pyproject.toml) and the given ``inputs`` hold secrets on purpose."""
    found: list[str] = []
    output = _NODE_ID.sub("test_attack[<id>]", output)
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        own = path.suffix in (".py", ".pyc") or path.name == "pyproject.toml" or "__pycache__" in relative
        if path.is_dir() or own or relative in inputs:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name in _NODE_ID_FILES:
            text = _NODE_ID.sub("test_attack[<id>]", text)
        for secret in secrets:
            if found_in_text(secret, relative):
                found.append(f"file name {relative}")
            if found_in_text(secret, text) or _found_in_loaded(secret, text):
                found.append(f"contents of {relative}")
    for secret in secrets:
        if found_in_text(secret, output):
            found.append("output")
    return found


def sse(*events: Mapping[str, Any], newline: str = "\n") -> str:
    """An event-stream body of JSON ``events``, lines ended by ``newline`` (CR, LF or CRLF)."""
    return "".join(f"data: {json.dumps(event)}{newline}{newline}" for event in events) + (
        f"data: [DONE]{newline}{newline}"
    )


def split(secret: str, parts: int) -> list[str]:
    """``secret`` in ``parts`` pieces, none of which a pattern can recognise on its own."""
    size = -(-len(secret) // parts)
    return [secret[i : i + size] for i in range(0, len(secret), size)]


Check = Callable[[Path, str], None]
