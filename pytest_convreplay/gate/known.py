"""The secret values of a run and the needles that find them in every form they may take on disk.

Forms: raw, URL-encoded (either hex case), form-encoded, JSON-escaped and base64 / base64url at
any byte alignment (so ``Basic base64(user:key)`` and ``base64("Bearer key")`` are caught too).
Values shorter than MIN_SECRET_LENGTH characters are ignored: short strings ("org", "test") occur
by chance in any cassette and would make recording impossible.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from ..rules.credentials import CREDENTIAL_HEADERS, ENV_SECRET_NAMES, MIN_SECRET_LENGTH
from ..rules.redaction import RedactionRules


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
            if lowered not in CREDENTIAL_HEADERS:
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
