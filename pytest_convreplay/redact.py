"""Redaction rules and their application: what a cassette holds is what everyone with the repo reads.

Rules are small typed objects with a parser (like insta's selectors), not ad-hoc callbacks:

- ``HeaderRule``: a header by name, on the request, the response or both, replaced whole by
  ``<REDACTED:name>``.
- ``QueryRule``: a query parameter by name, value replaced by ``<REDACTED:name>`` (percent-encoded).
- ``BodyPathRule``: a JSON field by selector (``data[*].content[*].text``, ``**.api_key``),
  replaced whole by ``<REDACTED:label>``.
- ``PatternRule``: a regular expression over every string (URIs, header values, bodies and
  strings that are themselves JSON), the match replaced by ``<REDACTED:label:hash8>``.

Name-based placeholders do not depend on the value, so a live request that carries the real key
and a cassette that carries the placeholder normalize to the same thing on replay. Pattern hits
carry a short keyed hash (HMAC-SHA256 with ``hash_key``, first 8 hex digits) so that equal
secrets stay equal in a file and re-recording the same data gives the same bytes. The default
key is a public constant: the hash is for stability, not secrecy; 32 bits of a high-entropy key
reveal nothing useful, but set your own ``hash_key`` if low-entropy values (passwords) are matched.

Redaction is idempotent: patterns are only applied to text outside existing placeholders, and
each string is redacted until it no longer changes.

Bodies are redacted in the clear: gzip/deflate (and br/zstd when ``brotli``/``zstandard`` are
installed) are decoded first and stored decoded. A body that cannot be decoded, or that is not
UTF-8 text, raises UndecodableBodyError unless ``allow_undecodable`` is set, in which case it is
kept byte for byte (compressed bodies keep their content-encoding) and is not inspected.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import gzip
import hashlib
import hmac
import importlib
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar, cast
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

from .errors import ConfigError, UndecodableBodyError
from .interactions import Headers, Interaction, header_values, json_body, json_container

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_BODY_PATHS",
    "DEFAULT_HASH_KEY",
    "DEFAULT_HEADERS",
    "DEFAULT_PATTERNS",
    "DEFAULT_QUERY_PARAMS",
    "MIN_SECRET_LENGTH",
    "PLACEHOLDER_RE",
    "BodyPath",
    "BodyPathRule",
    "HeaderRule",
    "JsonPath",
    "PatternRule",
    "QueryRule",
    "RedactionRules",
    "UserRedactor",
    "decode_body",
    "find_pattern_hits",
    "format_path",
    "is_event_stream",
    "narrow_accept_encoding",
    "pattern_rules",
    "placeholder",
    "redact_interaction",
    "redact_request",
    "redact_text",
    "redact_uri",
    "sse_data",
]

JsonPath = tuple[str | int, ...]
UserRedactor = Callable[[Interaction], Interaction]
Side = Literal["request", "response"]

DEFAULT_HASH_KEY = b"pytest-convreplay redaction v1"
# Shorter values ("org", "test") occur by chance anywhere: the gate ignores them, nor are they learned.
MIN_SECRET_LENGTH = 8

# Every placeholder this module writes; text inside one is never redacted again.
PLACEHOLDER_RE = re.compile(r"<REDACTED:[^<>:\s]+(?::[0-9a-f]{8})?>")
_LABEL_RE = re.compile(r"[^<>:\s]+")

DEFAULT_HEADERS = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-admin-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
)
DEFAULT_QUERY_PARAMS = (
    "api_key",
    "api-key",
    "apikey",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "secret",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
)
DEFAULT_BODY_PATHS = (
    "**.api_key",
    "**.client_secret",
    "**.password",
    "**.access_token",
    "**.refresh_token",
    "**.authorization",
)
_TOKEN = r"[A-Za-z0-9._~+/-]"


def _starts(word: str, literal: str) -> str:
    """``literal`` (fixed width) where no ``word`` character comes before it, or one that ends a
    JSON escape (``\\n``, ``\\t``, ``\\u00e9``): in escaped text (raw JSON, YAML) a key after a
    newline follows an ``n``. The literal comes first so that the regex engine can scan for it."""
    return rf"{literal}(?:(?<!{word}{literal})|(?<=\\[nrtbf]{literal})|(?<=\\u[0-9A-Fa-f]{{4}}{literal}))"


DEFAULT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("openai-key", _starts("[A-Za-z0-9]", "sk-") + "[A-Za-z0-9_-]{20,}"),
    ("openai-session", _starts("[A-Za-z0-9]", "sess-") + "[A-Za-z0-9]{16,}"),
    # Only the token is replaced; it must contain a digit so that prose ("bearer authentication") survives.
    (
        "bearer",
        "(?i)" + _starts(r"\w", "bearer") + rf"\s+(?P<secret>(?={_TOKEN}{{8}}){_TOKEN}*[0-9]{_TOKEN}*=*)",
    ),
    ("aws-access-key-id", _starts("[A-Z0-9]", "A[KS]IA") + "[A-Z0-9]{16}(?![A-Z0-9])"),
    ("github-token", _starts("[A-Za-z0-9]", "gh[pousr]_") + "[A-Za-z0-9]{36,}"),
    ("jwt", _starts("[A-Za-z0-9_-]", "eyJ") + r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    (
        "private-key",
        r"-----BEGIN (?P<kind>[A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END (?P=kind)PRIVATE KEY-----",
    ),
)


def placeholder(label: str) -> str:
    """The value-independent placeholder of header, query and body-path rules."""
    return f"<REDACTED:{label}>"


def _hashed_placeholder(label: str, secret: str, key: bytes) -> str:
    digest = hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return f"<REDACTED:{label}:{digest[:8]}>"


def _check_label(label: str, what: str) -> str:
    if not _LABEL_RE.fullmatch(label):
        raise ConfigError(f"{what} {label!r}: must be non-empty, without spaces, ':', '<' or '>'")
    return label


# --------------------------------------------------------------------------------------- rules

_HEADER_NAME_RE = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """Replace every value of a header (matched case-insensitively) by ``<REDACTED:name>``."""

    name: str
    side: Literal["request", "response", "both"] = "both"

    def __post_init__(self) -> None:
        if not _HEADER_NAME_RE.fullmatch(self.name):
            raise ConfigError(f"header rule {self.name!r}: not a valid HTTP header name")
        if self.side not in ("request", "response", "both"):
            raise ConfigError(f"header rule {self.name!r}: side must be request, response or both")
        object.__setattr__(self, "name", self.name.lower())

    @classmethod
    def parse(cls, text: str) -> HeaderRule:
        """``name`` (both sides), ``request:name`` or ``response:name``."""
        side, _, name = text.strip().rpartition(":")
        if side not in ("", "request", "response", "both"):
            raise ConfigError(
                f"header rule {text!r}: unknown side {side!r}; "
                "write 'name', 'request:name' or 'response:name'"
            )
        return cls(name, cast(Literal["request", "response", "both"], side or "both"))

    def applies(self, side: Side, header: str) -> bool:
        return self.side in (side, "both") and header.lower() == self.name

    @property
    def placeholder(self) -> str:
        return placeholder(self.name)


@dataclass(frozen=True, slots=True)
class QueryRule:
    """Replace the value of a query parameter (name matched case-insensitively, after decoding)."""

    name: str

    def __post_init__(self) -> None:
        _check_label(self.name.strip(), "query parameter rule")
        object.__setattr__(self, "name", self.name.strip().lower())

    @classmethod
    def parse(cls, text: str) -> QueryRule:
        return cls(text)

    @property
    def placeholder(self) -> str:
        return placeholder(self.name)


class Wildcard(enum.Enum):
    """Selector steps that stand for more than one concrete key or index."""

    ANY = "*"  # one key or one index
    ANY_INDEX = "[*]"  # one index
    DEEP = "**"  # zero or more steps


Step = str | int | Wildcard

_NAME_CHARS = r"[A-Za-z0-9_$@\-]+"
_STEP_RE = re.compile(
    rf"""(?P<dot>\.)?(?:(?P<deep>\*\*)|(?P<any>\*)|(?P<name>{_NAME_CHARS}))
       |\[(?:(?P<any_index>\*)|(?P<index>[0-9]+)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\]""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class BodyPath:
    """A selector over JSON: names, ``[n]``, ``["odd.name"]``, ``[*]``, ``*`` (one step), ``**`` (any depth).

    ``data[*].content[*].text`` selects the text of every content part of every item;
    ``**.encrypted_content`` selects that field wherever it is, the top level included.
    """

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, text: str) -> BodyPath:
        """Parse a selector; ConfigError names the selector and the position of the problem."""
        steps: list[Step] = []
        pos = 0
        while pos < len(text):
            match = _STEP_RE.match(text, pos)
            if match is None:
                raise _selector_error(text, pos, "expected '.name', '[n]', '[*]', '[\"name\"]', '*' or '**'")
            if steps and match["dot"] is None and _is_bare(match):
                raise _selector_error(text, pos, "expected '.' before a name, '*' or '**'")
            steps.append(_step_of(match))
            pos = match.end()
        if not steps:
            raise _selector_error(text, 0, "empty selector")
        return cls(text, tuple(steps))

    def matches(self, path: JsonPath) -> bool:
        return _matches(self.steps, 0, path, 0)

    @property
    def last_name(self) -> str | None:
        names = [step for step in self.steps if isinstance(step, str)]
        return names[-1] if names else None

    def __str__(self) -> str:
        return self.text


