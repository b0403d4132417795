"""``multipart/form-data`` bodies (file uploads) read part by part, and written in one canonical form.

httpx and httpx2 draw a random boundary for every request, so the same upload never has the same
bytes twice. A body is reduced here to its parts (name, filename, content type, content) and
written back with a boundary that depends only on those parts; the cassette stores that form and
replay compares live requests in it, so an upload matches whenever its parts do. Content that is
not UTF-8 text (an mp3, a png) is stored as its size and SHA-256: the cassette stays text that the
gate can check, and the digest still tells any two files apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MULTIPART = "multipart/form-data"
_BOUNDARY = re.compile(r"""boundary=(?:"([^"]+)"|([^;,\s]+))""", re.IGNORECASE)
_PARAM = re.compile(r"""(\w[\w*-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))""")
_ESCAPED = re.compile(r"\\(.)")  # a quoted-string's quoted-pair: \" and \\ (httpx escapes backslashes)
_BINARY = re.compile(r"<binary: \d+ bytes, sha256 [0-9a-f]{64}>")


@dataclass(frozen=True, slots=True)
class FormPart:
    """One part of a form: what replay compares it by."""

    name: str | None
    filename: str | None
    content_type: str | None
    content: str
    """The part's text, or ``<binary: N bytes, sha256 …>`` for content that is not UTF-8."""

    def describe(self) -> str:
        shown = f"part {self.name!r}" if self.name is not None else "a part without a name"
        return f"{shown} (filename {self.filename!r})" if self.filename is not None else shown


def boundary_of(content_type: str | None) -> str | None:
    """The boundary a ``multipart/form-data`` content type declares, or None for any other type."""
    if not content_type or MULTIPART not in content_type.lower():
        return None
    match = _BOUNDARY.search(content_type)
    return (match[1] or match[2]) if match else None


def _sniffed_boundary(raw: bytes) -> str | None:
    """The boundary of a body shaped like a form (its first line is ``--boundary``), for a request
    whose content type is unknown (a cassette from another tool); :func:`read_parts` checks the rest."""
    first, newline, _ = raw.partition(b"\r\n")
    if not first.startswith(b"--") or not newline or len(first) > 72 or b" " in first:
        return None  # RFC 2046: a boundary has at most 70 characters and does not end in a space
    return first[2:].decode("latin-1")


def read_parts(body: bytes, boundary: str) -> tuple[FormPart, ...] | None:
    """The parts of a form body, or None when it is not one (so it is compared as it is)."""
    delimiter = b"--" + boundary.encode("latin-1")
    if not body.startswith(delimiter):
        return None
    chunks = (b"\r\n" + body).split(b"\r\n" + delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        return None
    parts: list[FormPart] = []
    for chunk in chunks[1:-1]:
        head, separator, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            return None
        parts.append(_part(_header_text(head), content))
    return tuple(parts)


def _header_text(head: bytes) -> str:
    """Part headers as clients write them: UTF-8 (httpx), else bytes read one by one."""
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return head.decode("latin-1")


def _part(head: str, content: bytes) -> FormPart:
    headers = {
        name.strip().lower(): value.strip()
        for line in head.split("\r\n")
        if line.strip()
        for name, _, value in [line.partition(":")]
    }
    params = {
        match[1].lower(): _ESCAPED.sub(r"\1", match[2]) if match[2] is not None else match[3]
        for match in _PARAM.finditer(headers.get("content-disposition", ""))
    }
    return FormPart(
        name=params.get("name"),
        filename=params.get("filename"),
        content_type=headers.get("content-type"),
        content=_content_text(content),
    )


def _content_text(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return f"<binary: {len(content)} bytes, sha256 {hashlib.sha256(content).hexdigest()}>"


def canonical_boundary(parts: tuple[FormPart, ...]) -> str:
    """A boundary that depends only on the parts, so equal forms are equal bytes; drawn from their
    digest, it cannot occur in any of them by accident."""
    digest = hashlib.sha256()
    for part in parts:
        for field in (part.name, part.filename, part.content_type, part.content):
            digest.update(b"\0" if field is None else field.encode("utf-8") + b"\1")
    return f"convreplay-{digest.hexdigest()[:24]}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_parts(parts: tuple[FormPart, ...], boundary: str) -> str:
    """The form as text, in one layout: disposition, then content type, then the content."""
    lines: list[str] = []
    for part in parts:
        disposition = "form-data"
        if part.name is not None:
            disposition += f"; name={_quoted(part.name)}"
        if part.filename is not None:
            disposition += f"; filename={_quoted(part.filename)}"
        lines += [f"--{boundary}", f"Content-Disposition: {disposition}"]
        if part.content_type is not None:
            lines.append(f"Content-Type: {part.content_type}")
        lines += ["", part.content]
    return "\r\n".join([*lines, f"--{boundary}--", ""])


@dataclass(frozen=True, slots=True)
class CanonicalForm:
    """A form body rewritten with its canonical boundary, and the content type that declares it."""

    body: str
    content_type: str
    parts: tuple[FormPart, ...]


def canonical_form(body: object, content_type: str | None) -> CanonicalForm | None:
    """The canonical form of a multipart body, or None when ``body`` is not one.

    The boundary comes from ``content_type`` when it names one, else from the body's own shape.
    """
    if not isinstance(body, str | bytes | bytearray) or body[:2] not in ("--", b"--"):
        return None  # every form opens with its first delimiter: anything else is not one
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body)
    boundary = boundary_of(content_type)
    if boundary is None and content_type is not None and MULTIPART not in content_type.lower():
        return None
    if boundary is None:
        boundary = _sniffed_boundary(raw)
        if boundary is None:
            return None
    parts = read_parts(raw, boundary)
    if parts is None:
        return None
    canonical = canonical_boundary(parts)
    return CanonicalForm(write_parts(parts, canonical), f"{MULTIPART}; boundary={canonical}", parts)


def is_binary_digest(content: str) -> bool:
    """Whether a part's content is the digest that stands for content that is not text."""
    return _BINARY.fullmatch(content) is not None
