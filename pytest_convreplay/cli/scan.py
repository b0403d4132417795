"""``convreplay scan`` and ``convreplay redact``: the gate and the rules applied to committed files.

Scanning reads any YAML/JSON file (cassettes and snapshots) as text, so nothing the text search
can see escapes it; bodies stored as YAML binary are decoded and searched too. Redacting rewrites
vcrpy-format cassettes (ours or plain vcrpy/pytest-recording ones, YAML or JSON; ``metadata`` is
kept) through the gate, atomically, and only once every file passed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from ..config.paths import hide_secrets_in_path
from ..errors import CassetteError, ConfigError, UndecodableBodyError
from ..gate import Finding, Gate, KnownSecrets, find_secrets_in_interactions, find_secrets_in_text, leak_error
from ..gate.findings import holds_secret
from ..gate.walk import strings_of_interaction
from ..model.interactions import Interaction, nests_deeper
from ..redact import redact_interaction
from ..rules.redaction import PatternRule, RedactionRules
from ..storage.cassette import cassette_document, read_cassette_text, validate_cassette
from ..storage.write import PreparedWrite, prepare_write
from ..storage.yaml_events import MAX_DEPTH
from ..storage.yaml_io import load_plain_yaml, yaml_problem
from .progress import Progress

SCANNED_SUFFIXES = (".yaml", ".yml", ".json", ".pending")  # pending snapshots are scanned too


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
        elif path.exists():  # a file, or what reading it refuses by name (a device, a pipe)
            found.append(path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    return list(dict.fromkeys(found))


def scan_files(
    paths: Iterable[str | os.PathLike[str]],
    known: KnownSecrets | None = None,
    patterns: Sequence[PatternRule] | None = None,
    progress: Progress | None = None,
) -> list[Finding]:
    """Known values (default: from the environment) and secret patterns (default: the default
    rules') in the files; an empty list means clean (exit 0), anything else is exit 1.

    Bodies stored as binary (which text search cannot see into) are decoded and searched too.
    """
    known = KnownSecrets.from_env() if known is None else known
    patterns = RedactionRules.default().patterns if patterns is None else patterns
    findings: list[Finding] = []
    files = _nothing_missing(paths, iter_files(paths))
    gate = Gate(known, tuple(patterns))
    for file in progress.files(files) if progress is not None else files:
        if progress is not None:
            progress.start(file)
        if gate.secret_spans(file.name):
            findings.append(
                Finding("a secret in the file name (convreplay redact renames it)", file=str(file))
            )
        text = read_cassette_text(file)
        findings += _one_per_line(find_secrets_in_text(text, known, patterns, path=str(file)))
        findings += _binary_body_findings(file, text, known, patterns)
    return findings


def _nothing_missing(paths: Iterable[str | os.PathLike[str]], files: list[Path]) -> list[Path]:
    """A scan that read nothing passes nothing: a folder with no file to scan is an input error."""
    for given in paths:
        folder = Path(given)
        if folder.is_dir() and not any(file.is_relative_to(folder) for file in files):
            raise ConfigError(f"{folder}: no file to scan ({', '.join(SCANNED_SUFFIXES)}) below this folder")
    return files


def _one_per_line(findings: list[Finding]) -> list[Finding]:
    """A key two patterns match (``sk-…`` is an OpenAI key and a bearer token's value) is one
    finding on its line, naming both."""
    by_line: dict[tuple[str | None, int | None], list[Finding]] = {}
    for finding in findings:
        by_line.setdefault((finding.file, finding.line), []).append(finding)
    return [
        Finding(", ".join(dict.fromkeys(f.what for f in group)), group[0].where, file=file, line=line)
        for (file, line), group in by_line.items()
    ]


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
        if self.interaction < 0:  # the file as a whole
            return f"{self.file}: {self.where}"
        return f"{self.file}: interaction {self.interaction} {self.where}"


def redact_files(
    paths: Iterable[str | os.PathLike[str]],
    rules: RedactionRules | None = None,
    known: KnownSecrets | None = None,
    progress: Progress | None = None,
) -> list[Change]:
    """Apply ``rules`` (default: the default rules) to every cassette in place and say what changed.

    Files that are not cassettes (snapshots) are left alone. Every file is read, redacted and
    checked before any is written, so a broken file (CassetteError), an undecodable body
    (UndecodableBodyError) or a file that would still hold a known value or a secret pattern
    (SecretLeakError, listing where) stops the run with nothing changed.
    """
    rules = RedactionRules.default() if rules is None else rules
    gate = Gate(KnownSecrets.from_env() if known is None else known, rules.patterns)
    pending: list[PreparedWrite] = []
    originals: list[Path] = []
    changes: list[Change] = []
    secret_key = holds_secret(gate.known, rules.patterns)
    files = iter_files(paths)
    for file in progress.files(files) if progress is not None else files:
        if progress is not None:
            progress.start(file)
        data = _load(file, read_cassette_text(file))
        interactions = _interactions_of(data)
        if interactions is None:
            continue
        validate_cassette(data, file)  # a hand-edited entry fails here, by file and interaction
        redacted = []
        for number, interaction in enumerate(interactions, start=1):
            redacted.append(_redact_in_file(file, interaction, rules))
            if progress is not None:
                progress.step(number, len(interactions))
        renamed = hide_secrets_in_path(file, gate.secret_spans) != file
        if redacted == interactions and not renamed:
            continue
        if renamed:
            changes.append(Change(str(file), -1, "file name: a secret in it is replaced by its hash"))
        changes += [
            Change(str(file), index, where)
            for index, (before, after) in enumerate(zip(interactions, redacted, strict=True))
            for where in _changed_places(before, after, rules, secret_key)
        ]
        pending.append(prepare_write(file, _document(file, cast(dict[str, Any], data), redacted), gate))
        originals.append(file)
    leaks = [
        finding if finding.file else Finding(finding.what, finding.where, file=str(prepared.path))
        for prepared in pending
        for finding in prepared.findings
    ]
    if leaks:
        raise leak_error(leaks, ", ".join(dict.fromkeys(str(finding.file) for finding in leaks)))
    for prepared, original in zip(pending, originals, strict=True):
        prepared.commit()
        if prepared.path != original:  # written under the name the naming rule gives it
            original.unlink()
    return changes


def _redact_in_file(file: Path, interaction: Interaction, rules: RedactionRules) -> Interaction:
    try:
        return redact_interaction(interaction, rules)
    except UndecodableBodyError as exc:
        raise UndecodableBodyError(f"{file}: {exc}") from None


def _load(file: Path, text: str) -> Any:
    """The file's data, through the same hardened loader as replay (no tags, aliases or floods)."""
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            problem = exc if isinstance(exc, ValueError) else "nested too deeply"
            raise CassetteError(f"{file}: cannot be parsed: {problem}", path=Path(file)) from None
        if isinstance(data, dict | list) and nests_deeper(data, MAX_DEPTH):
            raise CassetteError(
                f"{file}: cannot be parsed: nested more than {MAX_DEPTH} levels deep", path=Path(file)
            )
        return data
    try:
        return load_plain_yaml(text)
    except yaml.YAMLError as exc:
        raise CassetteError(f"{file}: cannot be parsed: {yaml_problem(exc, text)}", path=Path(file)) from None


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


def _document(file: Path, data: dict[str, Any], interactions: list[Interaction]) -> dict[str, Any]:
    """What a redacted file holds: a JSON cassette keeps its other keys, a YAML one is written in
    this plugin's own layout (``version``, ``interactions``, ``metadata``)."""
    if file.suffix.lower() == ".json":
        return {**data, "interactions": interactions}
    return cassette_document(interactions, data.get("metadata") or {})


def _changed_places(
    before: Interaction, after: Interaction, rules: RedactionRules, secret_key: Callable[[str], bool]
) -> Iterator[str]:
    """Where ``after`` differs from ``before``: URI, header names, body field paths (an object key
    that is a secret shows as ``<key>``: this goes to CI logs)."""
    decoded = redact_interaction(before, RedactionRules(allow_undecodable=rules.allow_undecodable))
    old = dict(_grouped(strings_of_interaction(0, decoded, secret_key)))
    new = dict(_grouped(strings_of_interaction(0, after, secret_key)))
    prefix = "interaction 0 "
    for side in ("request", "response"):
        if _encoding(before, side) != _encoding(after, side):
            yield f"{side} body decoded from {_encoding(before, side)}"
    for where in dict.fromkeys([*old, *new]):
        # content-length only follows the body it measures: not a place anything was redacted
        if old.get(where) != new.get(where) and not where.endswith(" header content-length"):
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
