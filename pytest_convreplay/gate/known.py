"""The secret values of a run and the needles that find them in every form they may take on disk.

The forms, a closed list: raw; case-folded where the carrier is case-insensitive (header names);
URL-encoded once or twice (either hex case) and form-encoded; JSON-escaped; base64 and base64url
at any byte alignment, with or without padding, also with whitespace and line breaks removed
(MIME and PEM wrap at 64 or 76 columns); hex in either case. YAML as written is the text itself
(the writers never fold a line). Values shorter than MIN_SECRET_LENGTH characters are ignored:
short strings ("org", "test") occur by chance in any cassette and would make recording impossible.
"""

from __future__ import annotations

import base64
import bisect
import html
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from ..config.paths import id_forms
from ..rules.credentials import (
    CREDENTIAL_HEADERS,
    MIN_SECRET_LENGTH,
    credential_parts,
    env_secret_values,
    is_credential_name,
)
from ..rules.redaction import RedactionRules


class KnownSecrets:
    """The secret values of this run and the needles that find them in any stored form."""

    def __init__(self) -> None:
        self._sources: dict[str, str] = {}
        self._text_matcher: re.Pattern[str] | None = None
        self._folded_matcher: re.Pattern[str] | None = None
        self._despaced_matcher: re.Pattern[str] | None = None
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
        known = cls()
        known.add_environment(names, environ)
        for value in values:
            known.add(value, "a declared secret")
        return known

    def add_environment(self, names: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> None:
        """The values the environment holds now under ENV_SECRET_NAMES and ``names``: called again
        while a test runs, as ``monkeypatch.setenv`` may set one after the plugin's set-up."""
        for name, value in env_secret_values(names, os.environ if environ is None else environ):
            self.add(value, name)

    def add(self, value: str, source: str) -> None:
        """Remember ``value`` (named ``source`` in findings) unless it is too short to be specific."""
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH or value in self._sources:
            return
        self._sources[value] = source
        self._text_matcher = self._bytes_matcher = self._folded_matcher = self._despaced_matcher = None
        self._needles = {}

    def add_from_request_headers(self, headers: Mapping[str, Sequence[str] | str]) -> None:
        """Remember the credentials a client really sent under any credential-like header (bearer
        token, api-key, org/project ids, gateway keys); a header sent several times is recorded
        joined (``A, B``), so each value counts too."""
        for name, values in headers.items():
            lowered = name.lower()
            if lowered not in CREDENTIAL_HEADERS and not is_credential_name(lowered):
                continue
            source = f"the {lowered} header the client sent"
            for joined in [values] if isinstance(values, str) else values:
                for value in dict.fromkeys([joined, *joined.split(",")]):
                    self.add_credential(value, source)

    def add_from_response_headers(
        self, headers: Mapping[str, Sequence[str] | str], rules: RedactionRules
    ) -> None:
        """Remember the values response header rules redact (``openai-organization``): the
        redaction learns them too (RedactionRules.learning), so any still left is a leak."""
        for name, value in rules.redacted_header_values(headers, "response"):
            self.add(value, f"the {name} response header")

    def add_credential(self, value: str, source: str) -> None:
        """A credential as sent and the secrets inside it (a bearer token, both halves of Basic)."""
        for part in credential_parts(value):
            self.add(part, source)

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

    def find(self, text: str, *, case_insensitive: bool = False) -> Iterator[tuple[int, str]]:
        """(offset, description) of every known value, in any of its forms, in ``text``; a carrier
        that is case-insensitive (a header name) is compared case-folded."""
        if case_insensitive:
            if self._folded_matcher is None:
                self._folded_matcher = _alternation(self._forms(), re.IGNORECASE)
            matcher = self._folded_matcher
        else:
            matcher = self._matcher()
        needles = self._forms()
        for match in matcher.finditer(text) if matcher is not None else ():
            found = match.group()
            what = needles.get(found)
            if what is None:  # matched case-folded: any needle that folds the same names it
                what = next(w for needle, w in needles.items() if needle.lower() == found.lower())
            yield match.start(), what
        if _WRAPPED.search(text):
            yield from self._find_unwrapped(text)

    def may_occur(self, texts: Sequence[str], *, case_insensitive: bool = False) -> bool:
        """False only when :meth:`find` finds nothing in any of ``texts``: one scan of them all,
        joined by a character no needle holds (so no match can span two of them), raw and with
        line wraps removed (removing them never joins two texts either)."""
        if not texts or not self._sources:
            return False
        needles = self._forms()
        separator = next((char for char in _SEPARATORS if not any(char in n for n in needles)), None)
        if separator is None:  # a value holding every separator: asked text by text instead
            return True
        joined = separator.join(texts)
        if case_insensitive:
            if self._folded_matcher is None:
                self._folded_matcher = _alternation(needles, re.IGNORECASE)
            matcher = self._folded_matcher
        else:
            matcher = self._matcher()
        if matcher is not None and matcher.search(joined) is not None:
            return True
        despaced = self._despaced()
        return despaced is not None and despaced.search(unwrapped(joined)) is not None

    def _despaced(self) -> re.Pattern[str] | None:
        if self._despaced_matcher is None:
            self._despaced_matcher = _alternation(
                needle for needle, what in self._forms().items() if "base64" in what
            )
        return self._despaced_matcher

    def _find_unwrapped(self, text: str) -> Iterator[tuple[int, str]]:
        """The base64 forms in text whose lines were wrapped (MIME, PEM): whitespace and escaped
        line breaks removed. Offsets are those of the unwrapped text's match, mapped back."""
        despaced = self._despaced()
        if despaced is None:
            return
        if despaced.search(unwrapped(text)) is None:  # the common case: no offset map to build
            return
        text_unwrapped, offset_in_text = _unwrap(text)
        for match in despaced.finditer(text_unwrapped):
            offset = offset_in_text(match.start())
            if not text.startswith(match.group(), offset):  # found unwrapped already
                yield offset, self._needles[match.group()] + ", line-wrapped"

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every known value, in any of its raw-text forms, in ``text``."""
        matcher = self._matcher()
        return [match.span() for match in matcher.finditer(text)] if matcher is not None else []

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


_WRAPPED = re.compile(r"(?:\s|\\[rn])+")  # whitespace and JSON-escaped line breaks
_WHITESPACE = {code: None for code in range(0x3001) if chr(code).isspace()}  # what \s matches
_ESCAPED_BREAK = re.compile(r"\\[rn]")
_BACKSLASH_THEN_SPACE = re.compile(r"\\\s")
_SEPARATORS = "\x00\x01\x02\x03\x04\x05\x06\x07\x08"  # none of them whitespace or an escape


def unwrapped(text: str) -> str:
    """``text`` with its line wraps removed: ``_WRAPPED.sub("", text)``, in two quick passes
    (whitespace deleted, then escaped breaks), which give the same text unless a backslash stands
    right before whitespace (deleting it could make a new escape): then the regex does it."""
    if _BACKSLASH_THEN_SPACE.search(text) is not None:
        return _WRAPPED.sub("", text)
    text = text.translate(_WHITESPACE)
    return _ESCAPED_BREAK.sub("", text) if "\\" in text else text


def _unwrap(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` with _WRAPPED removed, and the offset in ``text`` of a character of the result: one
    pass and a binary search per lookup, so many matches in a long text stay linear."""
    pieces: list[str] = []
    kept_at: list[int] = []  # where each kept stretch starts in the unwrapped text
    starts: list[int] = []  # ... and in ``text``
    kept = position = 0
    for gap in _WRAPPED.finditer(text):
        pieces.append(text[position : gap.start()])
        kept_at.append(kept)
        starts.append(position)
        kept += gap.start() - position
        position = gap.end()
    pieces.append(text[position:])
    kept_at.append(kept)
    starts.append(position)

    def offset_in_text(unwrapped_offset: int) -> int:
        stretch = bisect.bisect_right(kept_at, unwrapped_offset) - 1
        return starts[stretch] + unwrapped_offset - kept_at[stretch]

    return "".join(pieces), offset_in_text


def masked(value: Any, known: KnownSecrets) -> Any:
    """A copy of plain data (dicts, lists, strings) with every known value masked in its strings."""
    if isinstance(value, str):
        return known.mask(value)
    if isinstance(value, dict):
        return {key: masked(inner, known) for key, inner in value.items()}
    if isinstance(value, list):
        return [masked(inner, known) for inner in value]
    return value


def _alternation(needles: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    """One regex for many literal needles, longest first, as a trie: at each position the engine
    follows one branch per character instead of trying every needle in turn."""
    ordered = sorted(set(needles), key=len, reverse=True)
    return re.compile(_trie_pattern(ordered), flags) if ordered else None


def _trie_pattern(needles: Sequence[str]) -> str:
    trie: dict[str, Any] = {}
    for needle in needles:
        node = trie
        for char in needle:
            node = node.setdefault(char, {})
        node[""] = {}  # a needle ends here
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _node_pattern(child) for char, child in node.items() if char]
    ends = "" in node
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


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
    # the same text as a reader sees it: another Unicode normalization (a decomposed "ä"), HTML
    # escapes (an error page echoing it)
    for normal_form in ("NFC", "NFD", "NFKC", "NFKD"):
        forms[f"{normal_form}-normalized"] = unicodedata.normalize(normal_form, value)
    forms["HTML-escaped"] = html.escape(value)
    forms["HTML-escaped, quotes kept"] = html.escape(value, quote=False)
    forms |= id_forms(value)  # a test id's escapes, and a file name's form of them
    forms["url-encoded twice"] = quote(forms["url-encoded"], safe="")
    for form in ("url-encoded", "form-encoded", "url-encoded path"):  # %2f is as valid as %2F
        forms[f"{form}, lower-case hex"] = _PERCENT_RE.sub(lambda found: found.group().lower(), forms[form])
    forms["url-encoded twice, lower-case hex"] = quote(forms["url-encoded, lower-case hex"], safe="")
    raw = value.encode("utf-8")
    forms["every byte percent-encoded"] = "".join(f"%{byte:02X}" for byte in raw)
    forms["every byte percent-encoded, lower-case hex"] = "".join(f"%{byte:02x}" for byte in raw)
    forms["hex"] = raw.hex()
    forms["hex, upper-case"] = raw.hex().upper()
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
