"""The fail-closed gate: nothing is written while a known secret or a secret pattern is in it.

Redaction rules say where secrets usually are; this module checks the result against the
secrets we actually know (environment, the key the client sent, user declarations) in every
form they may take (:mod:`.known`), and against the secret patterns. Findings say where
(interaction, header, body path, file:line), never what the secret is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..errors import SecretLeakError
from ..model.codings import unlabelled_contents
from ..model.interactions import Interaction
from ..redact.patterns import PatternSet, find_pattern_hits, pattern_set
from ..rules.redaction import PatternRule
from ..rules.selector import format_path
from .known import KnownSecrets
from .walk import HeaderName, places_of_interaction, strings_of_json


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


def _hits(text: str | bytes, known: KnownSecrets, patterns: PatternSet) -> Iterator[tuple[int, str]]:
    """(offset, description) of every known value and pattern match in one string."""
    if isinstance(text, bytes):
        yield from known.find_bytes(text)
        for decoded in _texts_of_binary(text):  # text in another encoding (UTF-16 JSON) is text too
            yield from known.find(decoded)
            for start, _, rule in patterns.hits(decoded):
                yield start, f"text matching secret pattern {rule.label!r}"
        return
    found = list(known.find(text, case_insensitive=isinstance(text, HeaderName)))
    yield from found
    if "\x00" in text:  # UTF-16/32 bytes are valid UTF-8, so such a body was kept as text
        for decoded in _wide_texts(text.encode("utf-8", "surrogateescape")):
            yield from known.find(decoded)
    for start, _, rule in patterns.hits(text):
        yield start, f"text matching secret pattern {rule.label!r}"
    if "%" in text:  # percent-encoding of any mix (unreserved characters, hex case): decode, look again
        for start, end, decoded in _percent_decoded_lines(text):
            if not any(start <= offset < end for offset, _ in found):
                yield from ((start, f"{what}, percent-decoded") for _, what in known.find(decoded))


def _percent_decoded_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, the line decoded) of each line holding a ``%``, decoded once and twice: a value
    may be percent-encoded in ways no list of forms can enumerate."""
    start = 0
    for line in text.splitlines(keepends=True):
        if "%" in line:
            once = unquote(line)
            yield start, start + len(line), once
            if "%" in once:
                yield start, start + len(line), unquote(once)
        start += len(line)


_WIDE_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _texts_of_binary(data: bytes, nesting: int = 0) -> Iterator[str]:
    """The texts a binary body may hold: every byte as a character (ASCII and UTF-8 runs inside
    audio, images or unknown formats), and, where NUL bytes say a wide encoding may be in use,
    UTF-16 and UTF-32 in either byte order, each at every alignment; and those of the file it
    holds when it is a compressed file with no content-encoding to undo (a downloaded ``.gz``,
    ``.br`` or ``.zst``): the bytes it holds are written too."""
    yield data.decode("latin-1")
    yield from _wide_texts(data)
    inflated = unlabelled_contents(data, _MAX_INFLATED) if nesting < _MAX_NESTING else None
    if inflated is not None:
        yield from _texts_of_binary(inflated, nesting + 1)


def _wide_texts(data: bytes) -> Iterator[str]:
    if b"\x00" not in data:
        return
    for encoding in _WIDE_ENCODINGS:
        width = 4 if "32" in encoding else 2
        for shift in range(width):
            yield data[shift:].decode(encoding, errors="replace")


_MAX_INFLATED = 64 * 1024 * 1024  # the default max_cassette_bytes: a bomb stops there
_MAX_NESTING = 3  # a .tar.gz sent brotli-compressed is two; a gzip quine holds itself forever


def holds_secret(known: KnownSecrets, patterns: Sequence[PatternRule] = ()) -> Callable[[str], bool]:
    """Whether a string holds a known value or a pattern match (remembered: keys repeat a lot)."""
    rules = pattern_set(patterns)

    @functools.cache
    def remembered(text: str, header_name: bool) -> bool:
        carrier = HeaderName(text) if header_name else text
        return next(_hits(carrier, known, rules), None) is not None

    return lambda text: remembered(str(text), isinstance(text, HeaderName))


def find_secrets_in_interactions(
    interactions: Iterable[Interaction], known: KnownSecrets, patterns: Sequence[PatternRule] = ()
) -> list[Finding]:
    """Every known value or pattern match left in the interactions, by location (an object key
    that is a secret shows as ``<key>`` there)."""
    findings: list[Finding] = []
    secret_key = holds_secret(known, patterns)
    rules = pattern_set(patterns)
    for index, interaction in enumerate(interactions):
        strings = list(places_of_interaction(index, interaction))
        if not _may_hold_secrets([text for _, text in strings], known, rules):
            continue
        for place, text in strings:
            for _, what in _hits(text, known, rules):
                findings.append(Finding(what, place.describe(secret_key)))
    return list(dict.fromkeys(findings))


