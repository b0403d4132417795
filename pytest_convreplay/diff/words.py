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


MAX_MATCHED_PAIRS: Final = 40_000
"""Token pairs the word matcher may compare (200 x 200): difflib's time grows with their product and
worse on repetitive text ("ha ha ha …", tables), which models write; beyond it the changed stretch
between the common beginning and end is shown as one edit."""


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for ``a`` → ``b``, in time bounded by MAX_MATCHED_PAIRS: for longer texts
    the common first and last tokens are matched by a linear scan, only what lies between by difflib."""
    if len(a) * len(b) <= MAX_MATCHED_PAIRS:
        return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(middle_a) * len(middle_b) <= MAX_MATCHED_PAIRS:
        inner = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes()
        middle = [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in inner]
    else:
        middle = [("replace", head, len(a) - tail, head, len(b) - tail)]
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [op for op in middle if op[1] != op[2] or op[3] != op[4]]
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return opcodes


def word_segments(old: str, new: str) -> list[Segment]:
    """``new`` as kept/deleted/inserted segments against ``old``, long equal stretches folded."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[Segment] = []
    opcodes = _opcodes(a, b)
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
