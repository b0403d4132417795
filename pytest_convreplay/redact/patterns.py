"""Pattern rules applied to text: finding secret spans, never inside a placeholder already written.

Redaction is idempotent: patterns are only applied to text outside existing placeholders, and
each string is redacted until it no longer changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..rules.redaction import PLACEHOLDER_RE, PatternRule


def find_pattern_hits(text: str, patterns: Iterable[PatternRule]) -> Iterator[tuple[int, int, PatternRule]]:
    """Secret spans (start, end, rule) of pattern matches, never inside an existing placeholder."""
    patterns = tuple(patterns)
    return hits_of(text, patterns, patterns)


def hits_of(
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
