"""vcrpy wiring: one cassette per test, record modes, interception of httpx and httpx2.

vcrpy's patchers intercept httpx, httpx2 (openai 3.x), requests, urllib3 and aiohttp; this module
swaps in a :class:`vcr.cassette.Cassette` subclass whose matching is indexed (``replay``), whose
misses fall back to answering items-list requests from complete recorded conversations
(``pagination``), and whose save runs record → redact → check → persist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcr.cassette import Cassette
from vcr.patch import CassettePatcherBuilder
from vcr.record_mode import RecordMode as VcrRecordMode

from . import cassette as files
from .atomic import file_stamp, locked
from .config import Expiry, RecordMode, RepeatPolicy, Settings
from .errors import CassetteError, PaginationError, UnmatchedRequestError, quoted_nodeid, shown_path
from .fastpath import replay_hits_directly
from .interactions import Interaction, RecordedRequest
from .pagination import (
    ChainGuard,
    ConversationRecord,
    Severity,
    check_chains,
    drop_retried_failures,
)
from .pagination import rebuild_conversations as rebuild
from .redact import RedactionRules, redact_interaction, redact_request
from .replay import CassetteIndex, RequestKey, Unmatched, block_network, request_key, unmatched_message
from .reslice import CompleteListings
from .secrets_gate import KnownSecrets, ensure_no_secrets, masked

_VCR_MODES = {
    RecordMode.NONE: VcrRecordMode.NONE,
    RecordMode.ONCE: VcrRecordMode.ONCE,
    RecordMode.NEW_EPISODES: VcrRecordMode.NEW_EPISODES,
    RecordMode.ALL: VcrRecordMode.ALL,
}


class CassetteExpiredWarning(UserWarning):
    """A cassette is older than its ``max_age``; re-record it to see what the live API says now."""


def known_secrets_for(settings: Settings) -> KnownSecrets:
    """The secret values a test's settings name, besides those of the environment."""
    return KnownSecrets.from_env(names=settings.secret_env, values=settings.secrets)


@dataclass(frozen=True, slots=True)
class _Learned:
    """What ``count`` live exchanges taught: known values and rules with learned header values,
    and the exchanges redacted with them."""

    count: int
    known: KnownSecrets
    rules: RedactionRules
    redacted: list[Interaction]  # as written
    shown: list[Interaction]  # as the handle shows them: known values masked too


def rules_for(settings: Settings) -> RedactionRules:
    """The redaction rules a test's settings ask for (defaults plus the user's additions)."""
    return RedactionRules.from_options(
        headers=settings.redact_headers,
        query_params=settings.redact_query_params,
        body_paths=settings.redact_body_paths,
        patterns=settings.redact_patterns,
        callables=settings.redact_callables,
        extend_defaults=settings.redact_defaults,
        allow_undecodable=settings.allow_undecodable,
    )


