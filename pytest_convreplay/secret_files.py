"""Secret checks and redaction of files already on disk (``convreplay scan`` / ``convreplay redact``).

Works on any vcrpy cassette (``version: 1``, ``interactions: [...]``, YAML or JSON) and on
snapshot files; keys other than ``interactions`` (``metadata``) are kept. Files are rewritten
atomically (temporary file in the same folder, fsync, os.replace), and only after the gate has
found nothing in their new text.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from .errors import CassetteError, ConfigError, UndecodableBodyError
from .interactions import Interaction
from .redact import PatternRule, RedactionRules, redact_interaction
from .secrets_gate import (
    Finding,
    KnownSecrets,
    find_leaks,
    find_secrets_in_interactions,
    find_secrets_in_text,
    strings_of_interaction,
)

__all__ = ["SCANNED_SUFFIXES", "Change", "RedactReport", "iter_files", "redact_files", "scan_files"]

SCANNED_SUFFIXES = (".yaml", ".yml", ".json")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named, and the cassette-like files under the folders named (hidden folders skipped)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(
                sorted(
                    file
                    for file in path.rglob("*")
                    if file.is_file()
                    and file.suffix.lower() in SCANNED_SUFFIXES
                    and not any(part.startswith(".") for part in file.relative_to(path).parts)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def scan_files(
    paths: Iterable[str | os.PathLike[str]],
    known: KnownSecrets | None = None,
    patterns: Sequence[PatternRule] | None = None,
) -> list[Finding]:
    """Known values (default: from the environment) and secret patterns (default: the default
    rules') in the files; an empty list means clean (exit 0), anything else is exit 1.

    Bodies stored as binary (which text search cannot see into) are decoded and searched too.
    """
    known = KnownSecrets.from_env() if known is None else known
    patterns = RedactionRules.default().patterns if patterns is None else patterns
    findings: list[Finding] = []
    for file in iter_files(paths):
        text = file.read_text(encoding="utf-8", errors="replace")
        findings += find_secrets_in_text(text, known, patterns, path=str(file))
        findings += _binary_body_findings(file, text, known, patterns)
    return findings


def _binary_body_findings(
    file: Path, text: str, known: KnownSecrets, patterns: Sequence[PatternRule]
) -> list[Finding]:
    if "!!binary" not in text:
        return []
    try:
        interactions = _interactions_of(_load(file, text)) or []
    except CassetteError:
        return []
    binary = tuple(
        where
        for index, interaction in enumerate(interactions)
        for where, value in strings_of_interaction(index, interaction)
        if isinstance(value, bytes)
    )
    if not binary:
        return []
    decoding_only = RedactionRules(allow_undecodable=True)
    decoded = [redact_interaction(interaction, decoding_only) for interaction in interactions]
    return [
        Finding(finding.what, finding.where, file=str(file))
        for finding in find_secrets_in_interactions(decoded, known, patterns)
        if finding.where.startswith(binary)
    ]


@dataclass(frozen=True, slots=True)
class Change:
    """One place ``convreplay redact`` changed."""

    file: str
    interaction: int
    where: str

    def __str__(self) -> str:
        return f"{self.file}: interaction {self.interaction} {self.where}"


@dataclass(frozen=True, slots=True)
class RedactReport:
    """What ``redact_files`` changed, and the files it refused to write because secrets remain."""

    changes: tuple[Change, ...]
    refused: tuple[Finding, ...]
    files_checked: int

    @property
    def changed_files(self) -> list[str]:
        return list(dict.fromkeys(change.file for change in self.changes))

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


def redact_files(
    paths: Iterable[str | os.PathLike[str]],
    rules: RedactionRules | None = None,
    known: KnownSecrets | None = None,
) -> RedactReport:
    """Apply ``rules`` to every cassette in place; files that are not cassettes are left alone.

    All files are read and redacted before any is written, so a broken file (CassetteError) or
    an undecodable body (UndecodableBodyError) stops the run with nothing changed. A file whose
    redacted text still holds a known value or pattern is not written and is listed in ``refused``.
    """
    rules = RedactionRules.default() if rules is None else rules
    known = KnownSecrets.from_env() if known is None else known
    files = iter_files(paths)
    pending: list[tuple[Path, str]] = []
    changes: list[Change] = []
    refused: list[Finding] = []
    for file in files:
        data = _load(file, file.read_text(encoding="utf-8"))
        interactions = _interactions_of(data)
        if interactions is None:
            continue
        redacted = [_redact_in_file(file, interaction, rules) for interaction in interactions]
        if redacted == interactions:
            continue
        file_changes = [
            Change(str(file), index, where)
            for index, (before, after) in enumerate(zip(interactions, redacted, strict=True))
            for where in _changed_places(before, after, rules)
        ]
        text = _dump(file, {**cast(dict[str, Any], data), "interactions": redacted})
        leaks = find_leaks(redacted, text, known, rules, str(file))
        if leaks:
            refused += leaks
            continue
        changes += file_changes
        pending.append((file, text))
    for file, text in pending:
        _write_atomically(file, text)
    return RedactReport(tuple(changes), tuple(refused), len(files))


def _redact_in_file(file: Path, interaction: Interaction, rules: RedactionRules) -> Interaction:
    try:
        return redact_interaction(interaction, rules)
    except UndecodableBodyError as exc:
        raise UndecodableBodyError(f"{file}: {exc}") from None


def _load(file: Path, text: str) -> Any:
    try:
        if file.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # CSafeLoader/SafeLoader: never builds objects
    except (ValueError, yaml.YAMLError) as exc:
        raise CassetteError(f"{file}: cannot be parsed: {exc}") from None


def _interactions_of(data: Any) -> list[Interaction] | None:
    """The interactions of a vcrpy-format cassette, or None for any other file."""
    if not isinstance(data, dict):
        return None
    interactions = data.get("interactions")
    if not isinstance(interactions, list) or not all(
        isinstance(item, dict) and "request" in item and "response" in item for item in interactions
    ):
        return None
    return cast(list[Interaction], interactions)


def _dump(file: Path, data: dict[str, Any]) -> str:
    if file.suffix.lower() == ".json":
        return json.dumps(data, indent=4, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1)


def _changed_places(before: Interaction, after: Interaction, rules: RedactionRules) -> Iterator[str]:
    """Where ``after`` differs from ``before``: URI, header names, body field paths."""
    decoded = redact_interaction(before, RedactionRules(allow_undecodable=rules.allow_undecodable))
    old = dict(_grouped(strings_of_interaction(0, decoded)))
    new = dict(_grouped(strings_of_interaction(0, after)))
    prefix = "interaction 0 "
    for side in ("request", "response"):
        if _encoding(before, side) != _encoding(after, side):
            yield f"{side} body decoded from {_encoding(before, side)}"
    for where in dict.fromkeys([*old, *new]):
        if old.get(where) != new.get(where):
            yield where.removeprefix(prefix)


def _encoding(interaction: Interaction, side: str) -> str:
    headers: dict[str, Any] = cast(dict[str, Any], interaction)[side].get("headers") or {}
    values = [value for key, value in headers.items() if key.lower() == "content-encoding"]
    return ", ".join(str(value[0] if isinstance(value, list) and value else value) for value in values)


def _grouped(pairs: Iterable[tuple[str, str | bytes]]) -> Iterator[tuple[str, list[str | bytes]]]:
    groups: dict[str, list[str | bytes]] = {}
    for where, value in pairs:
        groups.setdefault(where, []).append(value)
    yield from groups.items()


def _write_atomically(file: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one; the mode is kept."""
    mode = stat.S_IMODE(file.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        directory = os.open(file.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
