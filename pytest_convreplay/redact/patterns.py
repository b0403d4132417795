"""Pattern rules applied to text: finding secret spans, never inside a placeholder already written.

Redaction is idempotent: patterns are only applied to text outside existing placeholders, and
each string is redacted until it no longer changes.

Most strings hold no secret, and a recording has a hundred thousand of them, so a
:class:`PatternSet` first asks one regex, the alternation of every rule, whether any rule matches
anywhere: one scan instead of one per rule. It answers exactly what the rules one by one would
(each rule keeps its own flags inside the alternation); a rule that cannot be combined without
changing its meaning (a back-reference, a group name another rule uses) is asked on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..rules.redaction import PLACEHOLDER_RE, PatternRule

_PLACEHOLDER_START = "<REDACTED:"
_SCOPED_FLAGS = (
    (re.IGNORECASE, "i"),
    (re.MULTILINE, "m"),
    (re.DOTALL, "s"),
    (re.VERBOSE, "x"),
    (re.ASCII, "a"),
)
_COMBINABLE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE | re.ASCII | re.UNICODE
_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
# What makes a pattern depend on its group numbers (a back-reference, a conditional): left alone.
# Conservative: ``\\1`` (a backslash, then 1) is kept apart too, which costs only speed.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_VERDICTS_KEPT = 16384  # strings repeat: keys, types, statuses on every page, and each string the
_SHORT = 1024  # redaction has just judged is judged again by the gate
# Each rule alone starts with a literal, which the regex engine skips to at memchr speed; the
# alternation tries every position. It is quicker up to about a hundred characters, then slower.
_COMBINED_UP_TO = 96


class PatternSet:
    """Pattern rules, with the one-scan pre-check that tells most strings hold no hit."""

    def __init__(self, rules: tuple[PatternRule, ...]) -> None:
        self.rules = rules
        self._combined, self._apart = _combine(rules)
        self._labels = frozenset(rule.label for rule in rules)
        self._placeholders: dict[str, bool] = {}
        self._verdicts: dict[str, bool] = {}

    def may_hit(self, text: str) -> bool:
        """False only when no rule matches in any stretch of ``text`` outside its placeholders
        (then :meth:`hits` finds nothing and redaction leaves the text as it is)."""
        short = len(text) <= _SHORT
        if short:
            verdict = self._verdicts.get(text)
            if verdict is not None:
                return verdict
        if _PLACEHOLDER_START in text:
            verdict = any(self._matches(segment) for _, segment in self.segments(text))
        else:
            verdict = self._matches(text)
        if short:
            if len(self._verdicts) >= _VERDICTS_KEPT:
                self._verdicts.clear()
            self._verdicts[text] = verdict
        return verdict

    def _matches(self, segment: str) -> bool:
        if len(segment) > _COMBINED_UP_TO or self._combined is None:
            return any(rule.regex.search(segment) is not None for rule in self.rules)
        if self._combined.search(segment) is not None:
            return True
        return any(rule.regex.search(segment) is not None for rule in self._apart)

    def hits(
        self, text: str, rules: tuple[PatternRule, ...] | None = None
    ) -> Iterator[tuple[int, int, PatternRule]]:
        """Secret spans (start, end, rule) of ``rules`` (default: all of them), never inside a
        placeholder; placeholders are recognised by the labels and patterns of the whole set."""
        if self.may_hit(text):
            yield from self.hits_unchecked(text, rules)

    def hits_unchecked(
        self, text: str, rules: tuple[PatternRule, ...] | None = None
    ) -> Iterator[tuple[int, int, PatternRule]]:
        """:meth:`hits` without the pre-check, for a caller that has just asked :meth:`may_hit`."""
        for segment_start, segment in self.segments(text):
            for rule in self.rules if rules is None else rules:
                for match in rule.regex.finditer(segment):
                    start, end = rule.secret_span(match)
                    if end > start:
                        yield segment_start + start, segment_start + end, rule

    def segments(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, text) of the stretches of ``text`` outside its placeholders."""
        if _PLACEHOLDER_START not in text:
            if text:
                yield 0, text
            return
        start = 0
        for found in PLACEHOLDER_RE.finditer(text):
            if not self._is_placeholder(found.group()):
                continue
            if found.start() > start:
                yield start, text[start : found.start()]
            start = found.end()
        if start < len(text):
            yield start, text[start:]

    def _is_placeholder(self, found: str) -> bool:
        """Text shaped like a placeholder whose label is itself a secret (``<REDACTED:sk-proj-…>``)
        is not one, or it would hide that secret; the rules' own labels always are (a greedy user
        pattern may match them)."""
        label = found[len(_PLACEHOLDER_START) :].partition(":")[0].rstrip(">")
        verdict = self._placeholders.get(label)
        if verdict is None:
            verdict = label in self._labels or not any(rule.regex.search(label) for rule in self.rules)
            self._placeholders[label] = verdict
        return verdict


def _combine(rules: tuple[PatternRule, ...]) -> tuple[re.Pattern[str] | None, tuple[PatternRule, ...]]:
    """One alternation of every rule that keeps its meaning inside it, and the rules left apart."""
    pieces: list[str] = []
    apart: list[PatternRule] = []
    names: set[str] = set()
    for rule in rules:
        piece = _piece(rule.regex)
        if piece is None or names & rule.regex.groupindex.keys():
            apart.append(rule)
            continue
        names |= rule.regex.groupindex.keys()
        pieces.append(piece)
    if not pieces:
        return None, tuple(apart)
    try:
        return re.compile("|".join(pieces)), tuple(apart)
    except (re.error, RecursionError, OverflowError):
        return None, rules


def _piece(regex: re.Pattern[str]) -> str | None:
    """The rule's regex as one alternative, its flags scoped to it (``(?i:…)``), or None."""
    if not isinstance(regex.pattern, str) or regex.flags & ~_COMBINABLE_FLAGS:
        return None
    text = regex.pattern
    while (leading := _LEADING_FLAGS.match(text)) is not None:  # in regex.flags already
        text = text[leading.end() :]
    if _GROUP_REFERENCE.search(text):
        return None
    flags = "".join(letter for flag, letter in _SCOPED_FLAGS if regex.flags & flag)
    end = "\n" if regex.flags & re.VERBOSE else ""  # a trailing comment must not eat the ")"
    return f"(?{flags}:{text}{end})" if flags else f"(?:{text})"


_SETS: dict[tuple[PatternRule, ...], PatternSet] = {}
_SETS_KEPT = 64


def pattern_set(rules: Iterable[PatternRule]) -> PatternSet:
    """The :class:`PatternSet` of ``rules``, built once per distinct tuple of rules."""
    key = tuple(rules)
    found = _SETS.get(key)
    if found is None:
        if len(_SETS) >= _SETS_KEPT:
            _SETS.clear()
        found = _SETS[key] = PatternSet(key)
    return found


def find_pattern_hits(text: str, patterns: Iterable[PatternRule]) -> Iterator[tuple[int, int, PatternRule]]:
    """Secret spans (start, end, rule) of pattern matches, never inside an existing placeholder."""
    return pattern_set(patterns).hits(text)
