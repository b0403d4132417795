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

import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar, cast

from ..errors import ConfigError
from ..model.interactions import Interaction
from .credentials import COOKIE_HEADERS, MIN_SECRET_LENGTH, is_credential_name
from .defaults import (
    CREDENTIAL_NAMES,
    DEFAULT_BODY_PATHS,
    DEFAULT_HEADERS,
    DEFAULT_HOST_QUERY_PARAMS,
    DEFAULT_PATTERNS,
    DEFAULT_QUERY_PARAMS,
    check_disabled,
    enabled,
)
from .selector import JsonPath, Selector, Wildcard

UserRedactor = Callable[[Interaction], Interaction]
Side = Literal["request", "response"]

DEFAULT_HASH_KEY = b"pytest-convreplay redaction v1"

# Every placeholder redaction writes; text inside one is never redacted again.
PLACEHOLDER_RE = re.compile(r"<REDACTED:[^<>:\s]+(?::[0-9a-f]{8})?>")
_LABEL_RE = re.compile(r"[^<>:\s]+")


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
    host_suffix: str = ""  # only on hosts ending so (Azure Functions' ``code``); empty: every host

    def __post_init__(self) -> None:
        _check_label(self.name.strip(), "query parameter rule")
        object.__setattr__(self, "name", self.name.strip().lower())
        object.__setattr__(self, "host_suffix", self.host_suffix.strip().lower())

    @classmethod
    def parse(cls, text: str) -> QueryRule:
        """``name``, or ``name@.host.suffix`` for a parameter that is a credential on those hosts only."""
        name, _, host_suffix = text.partition("@")
        return cls(name, host_suffix)

    def applies(self, name: str, host: str | None) -> bool:
        """Whether the rule redacts parameter ``name`` on ``host`` (None: not known, e.g. a form body)."""
        if name != self.name:
            return False
        return not self.host_suffix or (host is not None and host.lower().endswith(self.host_suffix))

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
    credential_names: bool = False  # names that read like credentials are redacted too
    _body_index: _BodyPathIndex = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_body_index", _BodyPathIndex(self.body_paths))

    @classmethod
    def default(cls) -> RedactionRules:
        return cls.from_options()

    @classmethod
    def shared(cls, **options: Any) -> RedactionRules:
        """:meth:`from_options`, built once per distinct set of options (hashable values, as in
        Settings): every test of a suite asks for the same rules, once for its file names and once
        for its recording, and the rules are immutable. Unhashable values are built each time."""
        try:
            return _shared_rules(**options)
        except TypeError:  # a list, or a user's callable object that cannot be hashed
            return cls.from_options(**options)

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
        disable: Iterable[str] = (),
        allow_undecodable: bool = False,
        hash_key: str | bytes | None = None,
    ) -> RedactionRules:
        """Rules from option values (strings from ini/marker, or rule objects); the built-in rules
        first, less those ``disable`` names (all of them unless ``extend_defaults``). Raises
        ConfigError naming the bad value."""
        user_patterns = pattern_rules(patterns)
        disabled = check_disabled(disable)

        def defaults(kind: str, names: Iterable[str]) -> list[str]:
            return [name for name in names if extend_defaults and enabled(f"{kind}:{name}", disabled)]

        if isinstance(hash_key, str):
            hash_key = hash_key.encode("utf-8")
        for func in callables:
            if not callable(func):
                raise ConfigError(f"redaction callables: {func!r} is not callable")
        host_params = [
            QueryRule(name, suffix)
            for name, suffix in DEFAULT_HOST_QUERY_PARAMS
            if extend_defaults and enabled(f"query:{name}", disabled)
        ]
        base_patterns = [
            PatternRule.parse(regex, label)
            for label, regex in DEFAULT_PATTERNS
            if extend_defaults and enabled(f"pattern:{label}", disabled)
        ]
        return cls(
            headers=_unique(_rules(HeaderRule, (*defaults("header", DEFAULT_HEADERS), *headers))),
            query_params=_unique(
                (*_rules(QueryRule, (*defaults("query", DEFAULT_QUERY_PARAMS), *query_params)), *host_params)
            ),
            body_paths=_unique(_rules(BodyPathRule, (*defaults("body", DEFAULT_BODY_PATHS), *body_paths))),
            patterns=_unique((*base_patterns, *user_patterns)),
            callables=tuple(callables),
            allow_undecodable=allow_undecodable,
            hash_key=hash_key or DEFAULT_HASH_KEY,
            credential_names=extend_defaults and enabled(CREDENTIAL_NAMES, disabled),
        )

    def header_rule(self, side: Side, name: str) -> HeaderRule | None:
        rule = next((rule for rule in self.headers if rule.applies(side, name)), None)
        if rule is None and self.credential_names and is_credential_name(name):
            return HeaderRule(name)
        return rule

    def query_rule(self, name: str, host: str | None = None) -> QueryRule | None:
        wanted = name.strip().lower()
        rule = next((rule for rule in self.query_params if rule.applies(wanted, host)), None)
        if rule is None and self.credential_names and wanted and is_credential_name(wanted):
            return QueryRule(_label_of(wanted))
        return rule

    def body_rule(self, path: JsonPath) -> BodyPathRule | None:
        """The rule for the JSON value at ``path``: a body path, or (built in) a key that reads
        like a credential. It redacts the credential strings of what it hits, never its shape."""
        rule = self._body_index.first(path)
        key = path[-1] if path else None
        if rule is None and self.credential_names and isinstance(key, str) and is_credential_name(key):
            return _credential_key_rule(key)
        return rule

    def learning(
        self, interactions: Iterable[Interaction], values: Iterable[tuple[str, str]] = ()
    ) -> RedactionRules:
        """These rules, and in responses, every value a response header rule redacts is redacted
        wherever else it shows as well (the org id of ``openai-organization`` is in the API's 429
        message "... in organization org-... on requests per min"), and so is each ``values``
        entry (label, value): the credentials a request sent, should a server echo them."""
        by_label: dict[str, set[str]] = {}
        for interaction in interactions:
            for name, value in self.redacted_header_values(interaction["response"]["headers"], "response"):
                by_label.setdefault(name, set()).add(value)
        for label, value in values:
            by_label.setdefault(_label_of(label), set()).add(value)
        learned = (  # one rule per label, however many pages: the cost of a rule is per string
            PatternRule(
                name, re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            )
            for name, values in sorted(by_label.items())
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


class _BodyPathIndex:
    """The body path rules, asked for the first one matching a path: a JSON walk asks once per
    value (a hundred thousand times a recording). A ``**.name`` rule (every built-in one) matches
    exactly the paths that end in ``name``, so those are found by the last key; the others are
    tried in order. The first rule in the rules' own order wins, as before."""

    __slots__ = ("_by_last_key", "_others")

    def __init__(self, rules: tuple[BodyPathRule, ...]) -> None:
        self._by_last_key: dict[str, tuple[int, BodyPathRule]] = {}
        self._others: list[tuple[int, BodyPathRule]] = []
        for order, rule in enumerate(rules):
            steps = rule.path.steps
            if len(steps) == 2 and steps[0] is Wildcard.DEEP and isinstance(steps[1], str):
                self._by_last_key.setdefault(steps[1], (order, rule))
            else:
                self._others.append((order, rule))

    def first(self, path: JsonPath) -> BodyPathRule | None:
        last = path[-1] if path else None
        found = self._by_last_key.get(last) if isinstance(last, str) else None
        for order, rule in self._others:
            if found is not None and found[0] < order:
                break
            if rule.path.matches(path):
                return rule
        return found[1] if found is not None else None


@functools.lru_cache(maxsize=1024)
def _credential_key_rule(key: str) -> BodyPathRule:
    """The rule of a JSON key that reads like a credential (``**.<key>``)."""
    return BodyPathRule(Selector(f"**.{key}", (Wildcard.DEEP, key)), _label_of(key))


def _label_of(name: str) -> str:
    """A name as a placeholder label: the characters a label cannot hold turned into ``-``."""
    return re.sub(r"[<>:\s]+", "-", name.strip().lower()).strip("-") or "credential"


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


@functools.lru_cache(maxsize=128)
def _shared_rules(**options: Any) -> RedactionRules:
    return RedactionRules.from_options(**options)
