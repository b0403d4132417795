"""Interception for the duration of a test: httpx and httpx2 (openai 3.x) at their transports, by
:mod:`~pytest_convreplay.replay.fastpath`; every other client vcrpy knows (http.client, requests,
urllib3, aiohttp …) by vcrpy's patchers, driven through a :class:`vcr.cassette.Cassette` subclass
by the recording engine.

vcrpy's builder imports each client library it knows on every cassette, and an import that fails
searches the whole ``sys.path`` each time: the libraries that are not installed are looked up once
per process and skipped, and so are httpx and httpx2, which the fast path intercepts itself.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Iterator
from typing import Any

from vcr.cassette import Cassette
from vcr.patch import CassettePatcherBuilder
from vcr.record_mode import RecordMode as VcrRecordMode

from ..config.settings import RecordMode
from ..errors import shown_path
from ..replay.fastpath import intercept_httpx
from ..replay.network import block_network
from .recording import Recording

_VCR_MODES = {
    RecordMode.NONE: VcrRecordMode.NONE,
    RecordMode.ONCE: VcrRecordMode.ONCE,
    RecordMode.NEW_EPISODES: VcrRecordMode.NEW_EPISODES,
    RecordMode.ALL: VcrRecordMode.ALL,
}


class ConvreplayCassette(Cassette):  # type: ignore[misc]
    """vcrpy's cassette with this plugin's matching, recording hooks and save pipeline."""

    def __init__(self, recording: Recording) -> None:
        super().__init__(path=str(recording.path), record_mode=_VCR_MODES[recording.mode])
        self.recording = recording
        self.rewound = recording.existed
        self.skip_patchers = skipped_patchers()

    def _load(self) -> None:  # the Recording has loaded and validated the file already
        return None

    @property
    def write_protected(self) -> bool:
        return self.recording.write_protected

    def can_play_response_for(self, request: Any) -> bool:
        __tracebackhide__ = True  # the plugin's frames (and their locals) stay out of tracebacks
        return self.recording.can_answer(request.method, request.uri, request.body, request.headers)

    def play_response(self, request: Any) -> dict[str, Any]:
        __tracebackhide__ = True  # the plugin's frames (and their locals) stay out of tracebacks
        response = self.recording.answer(request.method, request.uri, request.body, request.headers)
        if response is None:
            raise self.recording.refuse(request.method, request.uri, request.body, request.headers)
        return response

    def filter_request(self, request: Any) -> Any:
        """vcrpy asks this right before refusing a request in a write-protected cassette."""
        __tracebackhide__ = True
        if self.recording.write_protected:
            raise self.recording.refuse(request.method, request.uri, request.body, request.headers)
        return request

    def append(self, request: Any, response: dict[str, Any]) -> None:
        __tracebackhide__ = True  # the plugin's frames (and their locals) stay out of tracebacks
        self.recording.record_live(request, response)

    def _save(self, force: bool = False) -> None:
        self.recording.save()


_PATCHER_LIBRARIES = {
    "requests": "requests",
    "boto3": "botocore",
    "urllib3": "urllib3",
    "httplib2": "httplib2",
    "tornado": "tornado",
    "aiohttp": "aiohttp",
}
"""vcrpy's patcher groups (``vcr.patch.PATCHER_NAMES``) and the library each needs."""


@functools.cache
def skipped_patchers() -> tuple[str, ...]:
    """The patcher groups vcrpy need not build: httpx and httpx2 (intercepted by the fast path) and
    those whose library is not installed (looked up once per process)."""
    absent = [
        group for group, library in _PATCHER_LIBRARIES.items() if importlib.util.find_spec(library) is None
    ]
    return ("httpx", "httpx2", *absent)


@contextlib.contextmanager
def use_cassette(recording: Recording) -> Iterator[Recording]:
    """Intercept HTTP for the duration of a test; saving is left to the caller (it knows the outcome)."""
    cassette = ConvreplayCassette(recording)
    with contextlib.ExitStack() as stack:
        # First, so that a vcrpy too old to skip httpx patches over it and serves those requests itself.
        stack.enter_context(intercept_httpx(recording))
        for patcher in CassettePatcherBuilder(cassette).build():
            stack.enter_context(patcher)
        if recording.mode is RecordMode.NONE:
            stack.enter_context(block_network(recording.settings.allowed_hosts, shown_path(recording.path)))
        yield recording
