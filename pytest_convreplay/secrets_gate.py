"""The fail-closed gate: nothing is written while a known secret or a secret pattern is in it.

Redaction rules say where secrets usually are; this module checks the result against the
secrets we actually know (environment, the key the client sent, user declarations) in every
form they may take on disk: raw, URL-encoded, JSON-escaped and base64 at any byte alignment
(so ``Basic base64(user:key)`` and ``base64("Bearer key")`` are caught too). Findings say where
(interaction, header, body path, file:line), never what the secret is.

Values shorter than MIN_SECRET_LENGTH characters are ignored: short strings ("org", "test")
occur by chance in any cassette and would make recording impossible.

``scan.py`` runs the same checks over files already on disk (``convreplay scan``/``redact``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from .errors import SecretLeakError
from .interactions import Interaction, json_body
from .redact import (
    MIN_SECRET_LENGTH,
    JsonPath,
    PatternRule,
    RedactionRules,
    find_pattern_hits,
    format_path,
    is_event_stream,
    sse_data,
)

__all__ = [
    "ENV_SECRET_NAMES",
    "MIN_SECRET_LENGTH",
    "Finding",
    "KnownSecrets",
    "check_text",
    "ensure_no_secrets",
    "find_leaks",
    "find_secrets_in_interactions",
    "find_secrets_in_text",
    "holds_secret",
    "strings_of_interaction",
]

ENV_SECRET_NAMES = ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")

# Request headers whose values are credentials the client actually sent.
_CREDENTIAL_HEADERS = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-admin-key",
    "openai-organization",
    "openai-project",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a secret is and which one (by source name), never its value."""

    what: str
    where: str = ""
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        place = (
            f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        )
        return f"{place}{self.what} in {self.where}" if self.where else f"{place}{self.what}"


