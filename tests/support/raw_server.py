"""A loopback server that sends exactly the bytes a test gives it: status line, headers and body.

Real servers send what no well-behaved one would: reason phrases and header values that are not
ASCII, JSON nested thousands deep, text that only looks like a URL. ``http.server`` would encode
(and refuse) some of that, so the answer is written to the socket as raw bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class RawAnswer:
    body: bytes
    status: bytes = b"200 OK"
    headers: list[tuple[bytes, bytes]] = field(
        default_factory=lambda: [(b"content-type", b"application/json")]
    )

    def wire(self) -> bytes:
        lines = [b"HTTP/1.1 " + self.status, *(name + b": " + value for name, value in self.headers)]
        lines += [b"content-length: " + str(len(self.body)).encode(), b"connection: close"]
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


class _Handler(BaseHTTPRequestHandler):
    server: RawServer

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.wfile.write(self.server.answer.wire())
        self.close_connection = True

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class RawServer(ThreadingHTTPServer):
    def __init__(self, answer: RawAnswer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1"


@contextmanager
def raw_server(answer: RawAnswer) -> Iterator[RawServer]:
    """A running server answering every request with ``answer``; stopped on exit."""
    server = RawServer(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
