"""The one message a user needs when replay has no answer: which cassette, which request, what is
near, and the command that records it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..model.multipart import FormPart, canonical_form, is_binary_digest
from ..model.requests import RequestKey
from ..rules.selector import format_path


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
        differences.extend(body_differences(recorded.body, sent.body))
    return differences


_SHOWN = 60  # characters of a differing value shown; longer ones are described by their size


def body_differences(recorded: str | None, sent: str | None, limit: int = 4) -> list[str]:
    """What separates two canonical bodies, in words: part by part for multipart forms, field by
    field for JSON, else only that they differ. Bodies are shown as normalized (redacted)."""
    if recorded is None or sent is None:
        return [f"body: {_presence(recorded)} recorded, {_presence(sent)} sent"]
    recorded_form, sent_form = canonical_form(recorded, None), canonical_form(sent, None)
    if recorded_form is not None and sent_form is not None:
        found = list(_part_differences(recorded_form.parts, sent_form.parts))
    else:
        try:
            found = list(_json_differences(json.loads(recorded), json.loads(sent), ()))
        except ValueError:
            found = []
    if not found:
        return ["body differs"]
    return found[:limit] + (
        [f"… and {len(found) - limit} more body differences"] if len(found) > limit else []
    )


def _part_differences(recorded: tuple[FormPart, ...], sent: tuple[FormPart, ...]) -> Iterator[str]:
    """Parts paired by name, in order (a name may repeat, as ``include[]`` does)."""
    by_name: dict[str | None, list[FormPart]] = {}
    for part in recorded:
        by_name.setdefault(part.name, []).append(part)
    for part in sent:
        candidates = by_name.get(part.name)
        if not candidates:
            yield f"{part.describe()}: sent, not recorded"
            continue
        was = candidates.pop(0)
        for field in ("filename", "content_type"):
            before, now = getattr(was, field), getattr(part, field)
            if before != now:
                yield f"{part.describe()}: {field.replace('_', ' ')} {before!r} recorded, {now!r} sent"
        if was.content != part.content:
            before, now = _content(was.content), _content(part.content)
            yield f"{part.describe()}: content {before} recorded, {now} sent"
    for left in by_name.values():
        yield from (f"{part.describe()}: recorded, not sent" for part in left)


def _presence(body: str | None) -> str:
    return "(none)" if body is None else "a body"


def _content(content: str) -> str:
    if is_binary_digest(content):  # <binary: N bytes, sha256 HEX>: the first 12 digits tell files apart
        size, digest = content.strip("<>").removeprefix("binary: ").split(", sha256 ")
        return f"of {size} (not text, sha256 {digest[:12]}…)"
    if len(content) <= _SHOWN:
        return repr(content)
    return f"{len(content.encode('utf-8'))} bytes of text"


def _json_differences(recorded: Any, sent: Any, path: tuple[str | int, ...]) -> Iterator[str]:
    if isinstance(recorded, dict) and isinstance(sent, dict):
        for key in sorted(recorded.keys() | sent.keys(), key=str):
            if key not in sent:
                yield f"body {format_path((*path, key))}: recorded, not sent"
            elif key not in recorded:
                yield f"body {format_path((*path, key))}: sent, not recorded"
            else:
                yield from _json_differences(recorded[key], sent[key], (*path, key))
    elif isinstance(recorded, list) and isinstance(sent, list) and len(recorded) == len(sent):
        for index, (was, now) in enumerate(zip(recorded, sent, strict=True)):
            yield from _json_differences(was, now, (*path, index))
    elif recorded != sent or type(recorded) is not type(sent):
        where = format_path(path) or "(the whole body)"
        yield f"body {where}: {_value(recorded)} recorded, {_value(sent)} sent"


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= _SHOWN:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"{type(value).__name__} of {len(text)} characters"


def _multi(pairs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _show(values: list[str] | None) -> str:
    if values is None:
        return "(absent)"
    return ",".join(values)


def unmatched_message(
    *,
    cassette: str,
    key: RequestKey,
    closest: list[tuple[RequestKey, list[str]]],
    record_command: str,
    missing_cassette: bool = False,
    reason: str = "",
    origin: str = "",
) -> str:
    """The one message a user needs: which cassette, which request (at ``origin``, the scheme and
    host it was sent to), what is near, how to record it."""
    sent = key.describe(origin)
    if missing_cassette:
        lines = [f"convreplay: cassette {cassette} does not exist, so {sent} cannot be replayed."]
    else:
        lines = [f"convreplay: cassette {cassette} holds no answer for {sent}"]
    if reason:
        lines.append(f"  ({reason})")
    if closest:
        lines.append("Closest recorded requests:")
        for other, differences in closest:
            lines.append(f"  {other.describe()}")
            lines.extend(f"      {line}" for line in dict.fromkeys(differences))
    lines.append(f"To record it, run: {record_command}")
    return "\n".join(lines)
