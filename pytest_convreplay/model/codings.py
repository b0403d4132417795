"""HTTP content codings: which ones the plugin can undo, and undoing them.

Bodies are redacted and checked in the clear, so a recording asks only for codings both its client
and this module can decode (gzip and deflate always; br and zstd when ``brotli`` / ``zstandard``
are installed, or the standard library has zstd). A body that is itself a compressed file, with no
content-encoding to say so, is opened too (:func:`unlabelled_contents`), within a size bound.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import io
import zlib
from collections.abc import Callable, Iterator
from typing import Any, cast

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


_PIECE = 64 * 1024  # each decompressor call returns at most this much, so the bound is checked often
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"


def unlabelled_contents(data: bytes, limit: int) -> bytes | None:
    """The bytes a body holds when it is a compressed file sent without a ``content-encoding`` (a
    downloaded ``.gz``/``.br``/``.zst``, a server compressing without saying so), at most ``limit``
    of them (a bomb stops there); None when it is none of these.

    gzip, zlib and zstd are told by their magic bytes, and what decodes before a corrupt or cut
    tail counts: any reader gets that far. Brotli has no magic, so a body counts as brotli only
    when the whole of it decodes (or the bound is reached first): random bytes fail within a few.
    A library that is not installed (``brotli``, ``zstandard``) means that format is not opened.
    """
    found = None
    if data[:2] == _GZIP_MAGIC or (len(data) > 1 and data[0] == 0x78 and int.from_bytes(data[:2]) % 31 == 0):
        found = _collected(_zlib_pieces(data), limit, partial=True)
    elif data[:4] == _ZSTD_MAGIC and _ZSTANDARD is not None:
        found = _collected(_zstd_pieces(data), limit, partial=True)
    if found is None and _BROTLI_BOUNDED is not None:  # a brotli stream may start like a zlib one
        found = _collected(_brotli_pieces(data), limit, partial=False)
    return found


def _collected(pieces: Iterator[bytes], limit: int, *, partial: bool) -> bytes | None:
    """The pieces joined up to ``limit`` bytes; on a decoding error what came before it when
    ``partial``, else None."""
    out = bytearray()
    try:
        for piece in pieces:
            out += piece
            if len(out) >= limit:
                del out[limit:]
                break
    except Exception:  # each library has its own error class; any of them means "corrupt from here"
        if not partial:
            return None
    return bytes(out) if out else None


def _zlib_pieces(data: bytes) -> Iterator[bytes]:
    """gzip (each member of a concatenated file, as gunzip reads them) or zlib."""
    while data:
        decompressor = zlib.decompressobj(wbits=47)  # 32 + 15: a gzip or a zlib header
        pending = data
        while not decompressor.eof:
            piece = decompressor.decompress(pending, _PIECE)
            pending = decompressor.unconsumed_tail
            if not piece and not pending:
                return  # cut short: all there is has been read
            yield piece
        tail = decompressor.unused_data
        data = tail if tail[:2] == _GZIP_MAGIC else b""


def _zstd_pieces(data: bytes) -> Iterator[bytes]:
    assert _ZSTANDARD is not None
    reader = _ZSTANDARD.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    while piece := reader.read(_PIECE):
        yield piece


def _brotli_pieces(data: bytes) -> Iterator[bytes]:
    """Raises unless ``data`` is one whole brotli stream (so a body that is not brotli is not)."""
    assert _BROTLI_BOUNDED is not None
    decompressor = _BROTLI_BOUNDED.Decompressor()
    for start in range(0, len(data), _PIECE):
        yield decompressor.process(data[start : start + _PIECE], output_buffer_limit=_PIECE)
        while not decompressor.can_accept_more_data():
            yield decompressor.process(b"", output_buffer_limit=_PIECE)
    while not decompressor.is_finished():  # all input taken: what it holds comes out piece by piece
        piece = decompressor.process(b"", output_buffer_limit=_PIECE)
        if not piece:
            raise ValueError("not a whole brotli stream")
        yield piece


def _optional(module: str, needs: str) -> object | None:
    """An optional library, if installed and new enough to have ``needs`` (a dotted attribute)."""
    try:
        found: object = importlib.import_module(module)
    except ImportError:
        return None
    holder = found
    for name in needs.split("."):
        holder = getattr(holder, name, None)
        if holder is None:
            return None
    return found


_ZSTANDARD: Any = _optional("zstandard", "ZstdDecompressor")
_BROTLI_BOUNDED: Any = _optional("brotli", "Decompressor.can_accept_more_data")  # brotli >= 1.2