def _may_hold_secrets(texts: Sequence[str | bytes], known: KnownSecrets, rules: PatternSet) -> bool:
    """False only when :func:`_hits` finds nothing in any of ``texts``: the known values are
    looked for in all of them at once, the patterns asked string by string (their pre-check
    remembers the short strings the redaction has just asked about)."""
    plain: list[str] = []
    names: list[str] = []
    for text in texts:
        if isinstance(text, bytes) or "\x00" in text:
            return True  # rare (bodies that are not text, or wide text kept as UTF-8): the full search
        (names if isinstance(text, HeaderName) else plain).append(text)
    if known.may_occur(plain) or known.may_occur(names, case_insensitive=True):
        return True
    # what _hits looks for once percent-decoded: the decoded lines of every string holding a %
    decoded = [
        line for text in (*plain, *names) if "%" in text for _, _, line in _percent_decoded_lines(text)
    ]
    if known.may_occur(decoded):
        return True
    return any(map(rules.may_hit, plain)) or any(map(rules.may_hit, names))


def find_secrets_in_text(
    text: str, known: KnownSecrets, patterns: Sequence[PatternRule] = (), *, path: str | None = None
) -> list[Finding]:
    """Every known value or pattern match in serialized text, by ``path:line``."""
    findings = {
        Finding(what, file=path, line=text.count("\n", 0, offset) + 1)
        for offset, what in _hits(text, known, pattern_set(patterns))
    }
    return sorted(findings, key=lambda finding: (finding.line or 0, finding.what))


def find_secrets_in_document(
    document: Any, known: KnownSecrets, patterns: Sequence[PatternRule] = ()
) -> list[Finding]:
    """The structure's view: a cassette's interactions field by field (bodies decoded as JSON), any
    other document (a snapshot file) by its JSON paths."""
    interactions = document.get("interactions") if isinstance(document, Mapping) else None
    if isinstance(interactions, list):
        return find_secrets_in_interactions(interactions, known, patterns)
    secret_key = holds_secret(known, patterns)
    rules = pattern_set(patterns)
    findings = [
        Finding(
            what, format_path(tuple("<key>" if isinstance(s, str) and secret_key(s) else s for s in path))
        )
        for path, text in strings_of_json(document, ())
        for _, what in _hits(text, known, rules)
    ]
    return list(dict.fromkeys(findings))


@dataclass(frozen=True, slots=True)
class Gate:
    """What every byte the plugin writes is checked against: the secret values known at the moment
    of writing, and the secret patterns of the rules in force."""

    known: KnownSecrets
    patterns: tuple[PatternRule, ...] = ()

    def secret_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every known value and pattern hit in ``text`` (a file name)."""
        return [*self.known.spans(text), *((s, e) for s, e, _ in find_pattern_hits(text, self.patterns))]

    def mask(self, text: str) -> str:
        """``text`` as it may be shown: known values (any form) and pattern hits as ``<secret>``."""
        pieces: list[str] = []
        last = 0
        for start, end in sorted(self.secret_spans(text)):
            if end <= last:
                continue
            pieces += (text[last : max(start, last)], "<secret>")
            last = end
        return self.known.mask("".join(pieces) + text[last:])

    def findings(self, document: Any, text: str, *, path: str) -> list[Finding]:
        """Both views of what is about to be written: the structure (names the field) and the exact
        text (catches what serialization produced, e.g. escapes, and gives the line)."""
        return [
            *find_secrets_in_document(document, self.known, self.patterns),
            *find_secrets_in_text(text, self.known, self.patterns, path=path),
        ]


_ADVICE = (
    "Add a redaction rule for these places (headers, query_params, body_paths, patterns or a "
    "callable, in convreplay_config or the marker) and record again."
)


def leak_error(findings: Sequence[Finding], path: str, *, hint: str = "") -> SecretLeakError:
    """The refusal: where each secret is (never what it is), and what to do. A line is one of the
    text that was refused: the file it was meant for holds no such line (or an older one)."""
    lines = "\n".join(
        f"  - {finding.file}: {finding.what} (line {finding.line} of the refused text)"
        if finding.file and finding.line and not finding.where
        else f"  - {finding}"
        for finding in findings
    )
    return SecretLeakError(
        f"refusing to write {path}: {len(findings)} secret finding(s), nothing was written.\n"
        f"{lines}\n{_ADVICE}" + (f"\n{hint}" if hint else ""),
        findings=findings,
    )