def _is_bare(match: re.Match[str]) -> bool:
    """A name, ``*`` or ``**`` step written without its leading dot (only allowed first)."""
    return match["deep"] is not None or match["any"] is not None or match["name"] is not None


def _step_of(match: re.Match[str]) -> Step:
    if match["deep"] is not None:
        return Wildcard.DEEP
    if match["any"] is not None:
        return Wildcard.ANY
    if match["any_index"] is not None:
        return Wildcard.ANY_INDEX
    if match["index"] is not None:
        return int(match["index"])
    for group in ("name", "dq", "sq"):
        if match[group] is not None:
            return match[group]
    raise AssertionError("unreachable: every alternative of _STEP_RE sets a group")


def _selector_error(text: str, pos: int, problem: str) -> ConfigError:
    return ConfigError(f"body path {text!r}: {problem} at position {pos}\n    {text}\n    {' ' * pos}^")


def _matches(steps: tuple[Step, ...], si: int, path: JsonPath, pi: int) -> bool:
    if si == len(steps):
        return pi == len(path)
    step = steps[si]
    if step is Wildcard.DEEP:
        return any(_matches(steps, si + 1, path, later) for later in range(pi, len(path) + 1))
    if pi == len(path):
        return False
    here = path[pi]
    if step is Wildcard.ANY:
        fits = True
    elif step is Wildcard.ANY_INDEX:
        fits = isinstance(here, int)
    else:
        fits = type(step) is type(here) and step == here
    return fits and _matches(steps, si + 1, path, pi + 1)


