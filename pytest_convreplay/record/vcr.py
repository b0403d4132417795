"""vcrpy wiring: a :class:`vcr.cassette.Cassette` subclass driven by the recording engine, and the
interception of httpx and httpx2 (openai 3.x) for the duration of a test.

vcrpy's patchers intercept httpx, httpx2, requests, urllib3 and aiohttp; the fast path answers
httpx/httpx2 replay hits before vcrpy builds its request copies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from vcr.cassette import Cassette
from vcr.patch import CassettePatcherBuilder
from vcr.record_mode import RecordMode as VcrRecordMode

from ..config.settings import RecordMode
from ..errors import shown_path
from ..replay.fastpath import replay_hits_directly
from ..replay.network import block_network
from ..storage.vcr_format import to_interaction
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
        attempt = str(request.headers.get("x-stainless-retry-count", ""))
        self.recording.observe(
            to_interaction(request, response), attempt=int(attempt) if attempt.isdigit() else None
        )

    def _save(self, force: bool = False) -> None:
        self.recording.save()


@contextlib.contextmanager
def use_cassette(recording: Recording) -> Iterator[Recording]:
    """Intercept HTTP for the duration of a test; saving is left to the caller (it knows the outcome)."""
    cassette = ConvreplayCassette(recording)
    with contextlib.ExitStack() as stack:
        for patcher in CassettePatcherBuilder(cassette).build():
            stack.enter_context(patcher)
        stack.enter_context(replay_hits_directly(recording))
        if recording.mode is RecordMode.NONE:
            stack.enter_context(block_network(recording.settings.allowed_hosts, shown_path(recording.path)))
        yield recording
