"""Word-level edits of a long text: the one implementation the text and HTML renderings share.

A changed text becomes segments (kept, deleted, inserted, folded); long unchanged stretches are
folded to the words next to an edit, and an edit inside one long token (base64, a data URL) keeps
only the characters that differ, with a little context, so a 10-character change is never 400 KB.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

KEEP_WORDS: Final = 6  # unchanged words kept on each side of an edit inside a long text
MAX_VALUE: Final = 300  # characters of one edit shown before "+N more characters"
CONTEXT_CHARS: Final = 20  # unchanged characters kept around an edit inside one long token
_TOKENS: Final = re.compile(r"\s+|[^\s]+")


class Kind(StrEnum):
    KEPT = "kept"
    DELETED = "deleted"
    INSERTED = "inserted"
    FOLDED = "folded"  # unchanged text left out ("…")


@dataclass(frozen=True, slots=True)
class Segment:
    kind: Kind
    text: str


def capped(text: str) -> str:
    """A detail cut at ``MAX_VALUE`` characters, saying how much was left out."""
    if len(text) <= MAX_VALUE:
        return text
    return f"{text[:MAX_VALUE]}… (+{len(text) - MAX_VALUE} more characters)"


def word_segments(old: str, new: str) -> list[Segment]:
    """``new`` as kept/deleted/inserted segments against ``old``, long equal stretches folded."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[Segment] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            out += _fold(a[i1:i2], first=number == 0, last=number == len(opcodes) - 1)
        else:
            out += _edit("".join(a[i1:i2]), "".join(b[j1:j2]))
    return out


def _edit(old: str, new: str) -> list[Segment]:
    """One replaced stretch; inside a long token only the characters that differ, with context."""
    if len(old) + len(new) <= MAX_VALUE:
        return [Segment(kind, text) for kind, text in ((Kind.DELETED, old), (Kind.INSERTED, new)) if text]
    # commonprefix works character by character on any strings, which is exactly what is wanted
    start = len(os.path.commonprefix([old, new]))  # noqa: RUF071
    end = len(os.path.commonprefix([old[start:][::-1], new[start:][::-1]]))  # noqa: RUF071
    removed, added = old[start : len(old) - end], new[start : len(new) - end]
    parts = [
        (Kind.FOLDED, "…" if start > CONTEXT_CHARS else ""),
        (Kind.KEPT, old[max(0, start - CONTEXT_CHARS) : start]),
        (Kind.DELETED, capped(removed)),
        (Kind.INSERTED, capped(added)),
        (Kind.KEPT, old[len(old) - end : len(old) - end + CONTEXT_CHARS]),
        (Kind.FOLDED, "…" if end > CONTEXT_CHARS else ""),
    ]
    return [Segment(kind, text) for kind, text in parts if text]


def _fold(tokens: list[str], *, first: bool, last: bool) -> list[Segment]:
    """Unchanged tokens, keeping only the words next to an edit when the stretch is long."""
    keep = 2 * KEEP_WORDS  # tokens alternate word/space
    head = 0 if first else keep
    tail = 0 if last else keep
    if len(tokens) <= head + tail + 2:
        return [Segment(Kind.KEPT, "".join(tokens))] if tokens else []
    parts = [
        Segment(Kind.KEPT, "".join(tokens[:head])),
        Segment(Kind.FOLDED, "…"),
        Segment(Kind.KEPT, "".join(tokens[len(tokens) - tail :])),
    ]
    return [part for part in parts if part.text]
