"""Redaction rules: small typed objects with a parser (like insta's selectors), not ad-hoc callbacks.

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
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar, cast

from ..errors import ConfigError
from ..model.interactions import Interaction
from .credentials import COOKIE_HEADERS, CREDENTIAL_HEADERS, CREDENTIAL_QUERY_PARAMS, MIN_SECRET_LENGTH
from .selector import JsonPath, Selector

UserRedactor = Callable[[Interaction], Interaction]
Side = Literal["request", "response"]

DEFAULT_HASH_KEY = b"pytest-convreplay redaction v1"

# Every placeholder redaction writes; text inside one is never redacted again.
PLACEHOLDER_RE = re.compile(r"<REDACTED:[^<>:\s]+(?::[0-9a-f]{8})?>")
_LABEL_RE = re.compile(r"[^<>:\s]+")

DEFAULT_HEADERS = (*CREDENTIAL_HEADERS, *COOKIE_HEADERS)
DEFAULT_QUERY_PARAMS = CREDENTIAL_QUERY_PARAMS
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


def hashed_placeholder(label: str, secret: str, key: bytes) -> str:
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


@dataclass(frozen=True, slots=True)
class BodyPathRule:
    """Replace the JSON value at a selector (in request and response bodies) by ``<REDACTED:label>``."""

    path: Selector
    label: str

    def __post_init__(self) -> None:
        _check_label(self.label, f"body path {self.path.text!r}: label")

    @classmethod
    def parse(cls, text: str) -> BodyPathRule:
        """A selector; the label is its last name (``body`` when it has none), with the characters a
        placeholder cannot hold (spaces, ``:``, ``<``, ``>``) turned into ``-``."""
        path = Selector.parse(text.strip(), what="body path")
        return cls(path, re.sub(r"[<>:\s]+", "-", path.last_name or "") or "body")

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
            if rule is None or name.lower() in COOKIE_HEADERS:
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
