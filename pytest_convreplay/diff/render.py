"""Text rendering of an :class:`~pytest_convreplay.diff.model.ItemDiff` for assertion messages and the CLI.

Promises: the header always carries the counts; every changed item names its key, its type, its
position and each differing field with old and new value; long texts show word-level edits
(``[-old-]{+new+}`` in plain text, red/green with ``color=True``); only runs of unchanged items,
long unchanged stretches inside a text and field lists beyond ``max_field_details`` are folded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from ..model.interactions import dump_json, escape_surrogates
from .model import MISSING, FieldChange, ItemChange, ItemDiff, UnchangedRun, Verdict
from .words import Kind, capped, word_segments

_RESET: Final = "\x1b[0m"
_COLORS: Final = {"-": "\x1b[31m", "+": "\x1b[32m", "~": "\x1b[33m", "↕": "\x1b[36m", "⇄": "\x1b[35m"}
_SIGNS: Final = {
    Verdict.ADDED: "+",
    Verdict.REMOVED: "-",
    Verdict.MOVED: "↕",
    Verdict.CHANGED: "~",
    Verdict.TYPE_CHANGED: "⇄",
}
_LONG_TEXT: Final = 40  # characters from which a changed string is shown as a word diff
_PREVIEW: Final = 60  # characters of text shown in the one-line summary of an added/removed item


class _Style:
    """Colour on or off, so the rest of the renderer never tests the flag."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def paint(self, sign: str, text: str) -> str:
        return f"{_COLORS[sign]}{text}{_RESET}" if self.color else text

    def deleted(self, text: str) -> str:
        return f"\x1b[31;9m{text}{_RESET}" if self.color else f"[-{text}-]"

    def inserted(self, text: str) -> str:
        return f"\x1b[32;1m{text}{_RESET}" if self.color else f"{{+{text}+}}"


def header(diff: ItemDiff) -> str:
    """``250 → 251 items: +1 −1 ↕1 ~3`` (and ``⇄n`` when items changed type)."""  # noqa: RUF002
    counts = diff.counts
    line = (
        f"{len(diff.old)} → {len(diff.new)} items: "
        f"+{counts.added} −{counts.removed} ↕{counts.moved} ~{counts.changed}"  # noqa: RUF001
    )
    if counts.type_changed:
        line += f" ⇄{counts.type_changed}"
    return line + (" (no differences)" if diff.is_empty else "")


def _value(value: Any) -> str:
    if value is MISSING:
        return "<absent>"
    return capped(dump_json(value, default=repr))


