"""A body that is itself a compressed file, with no content-encoding to say so, is opened for the
gate: gzip, zlib and zstd by their magic, brotli by decoding whole; always within a size bound."""

from __future__ import annotations

import functools
import gzip
import os
import subprocess
import sys
import zlib

import brotli  # type: ignore[import-untyped]
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.model.codings import unlabelled_contents

TEXT = b"".join(b"line %d: token opaque-Secret-%d\n" % (n, n * 7919 % 1000) for n in range(30000))
LIMIT = 1 << 21  # above TEXT's size: several brotli and zstd blocks
brotli_compress = functools.partial(brotli.compress, quality=4)  # quality 11 takes seconds here


def _zstd_streamed(data: bytes) -> bytes:
    """A frame written without a content size, as a streaming writer makes it."""
    writer = zstandard.ZstdCompressor().compressobj()
    return writer.compress(data) + writer.flush()


@pytest.mark.parametrize(
    "compress",
    [
        gzip.compress,
        zlib.compress,
        brotli_compress,
        zstandard.compress,
        _zstd_streamed,
        lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:]),  # concatenated members
        lambda data: zstandard.compress(data[:10]) + zstandard.compress(data[10:]),  # several frames
    ],
    ids=["gzip", "zlib", "brotli", "zstd", "zstd-streamed", "gzip-members", "zstd-frames"],
)
def test_a_compressed_file_is_opened(compress: object) -> None:
    assert callable(compress)
    assert unlabelled_contents(compress(TEXT), LIMIT) == TEXT


@pytest.mark.parametrize("compress", [gzip.compress, zstandard.compress], ids=["gzip", "zstd"])
def test_what_decodes_before_a_cut_is_kept_when_the_magic_says_what_it_is(compress: object) -> None:
    assert callable(compress)
    whole = compress(TEXT)
    opened = unlabelled_contents(whole[: len(whole) // 2], LIMIT)
    assert opened
    assert TEXT.startswith(opened)


def test_brotli_counts_only_when_the_whole_body_decodes() -> None:
    whole = brotli_compress(TEXT)
    assert unlabelled_contents(whole[: len(whole) // 2], LIMIT) is None


@pytest.mark.parametrize(
    "compress",
    [gzip.compress, brotli_compress, lambda data: zstandard.ZstdCompressor().compress(data)],
    ids=["gzip", "brotli", "zstd"],
)
def test_a_bomb_stops_at_the_bound(compress: object) -> None:
    assert callable(compress)
    opened = unlabelled_contents(compress(bytes(8 * LIMIT)), LIMIT)
    assert opened is not None
    assert len(opened) == LIMIT


@given(st.binary(max_size=512))
def test_any_bytes_give_bytes_or_none_and_never_raise(data: bytes) -> None:
    opened = unlabelled_contents(data, LIMIT)
    assert opened is None or 0 < len(opened) <= LIMIT


def test_random_bytes_are_not_taken_for_brotli() -> None:
    assert all(unlabelled_contents(os.urandom(256), LIMIT) is None for _ in range(200))


def test_without_the_optional_libraries_brotli_and_zstd_stay_closed() -> None:
    """As when ``brotli`` and ``zstandard`` are not installed: no crash, gzip still opened."""
    script = (
        "import sys, gzip; sys.modules['brotli'] = sys.modules['zstandard'] = None\n"
        "from pytest_convreplay.model.codings import unlabelled_contents as opened\n"
        f"assert opened(bytes.fromhex('{brotli_compress(TEXT[:5000]).hex()}'), 1 << 20) is None\n"
        f"assert opened(bytes.fromhex('{zstandard.compress(TEXT[:5000]).hex()}'), 1 << 20) is None\n"
        "assert opened(gzip.compress(b'x' * 100), 1 << 20) == b'x' * 100\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
