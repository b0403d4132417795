"""The one-scan pre-check of the pattern rules says "no hit" only where the rules one by one find
none, whatever the rules are (flags, back-references, repeated group names, verbose comments)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.redact.patterns import PatternSet
from pytest_convreplay.rules.redaction import PatternRule, RedactionRules

DEFAULTS = RedactionRules.default().patterns
USER_RULES = (
    PatternRule("ticket", re.compile(r"TCK-[0-9]{6}")),
    PatternRule("shouting", re.compile(r"(?i)^secret\b")),  # a global flag and an anchor
    PatternRule("twice", re.compile(r"(ab)\1")),  # a back-reference: asked on its own
    PatternRule("named", re.compile(r"tok=(?P<secret>[a-z]{4})")),  # the bearer rule's group name too
    PatternRule("verbose", re.compile(r"x y  # a comment", re.VERBOSE)),
    PatternRule("multiline", re.compile(r"^end$", re.MULTILINE)),
    PatternRule("ascii", re.compile(r"\w+é", re.ASCII)),
)
TEXT = st.text(alphabet="abkTCKsecrtSERT-0123456789 =\n<>:_é/xyzDAIBe", max_size=60)


def rule_by_rule(rules: tuple[PatternRule, ...], text: str) -> bool:
    patterns = PatternSet(rules)
    return any(rule.regex.search(segment) for _, segment in patterns.segments(text) for rule in rules)


@given(st.lists(TEXT, max_size=3).map("<REDACTED:ticket>".join))
def test_the_pre_check_agrees_with_the_rules_one_by_one(text: str) -> None:
    rules = (*DEFAULTS, *USER_RULES)
    assert PatternSet(rules).may_hit(text) is rule_by_rule(rules, text)


@given(TEXT)
def test_no_hit_is_ever_found_where_the_pre_check_finds_none(text: str) -> None:
    rules = (*DEFAULTS, *USER_RULES)
    patterns = PatternSet(rules)
    if not patterns.may_hit(text):
        assert list(patterns.hits_unchecked(text)) == []


def test_rules_that_would_change_meaning_in_one_alternation_are_asked_on_their_own() -> None:
    patterns = PatternSet((*DEFAULTS, *USER_RULES))
    apart = {rule.label for rule in patterns._apart}
    assert apart == {"twice", "named"}  # "named" repeats the bearer rule's group name
    assert patterns.may_hit("abab")
    assert patterns.may_hit("tok=abcd")


def test_a_long_text_is_asked_rule_by_rule_with_the_same_answer() -> None:
    patterns = PatternSet(DEFAULTS)
    filler = "the quick brown fox " * 50
    assert not patterns.may_hit(filler)
    assert patterns.may_hit(filler + "sk-" + "a" * 30)


def test_the_verdict_of_a_short_text_is_remembered_per_rule_set() -> None:
    patterns = PatternSet(DEFAULTS)
    assert patterns.may_hit("Bearer abc12345def") is True
    assert patterns.may_hit("message") is False
    assert patterns._verdicts == {"Bearer abc12345def": True, "message": False}
