"""The recording engine: one test's cassette, what it replayed and recorded, and its save pipeline.

It answers live requests from the cassette (indexed, then re-sliced from complete listings),
refuses what it may not fetch, collects live exchanges, and saves them record → redact → gate →
persist. The test sees it through :class:`~pytest_convreplay.record.handle.CassetteHandle` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..config.paths import hide_secrets, hide_secrets_in_path
from ..config.settings import RecordMode, RepeatPolicy, Settings
from ..errors import (
    CassetteError,
    ConvreplayError,
    PaginationError,
    RequestRefused,
    UnmatchedRequestError,
    quoted_nodeid,
    shown_path,
)
from ..gate import Gate, KnownSecrets
from ..model.chains import ChainGuard
from ..model.conversations import ConversationRecord, rebuild_conversations
from ..model.interactions import Interaction, origin_of
from ..model.pages import read_request
from ..model.requests import RequestKey, request_key
from ..redact import redact_request
from ..replay.index import CassetteIndex
from ..replay.reslice import CompleteListings, synthesized_response
from ..replay.unmatched import closest, unmatched_message
from ..storage import cassette as files
from ..storage.atomic import file_stamp, locked
from ..storage.parsed import ParsedCache, collection_paused
from ..storage.segments import METADATA_KEY as RECORDED_BY
from ..storage.segments import add_segment, chronological, segments_metadata
from ..storage.segments import now as segment_time
from ..storage.vcr_format import response_for_vcr, to_interaction
from ..storage.write import write_document
from .checks import expired_mode, judge_pagination
from .learned import Learned, environment_secrets, known_secrets_for, known_values, learn
from .retries import drop_retried_failures


class Recording:
    """One test's cassette: what it replayed and recorded, and how it is saved."""

    def __init__(self, settings: Settings, *, nodeid: str, run_started_ns: int | None = None) -> None:
        self.settings = settings
        self.nodeid = nodeid
        self.run_started_ns = run_started_ns
        self.path: Path = settings.cassette_path
        self.rules = settings.redaction_rules()
        self.loaded: list[Interaction] = []
        self.metadata: dict[str, Any] = {}
        self.existed = False
        self._sound_bodies: set[int] = set()  # positions whose JSON body is known to parse
        self._live: list[Interaction] = []  # raw: credentials and all; never handed out
        self._attempts: list[int | None] = []
        self._learned_from: Learned | None = None
        self._known_before_redaction: KnownSecrets | None = None
        self._environment = environment_secrets(settings)  # every value seen while the test ran
        self.refused: list[ConvreplayError] = []  # what the transport refused: the test fails with it
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
            order = chronological(self.metadata, len(self.loaded))
            self._listings = CompleteListings.from_interactions([self.loaded[i] for i in order])
        return self._listings

    # --- loading and mode --------------------------------------------------------------------

    @property
    def _cache(self) -> ParsedCache | None:
        folder = self.settings.parsed_cache_dir
        return ParsedCache(folder) if folder is not None else None

    def _load(self) -> None:
        self._stamp = file_stamp(self.path)
        try:
            loaded = files.load_cassette(
                self.path, max_bytes=self.settings.max_cassette_bytes, cache=self._cache
            )
        except FileNotFoundError:
            return
        self.existed = True
        self.loaded, self.metadata = loaded.interactions, loaded.metadata
        self._sound_bodies.update(loaded.sound_bodies)

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
            current = files.load_cassette(
                self.path, max_bytes=self.settings.max_cassette_bytes, cache=self._cache
            )
        except FileNotFoundError:
            return [], {}
        return current.interactions, current.metadata

    def _effective_mode(self) -> RecordMode:
        mode = self.settings.record_mode
        if self.existed and self.settings.max_age is not None:
            mode = expired_mode(mode, self.settings, self.metadata, self.path, self.record_command("all"))
        if mode is RecordMode.ALL:
            self.loaded = []  # re-recording replaces the cassette's contents
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
            self._check_body(position, key)
            return response_for_vcr(self.loaded[position]["response"])
        if self.index.holds(key):  # recorded, every answer played, and repeat="error": refuse it
            return None
        if read_request(method, uri) is None:  # only items requests are re-sliced: no listings to build
            return None
        listings = self.listings
        envelope = listings.answer(method, self.normalize_uri(method, uri)) if listings is not None else None
        return synthesized_response(envelope) if envelope is not None else None

    def _check_body(self, position: int, key: RequestKey) -> None:
        """A recorded JSON answer that no longer parses fails here, naming the file, the interaction
        and the command that records it again, not deep inside the client that would parse it."""
        if position in self._sound_bodies:
            return
        problem = files.json_body_problem(self.loaded[position]["response"])
        if problem is None:
            self._sound_bodies.add(position)
            return
        message = (
            f"convreplay: cassette {shown_path(self.path)}, interaction {position} ({key.describe()}): "
            f"the recorded response says its content-type is JSON, but its body is not JSON ({problem}); "
            f"fix the hand edit that broke it, or re-record it with: {self.record_command('all')}"
        )
        raise self.refusal(CassetteError(message, path=self.path, request=key.describe()))

    def can_answer(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> bool:
        return self.answer(method, uri, body, headers, consume=False) is not None

    def refusal(self, error: ConvreplayError) -> RequestRefused:
        """What the transport raises for ``error``: pytest's failure outcome, remembered, so the test
        fails with it however the client or the code under test handles it, and nothing is saved."""
        self.refused.append(error)
        return RequestRefused(error)

    def refuse(self, method: str, uri: str, body: object, headers: Mapping[str, Any]) -> RequestRefused:
        """A request that replay cannot answer and recording may not fetch, described and remembered."""
        key: RequestKey = self.index.key(method, uri, body, headers)
        exhausted = self.index.holds(key)
        message = unmatched_message(
            cassette=shown_path(self.path),
            key=key,
            closest=closest(key, self.index.recorded_keys()),
            record_command=self.record_command("once" if not self.existed else "new_episodes"),
            missing_cassette=not self.existed,
            reason="every recorded answer to it was played already, and the repeat option is 'error'"
            if exhausted
            else self.settings.record_mode_dropped,
            origin=origin_of(uri),
        )
        message = self.gate().mask(message)  # the client may show it as it likes; bodies field by field
        return self.refusal(UnmatchedRequestError(message, path=self.path, request=key.describe()))

    # --- recording -----------------------------------------------------------------------------

    def record_live(self, request: Any, response: Mapping[str, Any]) -> None:
        """A live exchange, as vcrpy's stubs and the httpx fast path hand it over: a request with
        ``method``, ``uri``, ``body`` and ``headers``, a response in vcrpy's shape."""
        attempt = str(request.headers.get("x-stainless-retry-count", ""))
        self.observe(to_interaction(request, response), attempt=int(attempt) if attempt.isdigit() else None)

    def observe(self, interaction: Interaction, *, attempt: int | None = None) -> None:
        """Called for every live exchange; the guard stops a never-ending pagination early.
        ``attempt`` is the SDK's retry count of the request, when it says."""
        try:
            self.guard.observe(interaction)
        except PaginationError as error:
            self.note_environment()
            method, uri = interaction["request"]["method"], interaction["request"]["uri"]
            sent = request_key(method, self.normalize_uri(method, uri)).describe()  # redacted
            stopped = PaginationError(
                self.gate().mask(f"convreplay: recording {shown_path(self.path)} stopped at {sent}: {error}"),
                path=self.path,
                request=sent,
            )
            raise self.refusal(stopped) from None
        self._live.append(interaction)
        self._attempts.append(attempt)
        self.note_environment()

    def note_environment(self) -> None:
        """Remember the secrets the environment holds now: ``monkeypatch.setenv`` in a fixture or
        the test body sets them after set-up and unsets them before the save at teardown, so the
        gate looks for every value seen while the test ran (each request, the end of its call)."""
        for value, name in environment_secrets(self.settings).items():
            self._environment.setdefault(value, name)

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

    def gate(self, known: KnownSecrets | None = None) -> Gate:
        """What everything this test writes or prints is checked against: the values known now
        and the secret patterns in force (learned ones included)."""
        known = self.known_secrets() if known is None else known
        return Gate(known, (*self.rules.patterns, *self._learned().rules.learned))

    def message_mask(self) -> Callable[[str], str]:
        """How this test's messages leave the process: masked with every value known now, also when
        a body cannot be redacted (then that refusal is the message being shown)."""
        try:
            return self.gate().mask
        except ConvreplayError:
            known = self._known_before_redaction or known_secrets_for(self.settings)
            return Gate(known, self.rules.patterns).mask

    def _learned(self) -> Learned:
        """What the exchanges so far teach redaction and the gate, and how they are shown; worked
        out once per new exchange, as the handle, snapshots and the save all ask for it."""
        self.note_environment()
        learned = self._learned_from
        if learned is None or (learned.count, learned.environment) != (
            len(self._live),
            len(self._environment),
        ):
            known, sent = known_values(self.settings, self.rules, self._live, self._environment)
            self._known_before_redaction = known  # what a message may be masked with if redaction refuses
            learned = self._learned_from = learn(self.rules, self._live, self._environment, known, sent)
        return learned

    @property
    def records(self) -> dict[str, ConversationRecord]:
        return rebuild_conversations(self.interactions)

    @property
    def conversations(self) -> dict[str, list[dict[str, Any]]]:
        """Conversation id → items, for automatic snapshots."""
        return {cid: list(record.items) for cid, record in self.records.items()}

    def save(self) -> None:
        """record → redact → check → persist; nothing is written when any step objects."""
        if not self._live or self.mode is RecordMode.NONE or self.refused:
            return
        with collection_paused():
            self._save()

    def _save(self) -> None:
        learned = self._learned()
        # the name passes the naming rule again with what the gate knows now, before its lock exists
        secrets = self.gate(learned.known).secret_spans
        self.path = hide_secrets_in_path(self.path, secrets)
        test = hide_secrets(self.nodeid, secrets)  # a secret in a parametrized id, as in the file name
        with locked(self.path):
            base, metadata = self._current()
            interactions, segments = add_segment(
                base, metadata, self._kept(), test=test, recorded_at=segment_time()
            )
            self._persist(interactions, {**metadata, RECORDED_BY: segments_metadata(segments)}, learned.known)

    def _kept(self) -> list[Interaction]:
        """This test's exchanges as they will be written: redacted, failures the SDK retried into a
        success left out unless ``keep_retries``."""
        kept = self._live if self.settings.keep_retries else drop_retried_failures(self._live, self._attempts)
        redacted = dict(zip(map(id, self._live), self._learned().redacted, strict=True))
        return [redacted[id(interaction)] for interaction in kept]

    def check_pagination(self) -> None:
        """The pagination checks of what this test recorded, run in its own call phase so the test
        learns the verdict there (not as a teardown error after it passed)."""
        if self.settings.check_pagination and self._live and self.mode is not RecordMode.NONE:
            judge_pagination(self._kept(), self.path, self.gate().mask, warn=True)

    def _persist(
        self, interactions: list[Interaction], metadata: dict[str, Any], known: KnownSecrets
    ) -> None:
        """Check the pagination and the secrets of exactly what will be written, then write it."""
        if self.settings.check_pagination:
            judge_pagination(interactions, self.path, self.gate(known).mask)
        metadata = {**metadata, **files.recording_metadata(interactions, self.mode.value)}
        write_document(self.path, files.cassette_document(interactions, metadata), self.gate(known))
        self.saved = True
