"""HTTP content codings: which ones the plugin can undo, and undoing them.

Bodies are redacted and checked in the clear, so a recording asks only for codings both its client
and this module can decode (gzip and deflate always; br and zstd when ``brotli`` / ``zstandard``
are installed, or the standard library has zstd).
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import io
import zlib
from collections.abc import Callable
from typing import cast

from ..errors import UndecodableBodyError


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