class KnownSecrets:
    """The secret values of this run and the needles that find them in any stored form."""

    def __init__(self) -> None:
        self._sources: dict[str, str] = {}
        self._text_matcher: re.Pattern[str] | None = None
        self._bytes_matcher: re.Pattern[bytes] | None = None
        self._needles: dict[str, str] = {}

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        names: Iterable[str] = (),
        values: Iterable[str] = (),
    ) -> KnownSecrets:
        """Values of ENV_SECRET_NAMES and ``names`` in ``environ`` (default os.environ), plus ``values``."""
        env = os.environ if environ is None else environ
        known = cls()
        for name in (*ENV_SECRET_NAMES, *names):
            known.add(env.get(name, ""), name)
        for value in values:
            known.add(value, "a declared secret")
        return known

    def add(self, value: str, source: str) -> None:
        """Remember ``value`` (named ``source`` in findings) unless it is too short to be specific."""
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH or value in self._sources:
            return
        self._sources[value] = source
        self._text_matcher = self._bytes_matcher = None

    def add_from_request_headers(self, headers: Mapping[str, Sequence[str] | str]) -> None:
        """Remember the credentials a client really sent (bearer token, api-key, org/project ids);
        a header sent several times is recorded joined (``A, B``), so each value counts too."""
        for name, values in headers.items():
            lowered = name.lower()
            if lowered not in _CREDENTIAL_HEADERS:
                continue
            source = f"the {lowered} header the client sent"
            for joined in [values] if isinstance(values, str) else values:
                for value in dict.fromkeys([joined, *joined.split(",")]):
                    self._add_credential(value, source)

    def add_from_response_headers(
        self, headers: Mapping[str, Sequence[str] | str], rules: RedactionRules
    ) -> None:
        """Remember the values response header rules redact (``openai-organization``): the
        redaction learns them too (RedactionRules.learning), so any still left is a leak."""
        for name, value in rules.redacted_header_values(headers, "response"):
            self.add(value, f"the {name} response header")

    def _add_credential(self, value: str, source: str) -> None:
        self.add(value, source)
        scheme, _, credential = value.strip().partition(" ")
        if credential and scheme.lower() in ("bearer", "basic", "token"):
            self.add(credential, source)
        if scheme.lower() == "basic":
            self._add_basic(credential, source)

    def _add_basic(self, credential: str, source: str) -> None:
        """Both halves of ``user:password``: a token is often sent as the username alone."""
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return
        user, _, password = decoded.partition(":")
        self.add(user, source)
        self.add(password, source)

    def __len__(self) -> int:
        return len(self._sources)

    @property
    def sources(self) -> list[str]:
        """Where the known values came from (names only, safe to print)."""
        return sorted(set(self._sources.values()))

    def _matcher(self) -> re.Pattern[str] | None:
        if self._text_matcher is None:
            self._text_matcher = _alternation(self._forms())
        return self._text_matcher

    def find(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, description) of every known value, in any of its forms, in ``text``."""
        matcher = self._matcher()
        for match in matcher.finditer(text) if matcher is not None else ():
            yield match.start(), self._needles[match.group()]

    def mask(self, text: str) -> str:
        """``text`` with every known value, in any of its forms, replaced by ``<secret>``: for what
        is shown rather than written (assertion messages, the fixture handle)."""
        matcher = self._matcher()
        return text if matcher is None else matcher.sub("<secret>", text)

    def find_bytes(self, data: bytes) -> Iterator[tuple[int, str]]:
        """Like ``find``, for bodies kept as bytes."""
        if self._bytes_matcher is None:
            needles = self._forms()
            if needles:
                ordered = sorted(needles, key=len, reverse=True)
                self._bytes_matcher = re.compile(b"|".join(re.escape(n.encode()) for n in ordered))
        if self._bytes_matcher is not None:
            for match in self._bytes_matcher.finditer(data):
                yield match.start(), self._needles[match.group().decode()]

    def _forms(self) -> dict[str, str]:
        if not self._needles:
            for value, source in self._sources.items():
                for form, needle in _forms_of(value).items():
                    self._needles.setdefault(needle, f"value of {source}" + (f" ({form})" if form else ""))
        return self._needles


def masked(value: Any, known: KnownSecrets) -> Any:
    """A copy of plain data (dicts, lists, strings) with every known value masked in its strings."""
    if isinstance(value, str):
        return known.mask(value)
    if isinstance(value, dict):
        return {key: masked(inner, known) for key, inner in value.items()}
    if isinstance(value, list):
        return [masked(inner, known) for inner in value]
    return value


def _alternation(needles: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(needles, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def _forms_of(value: str) -> dict[str, str]:
    """form name -> needle; the raw value has the empty form name."""
    forms = {
        "": value,
        "url-encoded": quote(value, safe=""),
        "form-encoded": quote_plus(value),
        "url-encoded path": quote(value),
        "JSON-escaped": json.dumps(value, ensure_ascii=False)[1:-1],
        "JSON-escaped ASCII": json.dumps(value, ensure_ascii=True)[1:-1],
    }
    for form in ("url-encoded", "form-encoded", "url-encoded path"):  # %2f is as valid as %2F
        forms[f"{form}, lower-case hex"] = _PERCENT_RE.sub(lambda found: found.group().lower(), forms[form])
    raw = value.encode("utf-8")
    for shift in range(3):
        core = _base64_core(raw, shift)
        if len(core) >= MIN_SECRET_LENGTH:
            forms[f"base64, offset {shift}"] = core
            forms[f"base64url, offset {shift}"] = core.translate(str.maketrans("+/", "-_"))
    unique: dict[str, str] = {}
    for form, needle in forms.items():
        if needle not in unique.values():
            unique[form] = needle
    return unique


_PERCENT_RE = re.compile(r"%[0-9A-F]{2}")


def _base64_core(raw: bytes, shift: int) -> str:
    """The base64 characters that depend only on ``raw`` when it starts ``shift`` bytes into a
    larger encoded buffer, so the value is found inside any base64 text whatever precedes it."""
    encoded = base64.b64encode(bytes(shift) + raw).decode("ascii")
    start = -(-8 * shift // 6)
    end = (8 * (shift + len(raw))) // 6
    return encoded[start:end]


# ------------------------------------------------------------------------------ structures


def strings_of_interaction(
    index: int, interaction: Interaction, secret_key: Callable[[str], bool] = lambda key: False
) -> Iterator[tuple[str, str | bytes]]:
    """(location, text) of every string an interaction holds: URI, header values, body fields.

    JSON bodies are walked so that a finding names the field (``response body data[2].text``);
    an object key for which ``secret_key`` is true is shown as ``<key>``, never as itself. An
    event stream is walked event by event, and the ``delta`` texts of each streamed part are also
    given joined: a secret split over deltas is whole only there.
    """
    request: Mapping[str, Any] = interaction.get("request") or {}
    response: Mapping[str, Any] = interaction.get("response") or {}
    prefix = f"interaction {index}"
    yield f"{prefix} request uri", str(request.get("uri", ""))
    for side, part in (("request", request), ("response", response)):
        headers: Mapping[str, Any] = part.get("headers") or {}
        for name, values in headers.items():
            yield f"{prefix} {side} header {name.lower()}", str(name)
            for value in [values] if isinstance(values, str) else values:
                yield f"{prefix} {side} header {name.lower()}", str(value)
        body = part.get("body")
        if isinstance(body, Mapping):
            body = body.get("string")
        where = f"{prefix} {side} body"
        if isinstance(body, str) and is_event_stream(headers):
            yield from _strings_of_events(where, body, secret_key)
        else:
            yield from _strings_of_body(where, body, secret_key)


def _strings_of_body(
    where: str, body: Any, secret_key: Callable[[str], bool]
) -> Iterator[tuple[str, str | bytes]]:
    if isinstance(body, bytes):
        yield where, body
    elif isinstance(body, str) and body:
        document = json_body(body)
        if isinstance(document, dict | list):
            for path, text in _strings_of_json(document, ()):
                shown = tuple(
                    "<key>" if isinstance(step, str) and secret_key(step) else step for step in path
                )
                yield f"{where} {format_path(shown)}".rstrip(), text
        else:
            yield where, body


def _strings_of_json(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from _strings_of_json(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_of_json(item, (*path, index))


_STREAMED_PART = ("type", "item_id", "output_index", "content_index")  # which text a delta adds to


def _strings_of_events(
    where: str, body: str, secret_key: Callable[[str], bool]
) -> Iterator[tuple[str, str | bytes]]:
    deltas: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for number, data in enumerate(filter(None, map(sse_data, body.split("\n")))):
        yield from _strings_of_body(f"{where} event {number}", data, secret_key)
        event = json_body(data)
        if isinstance(event, dict) and isinstance(event.get("delta"), str):
            part = tuple(str(event.get(name)) for name in _STREAMED_PART)
            deltas.setdefault(part, []).append((number, event["delta"]))
    for pieces in deltas.values():
        if len(pieces) > 1:
            joined = "".join(delta for _, delta in pieces)
            yield f"{where} events {pieces[0][0]}-{pieces[-1][0]}, deltas joined", joined


def _hits(
    text: str | bytes, known: KnownSecrets, patterns: Sequence[PatternRule]
) -> Iterator[tuple[int, str]]:
    """(offset, description) of every known value and pattern match in one string."""
    if isinstance(text, bytes):
        yield from known.find_bytes(text)
        text = text.decode("latin-1")
    else:
        yield from known.find(text)
    for start, _, rule in find_pattern_hits(text, patterns):
        yield start, f"text matching secret pattern {rule.label!r}"


def holds_secret(known: KnownSecrets, patterns: Sequence[PatternRule] = ()) -> Callable[[str], bool]:
    """Whether a string holds a known value or a pattern match (remembered: keys repeat a lot)."""
    return functools.cache(lambda text: next(_hits(text, known, patterns), None) is not None)


def find_secrets_in_interactions(
    interactions: Iterable[Interaction], known: KnownSecrets, patterns: Sequence[PatternRule] = ()
) -> list[Finding]:
    """Every known value or pattern match left in the interactions, by location (an object key
    that is a secret shows as ``<key>`` there)."""
    findings: list[Finding] = []
    secret_key = holds_secret(known, patterns)
    for index, interaction in enumerate(interactions):
        for where, text in strings_of_interaction(index, interaction, secret_key):
            findings.extend(Finding(what, where) for _, what in _hits(text, known, patterns))
    return list(dict.fromkeys(findings))


def find_secrets_in_text(
    text: str, known: KnownSecrets, patterns: Sequence[PatternRule] = (), *, path: str | None = None
) -> list[Finding]:
    """Every known value or pattern match in serialized text, by ``path:line``."""
    findings = {
        Finding(what, file=path, line=text.count("\n", 0, offset) + 1)
        for offset, what in _hits(text, known, patterns)
    }
    return sorted(findings, key=lambda finding: (finding.line or 0, finding.what))


def check_text(text: str, known: KnownSecrets, *, path: str, patterns: Sequence[PatternRule] = ()) -> None:
    """Raise SecretLeakError (with file:line locations) if ``text`` holds a known value or pattern."""
    raise_for_findings(find_secrets_in_text(text, known, patterns, path=path), path)


def find_leaks(
    interactions: Iterable[Interaction],
    serialized_text: str,
    known: KnownSecrets,
    rules: RedactionRules,
    path: str,
) -> list[Finding]:
    """Both views of what is about to be written: the structure (names the field) and the exact
    text (catches what serialization produced, e.g. escapes, and gives the line)."""
    return [
        *find_secrets_in_interactions(interactions, known, rules.patterns),
        *find_secrets_in_text(serialized_text, known, rules.patterns, path=path),
    ]


def ensure_no_secrets(
    interactions: Iterable[Interaction],
    serialized_text: str,
    known: KnownSecrets,
    rules: RedactionRules,
    path: str,
) -> None:
    """The last step before a cassette or snapshot is written: raise SecretLeakError on any leak."""
    raise_for_findings(find_leaks(interactions, serialized_text, known, rules, path), path)


def raise_for_findings(findings: Sequence[Finding], path: str) -> None:
    if not findings:
        return
    lines = "\n".join(f"  - {finding}" for finding in findings)
    raise SecretLeakError(
        f"refusing to write {path}: {len(findings)} secret finding(s), nothing was written.\n"
        f"{lines}\n"
        "Add a redaction rule for these places (headers, query_params, body_paths, patterns or a "
        "callable, in convreplay_config or the marker) and record again."
    )
