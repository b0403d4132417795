"""A small loopback stand-in for the OpenAI endpoints the emulator does not serve: file uploads,
audio, images, streamed responses and chat completions (``text/event-stream``), and lists that
misbehave the way mock servers do. Forms are read with the standard library's ``email`` parser,
not the plugin's, so the two readings are independent."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

STREAMED_WORDS = ["Hel", "lo", ", ", "wor", "ld", "!"]


def form_parts(content_type: str, body: bytes) -> list[dict[str, Any]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"content-type: {content_type}\r\n\r\n".encode() + body
    )
    return [
        {
            "name": part.get_param("name", header="content-disposition"),
            "filename": part.get_filename(),
            "bytes": len(part.get_payload(decode=True) or b""),
        }
        for part in message.iter_parts()
    ]


def _response_events() -> Iterator[tuple[str, dict[str, Any]]]:
    response = {"id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress",
                "model": "gpt-test", "output": [], "parallel_tool_calls": True, "tool_choice": "auto",
                "tools": []}  # fmt: skip
    yield "response.created", {"type": "response.created", "sequence_number": 0, "response": response}
    for number, word in enumerate(STREAMED_WORDS, start=1):
        yield "response.output_text.delta", {
            "type": "response.output_text.delta", "sequence_number": number, "item_id": "msg_1",
            "output_index": 0, "content_index": 0, "delta": word, "logprobs": [],
        }  # fmt: skip
    done = {**response, "status": "completed"}
    yield "response.completed", {"type": "response.completed", "sequence_number": 99, "response": done}


def _chat_chunks() -> Iterator[dict[str, Any]]:
    for word in STREAMED_WORDS:
        yield {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
               "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    server: OpenAIStandIn
    protocol_version = "HTTP/1.1"

    def _json(self, payload: object, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, events: Iterator[str]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for event in events:  # one chunk per event, flushed: a real stream, not one body
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def do_GET(self) -> None:
        self.server.hits += 1
        url = urlsplit(self.path)
        after = parse_qs(url.query).get("after", [None])[0]
        if url.path == "/v1/models":
            self._json({"object": "list", "data": [{"id": "gpt-test", "object": "model", "created": 1,
                                                     "owned_by": "test"}]})  # fmt: skip
        elif url.path == "/v1/files":  # like Prism's static mode: the same page, has_more for ever
            page = [{"id": "file-1", "object": "file", "bytes": 1, "created_at": 1, "filename": "a",
                     "purpose": "batch", "status": "processed"}]  # fmt: skip
            self._json({"object": "list", "data": page, "first_id": "file-1", "last_id": "file-1",
                        "has_more": True})  # fmt: skip
        elif url.path.endswith("/items"):  # like Prism's dynamic mode: ids that are not the page's
            number = int((after or "msg_0").removeprefix("msg_")) + 1
            page = [{"type": "message", "id": f"msg_{number}", "status": "completed", "role": "user",
                     "content": [{"type": "input_text", "text": f"turn {number}"}]}]  # fmt: skip
            self._json({"object": "list", "data": page, "first_id": f"random_{number}",
                        "last_id": f"msg_{number}", "has_more": number < 3})  # fmt: skip
        else:
            self._json({"error": {"message": "not here", "type": "invalid_request_error"}}, 404)

    def do_POST(self) -> None:
        self.server.hits += 1
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        content_type = self.headers.get("content-type", "")
        path = urlsplit(self.path).path
        if content_type.startswith("multipart/form-data"):
            parts = form_parts(content_type, body)
            upload = next((part for part in parts if part["filename"]), {"filename": None, "bytes": 0})
            if path == "/v1/files":
                self._json({"id": f"file-{upload['bytes']}", "object": "file", "bytes": upload["bytes"],
                            "created_at": 1, "filename": upload["filename"], "purpose": "batch",
                            "status": "processed"})  # fmt: skip
            elif path == "/v1/audio/transcriptions":
                self._json({"text": f"{upload['bytes']} bytes heard"})
            else:
                self._json({"created": 1, "data": [{"b64_json": "aGk="}]})
            return
        request = json.loads(body or b"{}")
        if path == "/v1/responses" and request.get("stream"):
            self._stream(f"event: {kind}\ndata: {json.dumps(data)}\n\n" for kind, data in _response_events())
        elif path == "/v1/chat/completions" and request.get("stream"):
            chunks = [f"data: {json.dumps(chunk)}\n\n" for chunk in _chat_chunks()]
            self._stream(iter([*chunks, "data: [DONE]\n\n"]))
        elif path == "/v1/responses":
            self._json({"id": "resp_2", "object": "response", "created_at": 1, "status": "completed",
                        "model": "gpt-test", "output": [], "parallel_tool_calls": True,
                        "tool_choice": "auto", "tools": []})  # fmt: skip
        else:
            self._json({"error": {"message": "not here", "type": "invalid_request_error"}}, 404)

    def log_message(self, format: str, *args: object) -> None:
        pass


class OpenAIStandIn(ThreadingHTTPServer):
    """Started with ``with OpenAIStandIn() as api:``; ``api.base_url`` ends in ``/v1``; ``hits``
    counts the requests it answered."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1"

    def __enter__(self) -> OpenAIStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
