"""One typed, frozen settings object per test: what every later stage reads, never loose options."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..rules.masks import DEFAULT_MASKS, Mask
from ..rules.redaction import BodyPathRule, HeaderRule, PatternRule, QueryRule, RedactionRules, UserRedactor


class RecordMode(StrEnum):
    """When the network may be used and what is written (vcrpy's modes, same names)."""

    NONE = "none"  # replay only; any request the cassette lacks fails; nothing leaves the machine
    ONCE = "once"  # record when the cassette is missing, otherwise replay only
    NEW_EPISODES = "new_episodes"  # replay what is there, record what is not
    ALL = "all"  # re-record everything


class Expiry(StrEnum):
    """What to do with a cassette older than ``max_age``."""

    WARN = "warn"
    FAIL = "fail"
    RERECORD = "rerecord"


class RepeatPolicy(StrEnum):
    """How identical repeated requests are answered when the cassette holds fewer answers."""

    REPEAT_LAST = "repeat_last"  # answers in recorded order, then the last one again
    ERROR = "error"  # answers in recorded order, then an unmatched-request error


DEFAULT_MAX_CASSETTE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that decides how one test records, redacts, replays and snapshots, every value
    already validated and typed (rules and masks parsed)."""

    cassette_path: Path
    snapshot_path: Path
    record_mode: RecordMode = RecordMode.NONE
    strict: bool = False
    repeat: RepeatPolicy = RepeatPolicy.REPEAT_LAST
    keep_retries: bool = False
    check_pagination: bool = True
    max_age: dt.timedelta | None = None
    on_expired: Expiry = Expiry.WARN
    allowed_hosts: tuple[str, ...] = ()
    max_cassette_bytes: int = DEFAULT_MAX_CASSETTE_BYTES
    redact_headers: tuple[HeaderRule, ...] = ()
    redact_query_params: tuple[QueryRule, ...] = ()
    redact_body_paths: tuple[BodyPathRule, ...] = ()
    redact_patterns: tuple[PatternRule, ...] = ()
    redact_callables: tuple[UserRedactor, ...] = ()
    redact_defaults: bool = True
    redact_disable: tuple[str, ...] = ()
    allow_undecodable: bool = False
    secrets: tuple[str, ...] = ()
    secret_env: tuple[str, ...] = ()
    snapshot: bool = False
    masks: tuple[Mask, ...] = ()
    mask_defaults: bool = True
    renumber_ids: bool = False
    update_snapshots: bool = False
    pending_snapshots: bool = False  # leave new and changed snapshots as pending files for review
    ci: bool = False
    record_mode_dropped: str = ""  # why CI turned a configured record mode into none, if it did
    parsed_cache_dir: Path | None = None  # where parsed cassettes are kept (pytest's cache), if anywhere

    def redaction_rules(self) -> RedactionRules:
        """The redaction rules these settings ask for: the defaults (unless turned off) plus the user's."""
        return RedactionRules.shared(
            headers=self.redact_headers,
            query_params=self.redact_query_params,
            body_paths=self.redact_body_paths,
            patterns=self.redact_patterns,
            callables=self.redact_callables,
            extend_defaults=self.redact_defaults,
            disable=self.redact_disable,
            allow_undecodable=self.allow_undecodable,
        )

    @property
    def all_masks(self) -> tuple[Mask, ...]:
        """The masks snapshots and diffs apply: the defaults (unless turned off) plus the user's."""
        return (*(DEFAULT_MASKS if self.mask_defaults else ()), *self.masks)