def format_path(path: JsonPath) -> str:
    """``data[2].content[0].text``; keys that are not plain names are quoted (``["a.b"]``)."""
    out: list[str] = []
    for step in path:
        if isinstance(step, int):
            out.append(f"[{step}]")
        elif re.fullmatch(_NAME_CHARS, step):
            out.append(f".{step}" if out else step)
        else:
            out.append(f"[{json.dumps(step)}]")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class BodyPathRule:
    """Replace the JSON value at a selector (in request and response bodies) by ``<REDACTED:label>``."""

    path: BodyPath
    label: str

    def __post_init__(self) -> None:
        _check_label(self.label, f"body path {self.path.text!r}: label")

    @classmethod
    def parse(cls, text: str) -> BodyPathRule:
        """A selector; the label is its last name (``body`` when it has none)."""
        path = BodyPath.parse(text.strip())
        return cls(path, path.last_name or "body")

    @property
    def placeholder(self) -> str:
        return placeholder(self.label)


_LABELLED_RE = re.compile(r"([a-z0-9][a-z0-9_.-]*)=(.+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PatternRule:
    """A regex over every string; the match (or its ``secret`` group) becomes ``<REDACTED:label:hash8>``."""

    label: str
    regex: re.Pattern[str]

    def __post_init__(self) -> None:
        _check_label(self.label, "pattern label")

    @classmethod
    def parse(cls, text: str, label: str = "pattern") -> PatternRule:
        """``label=regex`` (label in lower-case letters, digits, ``_.-``) or a bare regex."""
        labelled = _LABELLED_RE.fullmatch(text)
        if labelled:
            label, text = labelled.group(1), labelled.group(2)
        try:
            regex = re.compile(text)
        except re.error as exc:
            raise ConfigError(f"pattern {label}={text!r}: not a valid regular expression: {exc}") from None
        return cls(label, regex)

    def secret_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The part of a match that is the secret (``(?P<secret>...)`` when the regex has it)."""
        if "secret" in self.regex.groupindex and match.start("secret") >= 0:
            return match.span("secret")
        return match.span()


# ------------------------------------------------------------------------------- rule set


@dataclass(frozen=True, slots=True)
class RedactionRules:
    """Everything that decides what a written cassette may contain; built once per test."""

    headers: tuple[HeaderRule, ...] = ()
    query_params: tuple[QueryRule, ...] = ()
    body_paths: tuple[BodyPathRule, ...] = ()
    patterns: tuple[PatternRule, ...] = ()
    callables: tuple[UserRedactor, ...] = ()
    allow_undecodable: bool = False
    hash_key: bytes = DEFAULT_HASH_KEY
    learned: tuple[PatternRule, ...] = ()

    @classmethod
    def default(cls) -> RedactionRules:
        return cls.from_options()

    @classmethod
    def from_options(
        cls,
        *,
        headers: Iterable[str | HeaderRule] = (),
        query_params: Iterable[str | QueryRule] = (),
        body_paths: Iterable[str | BodyPathRule] = (),
        patterns: Iterable[str | re.Pattern[str] | PatternRule] | Mapping[str, str | re.Pattern[str]] = (),
        callables: Iterable[UserRedactor] = (),
        extend_defaults: bool = True,
        allow_undecodable: bool = False,
        hash_key: str | bytes | None = None,
    ) -> RedactionRules:
        """Rules from option values (strings from ini/marker, or rule objects); defaults first unless
        ``extend_defaults`` is False. Raises ConfigError naming the bad value."""
        user_patterns = pattern_rules(patterns)
        base = DEFAULT_PATTERNS if extend_defaults else ()
        if isinstance(hash_key, str):
            hash_key = hash_key.encode("utf-8")
        for func in callables:
            if not callable(func):
                raise ConfigError(f"redaction callables: {func!r} is not callable")
        return cls(
            headers=_unique(_rules(HeaderRule, (*(DEFAULT_HEADERS if extend_defaults else ()), *headers))),
            query_params=_unique(
                _rules(QueryRule, (*(DEFAULT_QUERY_PARAMS if extend_defaults else ()), *query_params))
            ),
            body_paths=_unique(
                _rules(BodyPathRule, (*(DEFAULT_BODY_PATHS if extend_defaults else ()), *body_paths))
            ),
            patterns=_unique((*(PatternRule.parse(regex, label) for label, regex in base), *user_patterns)),
            callables=tuple(callables),
            allow_undecodable=allow_undecodable,
            hash_key=hash_key or DEFAULT_HASH_KEY,
        )

    def header_rule(self, side: Side, name: str) -> HeaderRule | None:
        return next((rule for rule in self.headers if rule.applies(side, name)), None)

    def query_rule(self, name: str) -> QueryRule | None:
        wanted = name.strip().lower()
        return next((rule for rule in self.query_params if rule.name == wanted), None)

    def body_rule(self, path: JsonPath) -> BodyPathRule | None:
        return next((rule for rule in self.body_paths if rule.path.matches(path)), None)

    def learning(self, interactions: Iterable[Interaction]) -> RedactionRules:
        """These rules, and in responses, every value a response header rule redacts is redacted
        wherever else it shows as well: the org id of ``openai-organization`` is in the API's 429
        message ("... in organization org-... on requests per min")."""
        by_header: dict[str, set[str]] = {}
        for interaction in interactions:
            for name, value in self.redacted_header_values(interaction["response"]["headers"], "response"):
                by_header.setdefault(name, set()).add(value)
        learned = (  # one rule per header, however many pages: the cost of a rule is per string
            PatternRule(
                name, re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            )
            for name, values in sorted(by_header.items())
        )
        return replace(self, learned=_unique((*self.learned, *learned)))

    def redacted_header_values(self, headers: Mapping[str, Any], side: Side) -> Iterator[tuple[str, str]]:
        """(header name, value) of each value a header rule replaces, long enough to be specific.
        Cookies are left out: a fresh random value per response, never echoed in a body, and
        learning them would grow the rules with every page recorded."""
        for name, values in headers.items():
            rule = self.header_rule(side, name)
            if rule is None or name.lower() in ("set-cookie", "cookie"):
                continue
            for value in [values] if isinstance(values, str) else values:
                if len(str(value).strip()) >= MIN_SECRET_LENGTH:
                    yield rule.name, str(value).strip()


_Rule = TypeVar("_Rule", HeaderRule, QueryRule, BodyPathRule)
_T = TypeVar("_T")


def _rules(kind: type[_Rule], values: Iterable[str | _Rule]) -> list[_Rule]:
    return [value if isinstance(value, kind) else kind.parse(cast(str, value)) for value in values]


def pattern_rules(
    patterns: Iterable[str | re.Pattern[str] | PatternRule] | Mapping[str, str | re.Pattern[str]],
) -> list[PatternRule]:
    if isinstance(patterns, Mapping):
        return [_pattern_rule(regex, label) for label, regex in patterns.items()]
    return [_pattern_rule(regex, "pattern") for regex in patterns]


def _pattern_rule(value: str | re.Pattern[str] | PatternRule, label: str) -> PatternRule:
    if isinstance(value, PatternRule):
        return value
    if isinstance(value, re.Pattern):
        return PatternRule(label, value)
    return PatternRule.parse(value, label)


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------------- decoding


def _zstd_decoder() -> Callable[[bytes], bytes] | None:
    for module in ("compression.zstd", "backports.zstd"):  # the stdlib's (3.14+), or its backport
        with contextlib.suppress(ImportError):
            return cast(Callable[[bytes], bytes], importlib.import_module(module).decompress)
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        return None

    def decompress(data: bytes) -> bytes:
        # Streaming: frames written without a content size cannot be decompressed in one call.
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            return cast(bytes, reader.read())

    return decompress


def _brotli_decoder() -> Callable[[bytes], bytes] | None:
    try:
        brotli = importlib.import_module("brotli")
    except ImportError:
        return None
    return cast(Callable[[bytes], bytes], brotli.decompress)


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        # Some servers send raw deflate without the zlib header the RFC asks for.
        return zlib.decompress(data, -zlib.MAX_WBITS)


def _decoders() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes] | None] = {
        "gzip": gzip.decompress,
        "x-gzip": gzip.decompress,
        "deflate": _inflate,
        "br": _brotli_decoder(),
        "zstd": _zstd_decoder(),
    }
    return {name: decoder for name, decoder in found.items() if decoder is not None}


_DECODERS = _decoders()

ACCEPT_ENCODING = ", ".join(name for name in ("gzip", "deflate", "br", "zstd") if name in _DECODERS)
"""The encodings this plugin can decode."""


def narrow_accept_encoding(sent: str | None) -> str:
    """The ``accept-encoding`` a recording sends: the client's codings that the redaction can decode
    too. Adding codings the client did not offer would hand it bytes it cannot read (httpx2 decodes
    zstd through another library than httpx does), so the list only ever shrinks."""
    kept = [
        token.strip()
        for token in (sent or "").split(",")
        if (coding := token.split(";")[0].strip().lower()) in _DECODERS or coding == "identity"
    ]
    return ", ".join(kept) or "identity"


_HOW_TO_ALLOW = (
    "set allow_undecodable (ini convreplay_allow_undecodable or the marker/convreplay_config option) "
    "to store it unchecked"
)


def decode_body(data: bytes, content_encoding: str) -> bytes:
    """Undo a ``content-encoding`` list (applied in order, so undone in reverse).

    Raises UndecodableBodyError for an unknown or unavailable coding or a corrupt body.
    """
    codings = [coding.strip().lower() for coding in content_encoding.split(",") if coding.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        decoder = _DECODERS.get(coding)
        if decoder is None:
            hint = {"br": " (install 'brotli')", "zstd": " (install 'zstandard')"}.get(coding, "")
            raise UndecodableBodyError(f"content-encoding {coding!r} cannot be decoded here{hint}")
        try:
            data = decoder(data)
        except Exception as exc:
            raise UndecodableBodyError(f"corrupt {coding} body: {exc}") from None
    return data


# ---------------------------------------------------------------------------- application


def find_pattern_hits(text: str, patterns: Iterable[PatternRule]) -> Iterator[tuple[int, int, PatternRule]]:
    """Secret spans (start, end, rule) of pattern matches, never inside an existing placeholder."""
    patterns = tuple(patterns)
    return _hits(text, patterns, patterns)


def _hits(
    text: str, rules: tuple[PatternRule, ...], in_use: tuple[PatternRule, ...]
) -> Iterator[tuple[int, int, PatternRule]]:
    """Hits of ``rules``; placeholders are recognised by the labels and patterns of ``in_use``."""
    for segment_start, segment in _unredacted_segments(text, in_use):
        for rule in rules:
            for match in rule.regex.finditer(segment):
                start, end = rule.secret_span(match)
                if end > start:
                    yield segment_start + start, segment_start + end, rule


def _is_placeholder(found: re.Match[str], patterns: tuple[PatternRule, ...]) -> bool:
    """Text shaped like a placeholder whose label is itself a secret (``<REDACTED:sk-proj-…>``) is
    not one, or it would hide that secret; the rules' own labels always are (a greedy user pattern
    may match them)."""
    label = found.group()[len("<REDACTED:") :].partition(":")[0].rstrip(">")
    return any(rule.label == label for rule in patterns) or not any(
        rule.regex.search(label) for rule in patterns
    )


def _unredacted_segments(text: str, patterns: tuple[PatternRule, ...]) -> Iterator[tuple[int, str]]:
    start = 0
    for found in PLACEHOLDER_RE.finditer(text):
        if not _is_placeholder(found, patterns):
            continue
        if found.start() > start:
            yield start, text[start : found.start()]
        start = found.end()
    if start < len(text):
        yield start, text[start:]


_MAX_PASSES = 8


class _Redactor:
    """Applies one RedactionRules to strings, URIs, headers and bodies."""

    def __init__(self, rules: RedactionRules, learned: tuple[PatternRule, ...] = ()) -> None:
        self.rules = rules
        self._patterns = (*rules.patterns, *learned)

    # Strings ------------------------------------------------------------------------------

    def patterns(self, text: str) -> str:
        """Pattern hits replaced until the text no longer changes (a replacement can expose a new
        match boundary, e.g. a lookbehind that now sees ``>``)."""
        for _ in range(_MAX_PASSES):
            redacted = self._patterns_once(text)
            if redacted == text:
                break
            text = redacted
        return text

    def _patterns_once(self, text: str) -> str:
        for rule in self._patterns:
            pieces: list[str] = []
            last = 0
            for start, end, _ in _hits(text, (rule,), self._patterns):
                if start < last:
                    continue
                pieces += (
                    text[last:start],
                    _hashed_placeholder(rule.label, text[start:end], self.rules.hash_key),
                )
                last = end
            if pieces:
                text = "".join(pieces) + text[last:]
        return text

    def string(self, text: str, path: JsonPath) -> str:
        """A JSON string value: nested JSON first (so paths apply inside it; a JSON string literal,
        ``json.dumps`` of a str, counts too), then URLs and patterns."""
        nested = json_container(text)
        if nested is None and text.startswith('"'):
            nested = json_body(text)
            if isinstance(nested, str):
                redacted_text = self.string(nested, path)
                return json.dumps(redacted_text, ensure_ascii=False) if redacted_text != nested else text
            nested = None
        if nested is not None:
            redacted = self.json(nested, path)
            if redacted != nested:
                text = json.dumps(redacted, ensure_ascii=False, separators=(",", ":"))
        return self.text(text)

    def text(self, text: str) -> str:
        """Free text: http(s) URLs get the URI rules (a presigned URL's ``sig``), then patterns."""
        if "://" in text:
            text = _URL_RE.sub(lambda found: self.uri(found.group()), text)
        return self.patterns(text)

    def json(self, value: Any, path: JsonPath) -> Any:
        rule = self.rules.body_rule(path)
        if rule is not None:
            return rule.placeholder
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, dict):
            return {self.patterns(key): self.json(item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.json(item, (*path, index)) for index, item in enumerate(value)]
        return value

    # URIs -----------------------------------------------------------------------------------

    def query(self, query: str) -> str:
        """Query values by name or by pattern; untouched pairs keep their exact bytes and order."""
        if not query:
            return query
        pairs: list[str] = []
        for pair in query.split("&"):
            raw_name, equals, raw_value = pair.partition("=")
            rule = self.rules.query_rule(unquote_plus(raw_name))
            value = unquote_plus(raw_value)
            redacted = rule.placeholder if rule is not None and equals else self.patterns(value)
            pairs.append(f"{raw_name}={quote(redacted, safe='')}" if redacted != value else pair)
        return "&".join(pairs)

    def uri(self, uri: str) -> str:
        """Userinfo (a token is often the username alone: ``https://<token>@host``) becomes one
        placeholder; path patterns and query rules apply."""
        parts = urlsplit(uri)
        netloc = parts.netloc
        userinfo, at, host = netloc.rpartition("@")
        if at and unquote(userinfo) != _USERINFO:
            netloc = f"{quote(_USERINFO, safe='')}@{host}"
        clear_path = unquote(parts.path)
        path = self.patterns(clear_path)
        path = parts.path if path == clear_path else quote(path, safe="/")
        redacted = (parts.scheme, netloc, path, self.query(parts.query), parts.fragment)
        if redacted == tuple(parts):
            return uri
        return urlunsplit(redacted)

    # Headers and bodies ---------------------------------------------------------------------

    def headers(self, headers: Headers, side: Side) -> Headers:
        out: dict[str, Any] = {}
        for name, values in headers.items():
            rule = self.rules.header_rule(side, name)
            if rule is not None:
                redact = _constant(rule.placeholder)
            else:
                redact = self.uri if name.lower() in _URL_HEADERS else self.patterns
            out[name] = redact(values) if isinstance(values, str) else [redact(value) for value in values]
        return out

    def body(self, body: str | bytes | None, headers: Headers) -> str | bytes | None:
        if not isinstance(body, str) or not body:
            return body
        if "application/x-www-form-urlencoded" in ",".join(header_values(headers, "content-type")).lower():
            return self.patterns(self.query(body))
        if is_event_stream(headers):
            return "\n".join(self._event_line(line) for line in body.split("\n"))
        return self.document(body)

    def document(self, text: str) -> str:
        """JSON text field by field (rewritten, in its own layout, only when a field changed);
        other text as free text."""
        document = json_container(text)
        if document is None:
            return self.text(text)
        redacted = self.json(document, ())
        if redacted == document:
            return self.patterns(text)
        indent = 2 if "\n" in text.strip() else None
        separators = (",", ": ") if indent else (",", ":")
        return json.dumps(redacted, ensure_ascii=False, indent=indent, separators=separators)

    def _event_line(self, line: str) -> str:
        """One line of a server-sent event stream: a ``data:`` line is a JSON event of its own."""
        data = sse_data(line)
        if data is None:
            return self.patterns(line)
        start = len("data:") + line.startswith("data: ")
        return line[:start] + self.document(data) + line[start + len(data) :]


_URL_RE = re.compile(r"""https?://[^\s"'<>\\]+""", re.IGNORECASE)
_URL_HEADERS = ("location", "content-location")
_USERINFO = placeholder("userinfo")


def sse_data(line: str) -> str | None:
    """The value of a server-sent event's ``data:`` line (None for any other line)."""
    field, colon, value = line.rstrip("\r\n").partition(":")
    if field != "data" or not colon:
        return None
    return value[1:] if value.startswith(" ") else value


def is_event_stream(headers: Mapping[str, Any]) -> bool:
    """Whether a part's ``content-type`` is ``text/event-stream`` (header values as list or str)."""
    return any(
        key.lower() == "content-type" and "text/event-stream" in str(values).lower()
        for key, values in headers.items()
    )


def _constant(value: str) -> Callable[[str], str]:
    return lambda _: value


def redact_text(text: str, rules: RedactionRules) -> str:
    """Free text (an assertion message) with the rules' pattern hits replaced."""
    return _Redactor(rules).patterns(text)


def redact_uri(uri: str, rules: RedactionRules) -> str:
    """The URI with query values (by name or pattern), path secrets and passwords redacted.

    Name-based placeholders do not depend on the value, so the live request (real key) and the
    cassette (placeholder) normalize to the same URI; parameter order and repeats are kept.
    """
    return _Redactor(rules).uri(uri)


def redact_request(
    method: str, uri: str, body: object, rules: RedactionRules, headers: Mapping[str, Any] | None = None
) -> tuple[str, object]:
    """A live request's URI and body as a cassette stores them, for matching it on replay: the
    request side of :func:`redact_interaction`, user callables included (they get the request's
    headers and an empty 200 response beside it); ``headers`` (values as text or lists) decide
    how the body is read, e.g. as a form. A body that is not UTF-8 text is passed through as is."""
    redactor = _Redactor(rules)
    uri = redactor.uri(uri)
    as_lists: Headers = {
        name: [values] if isinstance(values, str) else list(values)
        for name, values in (headers or {}).items()
    }
    if isinstance(body, bytes | bytearray):
        with contextlib.suppress(UnicodeDecodeError):
            body = bytes(body).decode("utf-8")
    if rules.callables:
        request = {"method": method, "uri": uri, "body": body, "headers": as_lists}
        response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": ""}}
        request = _run_callables({"request": request, "response": response}, rules)["request"]
        uri, body, as_lists = redactor.uri(request["uri"]), request.get("body"), request["headers"]
    return uri, redactor.body(body, as_lists) if isinstance(body, str) else body


def _run_callables(interaction: dict[str, Any], rules: RedactionRules) -> dict[str, Any]:
    for func in rules.callables:
        interaction = cast(dict[str, Any], func(cast(Interaction, interaction)))
    return interaction


def redact_interaction(interaction: Interaction, rules: RedactionRules) -> Interaction:
    """A new interaction, bodies decoded and every rule applied; the input is not modified.

    User callables run after decoding and before the built-in rules, so they see clear bodies
    and their output still goes through the patterns. Raises UndecodableBodyError for a body
    that cannot be inspected unless ``rules.allow_undecodable``.
    """
    redactor = _Redactor(rules)
    result = cast(dict[str, Any], copy.deepcopy(interaction))
    request, response = result["request"], result["response"]
    request["uri"] = redactor.uri(request["uri"])
    where = f"{request.get('method', '?')} {request['uri']}"
    request["body"] = _decoded(request.get("body"), request["headers"], f"{where} (request body)", rules)
    if "body" in response:
        response["body"]["string"] = _decoded(
            response["body"].get("string"), response["headers"], f"{where} (response body)", rules
        )
    result = _run_callables(result, rules)
    request, response = result["request"], result["response"]
    request["uri"] = redactor.uri(request["uri"])
    request["headers"] = redactor.headers(request["headers"], "request")
    request["body"] = redactor.body(request.get("body"), request["headers"])
    answer = _Redactor(rules, rules.learned)
    response["headers"] = answer.headers(response["headers"], "response")
    if "body" in response:
        response["body"]["string"] = answer.body(response["body"].get("string"), response["headers"])
    _fix_content_length(request, _body_of(interaction["request"]))
    _fix_content_length(response, _body_of(interaction["response"]))
    return cast(Interaction, result)


def _body_of(part: Any) -> Any:
    body = part.get("body")
    return body.get("string") if isinstance(body, dict) else body


def _decoded(
    body: str | bytes | None, headers: Headers, where: str, rules: RedactionRules
) -> str | bytes | None:
    """The body as text; drops the content-encoding header (in place) once the body is decoded."""
    if not isinstance(body, bytes) or not body:
        return body
    encoding = ", ".join(header_values(headers, "content-encoding"))
    try:
        data = decode_body(body, encoding)
    except UndecodableBodyError as exc:
        if rules.allow_undecodable:
            return body
        raise UndecodableBodyError(
            f"{where}: {exc}, so it cannot be checked for secrets and nothing was written; {_HOW_TO_ALLOW}"
        ) from None
    _drop_header(headers, "content-encoding")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if rules.allow_undecodable:
            return data
        raise UndecodableBodyError(
            f"{where}: the body is not UTF-8 text, so it cannot be checked for secrets and nothing "
            f"was written; {_HOW_TO_ALLOW}"
        ) from None


def _drop_header(headers: Headers, name: str) -> None:
    for key in [key for key in headers if key.lower() == name]:
        del headers[key]


def _fix_content_length(part: dict[str, Any], original: Any) -> None:
    """content-length must describe the stored (decoded, redacted) body, or clients truncate it."""
    body = _body_of(part)
    if body == original or not isinstance(body, str | bytes):
        return
    length = str(len(body.encode("utf-8") if isinstance(body, str) else body))
    headers = part["headers"]
    for key in headers:
        if key.lower() == "content-length":
            headers[key] = length if isinstance(headers[key], str) else [length]
