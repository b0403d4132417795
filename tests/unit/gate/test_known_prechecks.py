"""The known-value checks made fast: line wraps removed in two quick passes give the regex's text,
and one scan of many strings says "nothing" only when each string alone holds nothing."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.gate.known import _WRAPPED, KnownSecrets, unwrapped

SECRET = "sk-proj-Q2FZ9k3LrT8wXv1mN4pB"
WRAP_ALPHABET = ["\\", "n", "r", " ", "\n", "\t", "\u2028", "\xa0", "a", "Z", "\\n", "\x00"]


@given(st.lists(st.sampled_from(WRAP_ALPHABET), max_size=20).map("".join))
def test_unwrapping_gives_the_text_the_regex_gives(text: str) -> None:
    assert unwrapped(text) == _WRAPPED.sub("", text)


def known() -> KnownSecrets:
    secrets = KnownSecrets()
    secrets.add(SECRET, "the test's key")
    return secrets


ENCODED = base64.b64encode(SECRET.encode()).decode()
PIECES = st.sampled_from([SECRET, SECRET[:9], SECRET[9:], ENCODED, " ", "\n", "x", "\\n", "\x00"])


@given(st.lists(st.lists(PIECES, max_size=4).map("".join), max_size=4))
def test_one_scan_of_many_strings_misses_nothing_a_scan_of_each_finds(texts: list[str]) -> None:
    secrets = known()
    found = any(list(secrets.find(text)) for text in texts)
    if found:
        assert secrets.may_occur(texts)


def test_a_secret_split_over_two_strings_is_not_found_in_either() -> None:
    secrets = known()
    assert not secrets.may_occur([SECRET[:10], SECRET[10:]])
    assert secrets.may_occur(["x", SECRET])


def test_a_wrapped_base64_form_is_found_in_the_scan_of_many() -> None:
    encoded = base64.b64encode(b"\x00" + SECRET.encode()).decode()
    assert known().may_occur(["header", encoded[:12] + "\n  " + encoded[12:]])
