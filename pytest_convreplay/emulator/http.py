"""The emulator's HTTP side: HTTP/1.1 keep-alive, compression, and the headers the real API sends."""

from __future__ import annotations

import contextlib
import gzip
import importlib
import json
import secrets
import time
import zlib
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from .inputs import ReceivedRequest


class Api(Protocol):
    """What the HTTP side needs from the emulator's state."""

    organization: str
    project: str

    @property
    def compress(self) -> str | None: ...

    def handle(self, request: ReceivedRequest, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]: ...


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    """Content codings the emulator can answer in: gzip and deflate always, br and zstd when
    ``brotli`` / ``zstandard`` are installed (the same optional libraries httpx decodes them with)."""
    found: dict[str, Callable[[bytes], bytes]] = {
        "gzip": lambda data: gzip.compress(data, mtime=0),
        "deflate": zlib.compress,
    }
    with contextlib.suppress(ImportError):
        found["br"] = importlib.import_module("brotli").compress
    with contextlib.suppress(ImportError):
        zstandard = importlib.import_module("zstandard")  # a compressor object is not thread-safe
        found["zstd"] = lambda data: zstandard.ZstdCompressor().compress(data)
    return found


COMPRESSORS = _compressors()


def _cookies() -> list[str]:
    """Cloudflare cookies shaped like the real ones, fresh per response, for redaction to remove."""
    now = int(time.time())
    expires = formatdate(now + 1800, usegmt=True)
    attrs = "path=/; domain=.api.openai.com; HttpOnly; Secure; SameSite=None"
    cf_bm = f"{secrets.token_urlsafe(32)}-{now}-1.0.1.1-{secrets.token_urlsafe(60)}"
    return [
        f"__cf_bm={cf_bm}; {attrs}; expires={expires}",
        f"_cfuvid={secrets.token_urlsafe(32)}-{now * 1000}-0.0.1.1-604800000; {attrs}",
    ]


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Api
    ) -> None:
        self.emulator = emulator
        super().__init__(address, handler)


class EmulatorHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with exact Content-Length, so clients keep their pooled connections alive."""

    protocol_version = "HTTP/1.1"
    server_version = "cloudflare"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 60  # idle keep-alive connections end instead of holding a thread forever

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ``emulator.requests`` instead of stderr."""

    def _serve(self) -> None:
        started = time.perf_counter()
        emulator: Api = self.server.emulator  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = ReceivedRequest(
            self.command, url.path, parse_qsl(url.query, keep_blank_values=True), headers
        )
        status, payload, extra = emulator.handle(request, body)
        data = json.dumps(payload, indent=2).encode()
        encoding = self._encoding(emulator.compress, headers.get("accept-encoding", ""))
        if encoding is not None:
            data = COMPRESSORS[encoding](data)
        self.send_response(status)
        for name, value in self._api_headers(emulator, started, encoding).items():
            self.send_header(name, value)
        for name, value in extra.items():
            self.send_header(name, value)
        for cookie in _cookies():
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _encoding(wanted: str | None, accept_encoding: str) -> str | None:
        accepted = {token.split(";")[0].strip().lower() for token in accept_encoding.split(",")}
        return wanted if wanted in accepted else None

    @staticmethod
    def _api_headers(emulator: Api, started: float, encoding: str | None) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "openai-version": "2020-10-01",
            "openai-organization": emulator.organization,
            "openai-project": emulator.project,
            "x-request-id": f"req_{secrets.token_hex(16)}",
            "openai-processing-ms": str(max(1, round((time.perf_counter() - started) * 1000))),
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "x-content-type-options": "nosniff",
            "cf-cache-status": "DYNAMIC",
            "cf-ray": f"{secrets.token_hex(8)}-CDG",
            "alt-svc": 'h3=":443"; ma=86400',
        }
        if encoding:
            headers["content-encoding"] = encoding
        return headers