def item_summary(item: Mapping[str, Any]) -> str:
    """A short description of an added or removed item: role and text, or tool name and input."""
    parts: list[str] = []
    for key in ("role", "name"):
        if isinstance(item.get(key), str):
            parts.append(item[key])
    text = _first_text(item)
    if text is not None:
        flat = " ".join(text.split())
        parts.append(dump_json(flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"))
    return " ".join(parts)


def _first_text(item: Mapping[str, Any]) -> str | None:
    for key in ("arguments", "input", "output", "result", "code"):
        if isinstance(item.get(key), str):
            return str(item[key])
    for part in item.get("content") or item.get("summary") or ():
        if isinstance(part, Mapping) and isinstance(part.get("text"), str):
            return str(part["text"])
    return None


def word_diff(old: str, new: str, style: _Style) -> str:
    """``new`` with deletions and insertions marked word by word; long equal stretches folded."""
    painted: dict[Kind, Callable[[str], str]] = {
        Kind.KEPT: str,
        Kind.FOLDED: str,
        Kind.DELETED: style.deleted,
        Kind.INSERTED: style.inserted,
    }
    return "".join(painted[segment.kind](segment.text) for segment in word_segments(old, new))


def _field_line(change: FieldChange, style: _Style) -> str:
    old, new = change.old, change.new
    if old is MISSING:
        return f"    + {change.path}: {_value(new)}"
    if new is MISSING:
        return f"    - {change.path}: {_value(old)}"
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) >= _LONG_TEXT:
        edited = word_diff(old, new, style).replace("\n", "\n      ")  # keep later lines indented
        return f"    ~ {change.path}: {edited}"
    return f"    ~ {change.path}: {_value(old)} → {_value(new)}"


def _item_lines(diff: ItemDiff, change: ItemChange, style: _Style, max_fields: int) -> Iterator[str]:
    sign = _SIGNS[change.verdict]
    if change.verdict is Verdict.ADDED:
        assert change.new_index is not None
        where, summary = f"[{change.new_index}]", item_summary(diff.new[change.new_index])
    elif change.verdict is Verdict.REMOVED:
        assert change.old_index is not None
        where, summary = f"was [{change.old_index}]", item_summary(diff.old[change.old_index])
    elif change.moved:
        where, summary = f"[{change.old_index}] → [{change.new_index}]", ""
    else:
        where, summary = f"[{change.new_index}]", ""
    kind = change.item_type
    if change.verdict is Verdict.TYPE_CHANGED and change.old_index is not None:
        kind = f"{diff.old[change.old_index].get('type')} → {change.item_type}"
    yield style.paint(sign, " ".join(filter(None, (sign, change.key, kind, where, summary))))
    for field_change in change.fields[:max_fields]:
        yield _field_line(field_change, style)
    hidden = len(change.fields) - max_fields
    if hidden > 0:
        yield f"    … +{hidden} more field change{'s' if hidden > 1 else ''}"


def _context_line(item: Mapping[str, Any], index: int) -> str:
    return "  " + " ".join(filter(None, (str(item.get("id", "")), str(item.get("type")), f"[{index}]")))


def _run_lines(diff: ItemDiff, run: UnchangedRun, before: bool, after: bool, context: int) -> Iterator[str]:
    """An unchanged run: ``context`` items next to each neighbouring change, the rest folded."""
    head = context if before else 0
    tail = context if after else 0
    shown_all = run.count <= head + tail + 1
    for offset in range(run.count if shown_all else head):
        yield _context_line(diff.new[run.new_start + offset], run.new_start + offset)
    if shown_all:
        return
    folded = run.count - head - tail
    yield f"  … {folded} unchanged item{'s' if folded > 1 else ''} …"
    for offset in range(run.count - tail, run.count):
        yield _context_line(diff.new[run.new_start + offset], run.new_start + offset)


RENUMBER_OPTION: Final = "renumber_ids=True"


def ids_all_differ(diff: ItemDiff) -> bool:
    """No item id of one side is on the other: what a re-recording with fresh ids looks like."""
    old, new = ({_text_id(item) for item in side} for side in (diff.old, diff.new))
    return bool(diff.old and diff.new) and None not in old | new and not old & new


def _text_id(item: Mapping[str, Any]) -> str | None:
    """An id that is not a string (a hand edit, a fuzzer's item) is no id."""
    value = item.get("id")
    return value if isinstance(value, str) else None


def render(
    diff: ItemDiff,
    *,
    color: bool = False,
    context: int = 0,
    max_field_details: int = 20,
    labels: tuple[str, str] | None = None,
    renumber_option: str = RENUMBER_OPTION,
) -> str:
    """The diff as text for people: header with counts, one block per verdict, unchanged runs folded.

    ``labels`` name the sides (``("snapshot", "now")``, two file names) at the head of the header,
    so every ``old → new`` below reads the right way round. When every id differs, a last line
    says how to compare by first appearance instead (``renumber_option``).
    ``context`` unchanged items are shown on each side of a change; ``max_field_details`` caps the
    field lines of one item (the rest are counted as "+N more"), nothing else is cut.
    """
    style = _Style(color)
    lines = [(f"{labels[0]} → {labels[1]}: " if labels else "") + header(diff)]
    last = len(diff.entries) - 1
    for position, entry in enumerate(diff.entries):
        if isinstance(entry, UnchangedRun):
            lines.extend(_run_lines(diff, entry, position > 0, position < last, context))
        else:
            lines.extend(_item_lines(diff, entry, style, max_field_details))
    if ids_all_differ(diff):
        lines.append(
            f"  every item id differs: if the conversation was re-recorded with fresh ids, compare items "
            f"by first appearance with {renumber_option}"
        )
    return escape_surrogates("\n".join(lines))  # ids and types are shown as they are: printable
