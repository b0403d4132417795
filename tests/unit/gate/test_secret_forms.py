"""The gate's closed list of forms: each one of a known value is found, and the writers never fold."""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
import textwrap
import unicodedata
import zlib
from urllib.parse import quote

import brotli  # type: ignore[import-untyped]
import pytest
import zstandard

from pytest_convreplay.gate.findings import find_secrets_in_interactions, find_secrets_in_text
from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.storage.yaml_io import dump_yaml

VALUE = "opaque-Secret 9f8e/7d6c+5b4a"


def known() -> KnownSecrets:
    secrets = KnownSecrets()
    secrets.add(VALUE, "a declared secret")
    return secrets


B64 = base64.b64encode(b"xx" + VALUE.encode()).decode()
FORMS = {
    "raw": VALUE,
    "url-encoded": quote(VALUE, safe=""),
    "url-encoded, lower-case hex": re.sub(
        "%[0-9A-F]{2}", lambda hit: hit.group().lower(), quote(VALUE, safe="")
    ),
    "url-encoded twice": quote(quote(VALUE, safe=""), safe=""),
    "json-escaped": json.dumps(VALUE)[1:-1],
    "base64 unpadded": B64.rstrip("="),
    "base64url": base64.urlsafe_b64encode(VALUE.encode()).decode().rstrip("="),
    "base64 wrapped (MIME)": "\n".join(textwrap.wrap(B64, 8)),
    "base64 wrapped, CRLF escaped": "\\r\\n".join(textwrap.wrap(B64, 8)),
    "hex": VALUE.encode().hex(),
    "hex, upper-case": VALUE.encode().hex().upper(),
}


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_found(form: str) -> None:
    assert list(known().find(f"before {FORMS[form]} after"))


def test_header_names_are_compared_case_folded() -> None:
    assert list(known().find(f"X-{VALUE.upper()}", case_insensitive=True))
    assert not list(known().find(f"X-{VALUE.upper()}"))


@pytest.mark.parametrize("emoji", ["", "🙂 "], ids=["libyaml", "pyyaml-emitter"])
def test_neither_writer_folds_a_long_line(emoji: str) -> None:
    """An emoji sends the text to PyYAML's own emitter (libyaml would escape it)."""
    written = dump_yaml({"text": emoji + "word " * 60 + VALUE + " word" * 60})
    assert VALUE in written
    assert len(written.strip().splitlines()) == 1


def test_a_value_percent_encoded_in_any_mix_is_found() -> None:
    """Unreserved characters encoded too, hex case mixed: no list of forms enumerates these."""
    from urllib.parse import quote

    value = "opaque-Secret-9f8e7d6c5b4a"
    every = "".join(f"%{byte:02X}" for byte in value.encode())
    mixed = "".join(f"%{byte:02x}" if n % 2 else f"%{byte:02X}" for n, byte in enumerate(value.encode()))
    known = KnownSecrets.from_env({}, values=[value])
    for text in (f"state={every}", f"https://x.example/?state={mixed}", quote(f"next={every}", safe="")):
        assert find_secrets_in_text(text, known, path="f.yaml"), text


ACCENTED = "pässwort-Geheimnis-4711"
MARKUP = "amp&Secret<Value>-88"


@pytest.mark.parametrize(
    "written",
    [
        unicodedata.normalize("NFD", ACCENTED),
        html.escape(MARKUP),
        ACCENTED.encode("unicode_escape").decode(),
    ],
    ids=["decomposed (NFD)", "HTML-escaped", "backslash-escaped (a pytest test id)"],
)
def test_a_value_as_a_reader_sees_it_is_found(written: str) -> None:
    """Found by an attack on main: another normalization or escape of a declared value reads the same."""
    secrets = KnownSecrets.from_env({}, values=[ACCENTED, MARKUP])
    assert find_secrets_in_text(f"<p>{written}</p>", secrets, path="f.yaml")
    assert "<secret>" in secrets.mask(written)


COMPRESSIBLE = json.dumps([{"id": f"msg_{n}", "text": f"{VALUE} in item {n}"} for n in range(40)]).encode()
"""Long enough that brotli and zstd code their literals too: the value is nowhere raw."""


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(b"line1\n" + VALUE.encode()),
        zlib.compress(VALUE.encode()),
        ("note: " + VALUE).encode("utf-16-le").decode("utf-8"),
        brotli.compress(COMPRESSIBLE),
        zstandard.compress(COMPRESSIBLE),
        brotli.compress(gzip.compress(COMPRESSIBLE)),
    ],
    ids=[
        "a .gz file",
        "a zlib stream",
        "UTF-16 kept as text",
        "a .br file",
        "a .zst file",
        "a .gz sent as brotli",
    ],
)
def test_a_value_inside_a_compressed_or_wide_body_is_found(body: bytes | str) -> None:
    """Found by an attack on main: ``files.content()`` of a .gz file has no content-encoding to undo,
    and UTF-16 bytes are valid UTF-8, so such a body was written with the value readable."""
    exchange = {
        "request": {
            "method": "GET",
            "uri": "http://127.0.0.1/v1/files/f/content",
            "body": None,
            "headers": {},
        },
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}},
    }
    assert find_secrets_in_interactions([exchange], known())  # type: ignore[list-item]
