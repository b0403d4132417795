"""What a recording is judged by before it is used or written: its age against ``max_age``, and
whether replay can follow its paginations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config.settings import Expiry, RecordMode, Settings
from ..errors import (
    CassetteError,
    CassetteExpiredWarning,
    PaginationError,
    PaginationWarning,
    shown_path,
    warn_at_user_code,
)
from ..model.chains import Severity, check_chains
from ..model.interactions import Interaction
from ..storage import cassette as files


def expired_mode(
    mode: RecordMode, settings: Settings, metadata: Mapping[str, Any], path: Path, record_command: str
) -> RecordMode:
    """The record mode a cassette older than ``max_age`` is used in: as it was (after a warning),
    ``all`` when ``on_expired="rerecord"`` and recording is allowed, or a CassetteError."""
    recorded, max_age = files.recorded_at(metadata), settings.max_age
    if recorded is None or max_age is None or dt.datetime.now(dt.UTC) - recorded <= max_age:
        return mode
    message = (
        f"convreplay: cassette {shown_path(path)} was recorded {_age(dt.datetime.now(dt.UTC) - recorded)} "
        f"ago, older than max_age {_age(max_age)}; re-record it with: {record_command}"
    )
    if settings.on_expired is Expiry.FAIL:
        raise CassetteError(message, path=path)
    if settings.on_expired is Expiry.RERECORD and mode is not RecordMode.NONE:
        return RecordMode.ALL
    warn_at_user_code(CassetteExpiredWarning(message, path=path))
    return mode


def _age(age: dt.timedelta) -> str:
    """``3 days``, ``5 hours``, ``12 minutes``, ``40 seconds``: the largest unit that is at least 1."""
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def judge_pagination(
    interactions: Sequence[Interaction], path: Path, mask: Callable[[str], str], *, warn: bool = False
) -> None:
    """A chain replay could not follow raises PaginationError (nothing is written); with ``warn``,
    ids that disagree but are harmless to replay warn with PaginationWarning (the cassette is
    written, and such chains are never re-sliced)."""
    problems = check_chains(interactions)
    errors = [str(problem) for problem in problems if problem.severity is Severity.ERROR]
    if errors:
        raise PaginationError(
            mask(
                f"convreplay: not writing {shown_path(path)}: replay could not follow the recorded "
                "pagination\n" + "\n".join(f"  {line}" for line in errors)
            ),
            path=path,
        )
    warned = [str(problem) for problem in problems if problem.severity is Severity.WARNING]
    if warn and warned:
        warn_at_user_code(
            PaginationWarning(
                f"convreplay: {shown_path(path)}: the recorded pagination has inconsistent ids; "
                "replay answers the exact requests recorded, but re-slices no listing from these "
                "chains\n" + "\n".join(f"  {line}" for line in dict.fromkeys(warned))
            )
        )
