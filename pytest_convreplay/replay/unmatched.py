"""The one message a user needs when replay has no answer: which cassette, which request, what is
near, and the command that records it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model.requests import RequestKey


def closest(
    key: RequestKey, recorded: Iterable[RequestKey], limit: int = 3
) -> list[tuple[RequestKey, list[str]]]:
    """The recorded requests most like ``key``, each with what differs, for the error message."""
    ranked = sorted(
        ((len(diff), diff, other) for other in recorded for diff in [_differences(key, other)]),
        key=lambda entry: entry[0],
    )
    return [(other, diff) for _, diff, other in ranked[:limit]]


def _differences(sent: RequestKey, recorded: RequestKey) -> list[str]:
    """What separates two keys, in words; method and path weigh more than any query parameter."""
    differences: list[str] = []
    if sent.method != recorded.method:
        differences += [f"method: {recorded.method} recorded, {sent.method} sent"] * 3
    if sent.path != recorded.path:
        differences += [f"path: {recorded.path} recorded, {sent.path} sent"] * 3
    sent_query, recorded_query = _multi(sent.query), _multi(recorded.query)
    for name in sorted(sent_query.keys() | recorded_query.keys()):
        was, now = recorded_query.get(name), sent_query.get(name)
        if was != now:
            differences.append(f"query {name}: {_show(was)} recorded, {_show(now)} sent")
    if sent.body != recorded.body:
        differences.append("body differs")
    return differences


def _multi(pairs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _show(values: list[str] | None) -> str:
    if values is None:
        return "(absent)"
    return ",".join(values)


@dataclass(frozen=True, slots=True)
class Unmatched:
    """One request replay could not answer, kept so the test fails even if the client swallowed it."""

    key: RequestKey
    message: str


def unmatched_message(
    *,
    cassette: str,
    key: RequestKey,
    closest: list[tuple[RequestKey, list[str]]],
    record_command: str,
    missing_cassette: bool = False,
    reason: str = "",
) -> str:
    """The one message a user needs: which cassette, which request, what is near, how to record it."""
    if missing_cassette:
        lines = [f"convreplay: cassette {cassette} does not exist, so {key.describe()} cannot be replayed."]
    else:
        lines = [f"convreplay: cassette {cassette} holds no answer for {key.describe()}"]
    if reason:
        lines.append(f"  ({reason})")
    if closest:
        lines.append("Closest recorded requests:")
        for other, differences in closest:
            lines.append(f"  {other.describe()}")
            lines.extend(f"      {line}" for line in dict.fromkeys(differences))
    lines.append(f"To record it, run: {record_command}")
    return "\n".join(lines)