class Recording:
    """The ``convreplay`` fixture's handle: one test's cassette, what it replayed and recorded.

    ``conversations`` maps each conversation id to its items in chronological order, rebuilt from
    every items-list page the cassette holds (recorded before and during this test).
    """

    def __init__(self, settings: Settings, *, nodeid: str, run_started_ns: int | None = None) -> None:
        self.settings = settings
        self.nodeid = nodeid
        self.run_started_ns = run_started_ns
        self.path: Path = settings.cassette_path
        self.rules = rules_for(settings)
        self.loaded: list[Interaction] = []
        self.metadata: dict[str, Any] = {}
        self.existed = False
        self._live: list[Interaction] = []  # raw: credentials and all; never handed out
        self._attempts: list[int | None] = []
        self._learned_from: _Learned | None = None
        self.unmatched: list[Unmatched] = []
        self.saved = False
        self._load()
        self.mode = self._effective_mode()
        self._normalized: dict[tuple[str, str], str] = {}
        # new_episodes plays each recorded answer once and sends anything else to the server (as
        # vcrpy does), so a repeated request or a new page size records what the server says now.
        repeat = RepeatPolicy.ERROR if self.mode is RecordMode.NEW_EPISODES else settings.repeat
        self.index = CassetteIndex(self.loaded, normalize=self.normalize, repeat=repeat)
        self._listings: CompleteListings | None = None
        self.guard = ChainGuard()

    @property
    def listings(self) -> CompleteListings | None:
        """Complete recorded conversations for re-sliced answers; None when ``strict`` or in
        ``new_episodes``, where what the cassette cannot answer exactly goes to the server.

        Built on the first request the index cannot answer: rebuilding every conversation costs
        about as much as loading the cassette, and an exact replay never needs it.
        """
        if self.settings.strict or self.mode is RecordMode.NEW_EPISODES:
            return None
        if self._listings is None:
            self._listings = CompleteListings.from_interactions(self.loaded)
        return self._listings

    # --- loading and mode --------------------------------------------------------------------

    def _load(self) -> None:
        self._stamp = file_stamp(self.path)
        try:
            loaded = files.load_cassette(self.path, max_bytes=self.settings.max_cassette_bytes)
        except FileNotFoundError:
            return
        self.existed = True
        self.loaded, self.metadata = loaded.interactions, loaded.metadata

    def _current(self) -> tuple[list[Interaction], dict[str, Any]]:
        """What the new interactions are added to: the file as loaded, or as another test or xdist
        worker sharing this cassette has saved it since (read under the file's lock, so nothing is
        lost). In ``all`` mode a cassette is replaced by the first test of the run that saves it;
        later tests of the same run (``run_started_ns``) add to it, as in the other modes."""
        stamp = file_stamp(self.path)
        if self.mode is RecordMode.ALL:
            if stamp is None or self.run_started_ns is None or stamp[0] < self.run_started_ns:
                return [], {}
        elif stamp == self._stamp:
            return self.loaded, self.metadata
        try:
            current = files.load_cassette(self.path, max_bytes=self.settings.max_cassette_bytes)
        except FileNotFoundError:
            return [], {}
        return current.interactions, current.metadata

    def _effective_mode(self) -> RecordMode:
        mode = self.settings.record_mode
        if self.existed and self.settings.max_age is not None:
            mode = self._apply_expiry(mode, self.settings.max_age)
        if mode is RecordMode.ALL:
            self.loaded = []  # re-recording replaces the cassette's contents
        return mode

    def _apply_expiry(self, mode: RecordMode, max_age: dt.timedelta) -> RecordMode:
        recorded = files.recorded_at(self.metadata)
        if recorded is None or dt.datetime.now(dt.UTC) - recorded <= max_age:
            return mode
        age = dt.datetime.now(dt.UTC) - recorded
        message = (
            f"convreplay: cassette {shown_path(self.path)} was recorded {age.days} days ago, older than "
            f"max_age {max_age}; re-record it with: {self.record_command('all')}"
        )
        if self.settings.on_expired is Expiry.FAIL:
            raise CassetteError(message)
        if self.settings.on_expired is Expiry.RERECORD and mode is not RecordMode.NONE:
            return RecordMode.ALL
        warnings.warn(CassetteExpiredWarning(message), stacklevel=2)
        return mode

    @property
    def write_protected(self) -> bool:
        return self.mode is RecordMode.NONE or (self.mode is RecordMode.ONCE and self.existed)

    def record_command(self, mode: str = "once") -> str:
        return f"pytest --convreplay-record-mode={mode} {quoted_nodeid(self.nodeid)}"

    # --- matching ------------------------------------------------------------------------------

    def normalize(
        self, method: str, uri: str, body: object, headers: Mapping[str, Any]
    ) -> tuple[str, object]:
        """A live request's URI and body as the cassette stores them (every redaction rule applied,
        the user's callables too, given the request's headers), so that it matches what was
        recorded from it."""
        return redact_request(method, uri, body, self.rules, headers)

    def normalize_uri(self, method: str, uri: str) -> str:
        """The URI of a bodiless request as the cassette stores it; remembered, since re-sliced
        answers look each one up more than once."""
        normalized = self._normalized.get((method, uri))
        if normalized is None:
            normalized = self._normalized[method, uri] = self.normalize(method, uri, None, {})[0]
        return normalized

    def answer(
        self, method: str, uri: str, body: object, headers: Mapping[str, Any], *, consume: bool = True
    ) -> dict[str, Any] | None:
        """The recorded (or re-sliced) response for a live request, or None when there is none;
        ``consume=False`` only looks, without counting a recorded answer as played."""
        if self.mode is RecordMode.ALL:
            return None
        key = self.index.key(method, uri, body, headers)
        position = self.index.take(key) if consume else self.index.peek(key)
        if position is not None:
            return files.response_for_vcr(self.loaded[position]["response"])
        if self.index.holds(key):  # recorded, every answer played, and repeat="error": refuse it
            return None
        listings = self.listings
        envelope = listings.answer(method, self.normalize_uri(method, uri)) if listings is not None else None
        return synthesized_response(envelope) if envelope is not None else None

    def can_answer(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> bool:
        return self.answer(method, uri, body, headers, consume=False) is not None

    def refuse(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> Unmatched:
        """Describe and remember a request that replay cannot answer and recording may not fetch."""
        key: RequestKey = self.index.key(method, uri, body, headers)
        exhausted = self.index.holds(key)
        message = unmatched_message(
            cassette=shown_path(self.path),
            key=key,
            closest=self.index.closest(key),
            record_command=self.record_command("once" if not self.existed else "new_episodes"),
            missing_cassette=not self.existed,
            reason="every recorded answer to it was played already, and the repeat option is 'error'"
            if exhausted
            else "",
        )
        unmatched = Unmatched(key, message)
        self.unmatched.append(unmatched)
        return unmatched

    # --- recording -----------------------------------------------------------------------------

    def observe(self, interaction: Interaction, *, attempt: int | None = None) -> None:
        """Called for every live exchange; the guard stops a never-ending pagination early.
        ``attempt`` is the SDK's retry count of the request, when it says."""
        try:
            self.guard.observe(interaction)
        except PaginationError as error:
            method, uri = interaction["request"]["method"], interaction["request"]["uri"]
            sent = request_key(method, self.normalize_uri(method, uri)).describe()  # redacted
            raise PaginationError(
                f"convreplay: recording {shown_path(self.path)} stopped at {sent}: {error}"
            ) from None
        self._live.append(interaction)
        self._attempts.append(attempt)

    @property
    def sent(self) -> int:
        """How many requests this test sent to the server (recorded, not replayed)."""
        return len(self._live)

    @property
    def interactions(self) -> list[Interaction]:
        """Every exchange of the cassette as it is or will be stored: this test's live exchanges
        redacted, and any value the gate knows masked, so the handle never gives a test a secret
        to print or snapshot (the raw exchanges stay private to the recording)."""
        return [*self.loaded, *self._learned().shown]

    def known_secrets(self) -> KnownSecrets:
        """What the gate looks for: the environment's and declared values, and every credential the
        client sent or the server named in a header this test recorded."""
        return self._learned().known

    def _learned(self) -> _Learned:
        """What the exchanges so far teach redaction and the gate, and how they are shown; worked
        out once per new exchange, as the handle, snapshots and the save all ask for it."""
        if self._learned_from is None or self._learned_from.count != len(self._live):
            known = known_secrets_for(self.settings)
            for interaction in self._live:
                known.add_from_request_headers(interaction["request"]["headers"])
                known.add_from_response_headers(interaction["response"]["headers"], self.rules)
            rules = self.rules.learning(self._live)
            redacted = [redact_interaction(i, rules) for i in self._live]
            shown = [masked(i, known) for i in redacted]
            self._learned_from = _Learned(len(self._live), known, rules, redacted, shown)
        return self._learned_from

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request of the cassette, recorded before or during this test (redacted)."""
        return [interaction["request"] for interaction in self.interactions]

    @property
    def records(self) -> dict[str, ConversationRecord]:
        return rebuild(self.interactions)

    @property
    def conversations(self) -> dict[str, list[dict[str, Any]]]:
        return {cid: list(record.items) for cid, record in self.records.items()}

    def save(self) -> None:
        """record → redact → check → persist; nothing is written when any step objects."""
        if not self._live or self.mode is RecordMode.NONE:
            return
        learned = self._learned()
        kept = self._live if self.settings.keep_retries else drop_retried_failures(self._live, self._attempts)
        redacted = dict(zip(map(id, self._live), learned.redacted, strict=True))
        with locked(self.path):
            base, metadata = self._current()
            self._persist([*base, *(redacted[id(i)] for i in kept)], metadata, learned.known)

    def _persist(
        self, interactions: list[Interaction], metadata: dict[str, Any], known: KnownSecrets
    ) -> None:
        """Check the pagination and the secrets of exactly what will be written, then write it."""
        if self.settings.check_pagination:
            errors = [
                str(problem) for problem in check_chains(interactions) if problem.severity is Severity.ERROR
            ]
            if errors:
                where = shown_path(self.path)
                raise PaginationError(
                    f"convreplay: not writing {where}: the recorded pagination is inconsistent\n"
                    + "\n".join(f"  {line}" for line in errors)
                )
        metadata = {**metadata, **files.recording_metadata(interactions, self.mode.value)}

        def gate(checked: list[Interaction], text: str) -> None:
            ensure_no_secrets(checked, text, known, self.rules, shown_path(self.path))

        files.save_cassette(self.path, interactions, metadata, check=gate)
        self.saved = True


def synthesized_response(envelope: dict[str, Any]) -> dict[str, Any]:
    """A vcrpy response dict for an answer computed from a complete recorded listing."""
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"], "content-length": [str(len(body))]},
        "body": {"string": body},
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
        return self.recording.can_answer(request.method, request.uri, request.body, request.headers)

    def play_response(self, request: Any) -> dict[str, Any]:
        response = self.recording.answer(request.method, request.uri, request.body, request.headers)
        if response is None:
            raise self._unmatched(request)
        return response

    def filter_request(self, request: Any) -> Any:
        """vcrpy asks this right before refusing a request in a write-protected cassette."""
        if self.recording.write_protected:
            raise self._unmatched(request)
        return request

    def _unmatched(self, request: Any) -> UnmatchedRequestError:
        return UnmatchedRequestError(
            self.recording.refuse(request.method, request.uri, request.body, request.headers).message
        )

    def append(self, request: Any, response: dict[str, Any]) -> None:
        attempt = str(request.headers.get("x-stainless-retry-count", ""))
        self.recording.observe(
            files.to_interaction(request, response), attempt=int(attempt) if attempt.isdigit() else None
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


def running_in_ci() -> bool:
    """CI systems set CI (GitHub, GitLab, CircleCI, Buildkite…); there cassettes are never created."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
