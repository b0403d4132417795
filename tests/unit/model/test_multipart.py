"""Multipart forms: read part by part, written in one canonical form whatever boundary was drawn."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.model.multipart import FormPart, boundary_of, canonical_form, read_parts
from pytest_convreplay.model.requests import request_key

URL = "https://api.openai.com/v1/files"


def encoded(files: dict[str, tuple[str, bytes, str]], data: dict[str, str]) -> tuple[bytes, str]:
    """A form as httpx sends it: a random boundary each time."""
    request = httpx.Request("POST", URL, files=files, data=data)
    return request.read(), request.headers["content-type"]


def test_a_form_is_read_part_by_part() -> None:
    body, content_type = encoded(
        {"file": ("a.jsonl", b'{"x": 1}\n', "application/jsonl")}, {"purpose": "batch"}
    )
    boundary = boundary_of(content_type)
    assert boundary is not None
    assert read_parts(body, boundary) == (
        FormPart("purpose", None, None, "batch"),
        FormPart("file", "a.jsonl", "application/jsonl", '{"x": 1}\n'),
    )


def test_binary_content_is_its_size_and_digest() -> None:
    body, content_type = encoded({"file": ("a.mp3", bytes(range(256)), "audio/mpeg")}, {})
    form = canonical_form(body, content_type)
    assert form is not None
    assert form.parts[0].content.startswith("<binary: 256 bytes, sha256 40aff2e9d2d8922e")


def test_the_canonical_form_is_its_own_canonical_form_and_needs_no_content_type() -> None:
    body, content_type = encoded({"file": ("a.txt", b"hello", "text/plain")}, {"model": "m"})
    form = canonical_form(body, content_type)
    assert form is not None
    assert canonical_form(form.body, form.content_type) == form
    again = canonical_form(form.body, None)
    assert again is not None
    assert again.body == form.body


def test_bodies_that_are_not_forms_are_left_alone() -> None:
    assert canonical_form('{"a": 1}', "application/json") is None
    assert canonical_form("--not a form", None) is None
    assert canonical_form(b"--x\r\nno blank line\r\n--x--\r\n", "multipart/form-data; boundary=x") is None


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
names = st.text(alphabet='abcdefghij_[]\\"\r\n é', min_size=1, max_size=8)


@given(
    files=st.dictionaries(
        names, st.tuples(names, st.binary(max_size=64), st.sampled_from(["text/plain", "a/b"])), min_size=1
    ),
    data=st.dictionaries(names, texts),
)
def test_the_same_form_has_one_key_whatever_boundary_was_drawn(
    files: dict[str, tuple[str, bytes, str]], data: dict[str, str]
) -> None:
    first_body, first_type = encoded(files, data)
    second_body, second_type = encoded(files, data)
    assert first_type != second_type
    first = request_key("POST", URL, first_body, first_type)
    assert first == request_key("POST", URL, second_body, second_type)
    form = canonical_form(first_body, first_type)
    if form is not None:  # the stored form replays as the live one
        assert request_key("POST", URL, form.body, form.content_type) == first
