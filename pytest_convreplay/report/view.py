"""What the report template shows, worked out once in Python: per test, per compared list, per item.

The template only loops and prints; every decision (what is long, what is masked, where a path
enters a JSON string, which anchor an item gets) is made here, so it is tested without a browser.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..diff import FieldChange, ItemChange, ItemDiff, UnchangedRun, Verdict
from ..diff.render import header, item_summary
from ..diff.words import Segment, word_segments
from ..errors import ConfigError
from ..model.interactions import json_container
from ..rules.masks import MASKED
from ..rules.selector import Selector, format_path
from .model import Comparison, ComparisonState

LONG_VALUE: Final = 160  # characters from which a value is collapsed behind its first line
LONG_TEXT: Final = 40  # characters from which a changed string is shown as a word diff
MAX_BODY: Final = 20_000  # characters of an added or removed item shown, the rest counted
VERDICTS: Final = tuple(Verdict)
SIGNS: Final = {
    Verdict.ADDED: "+",
    Verdict.REMOVED: "−",  # noqa: RUF001  (a minus sign, as the text report prints it)
    Verdict.MOVED: "↕",
    Verdict.CHANGED: "~",
    Verdict.TYPE_CHANGED: "⇄",
}


@dataclass(frozen=True, slots=True)
class ValueView:
    text: str  # JSON for anything but a plain string
    masked: bool = False
    parsed_json: bool = False  # a JSON string, shown parsed and indented

    @property
    def long(self) -> bool:
        return len(self.text) > LONG_VALUE or self.text.count("\n") > 2

    @property
    def preview(self) -> str:
        first = self.text.split("\n", 1)[0]
        return first[:LONG_VALUE]


@dataclass(frozen=True, slots=True)
class FieldView:
    path: str  # the whole path, as a diff prints it and masks= reads it
    outer: str  # the part up to the JSON string it enters ("arguments"), or the whole path
    inner: str  # the part inside that JSON string (".city"), or ""
    op: str  # "added", "removed", "changed"
    old: ValueView | None
    new: ValueView | None
    words: tuple[Segment, ...] = ()  # a long text's word-level edit

    @property
    def masked(self) -> bool:
        return any(side is not None and side.masked for side in (self.old, self.new))


@dataclass(frozen=True, slots=True)
class ItemView:
    anchor: str
    verdict: Verdict
    sign: str
    key: str
    item_type: str  # what the type filter matches: the new type
    type_label: str  # what is shown: "message → reasoning" for a type change
    where: str
    summary: str
    fields: tuple[FieldView, ...] = ()
    body: ValueView | None = None  # an added or removed item, shown whole


@dataclass(slots=True)
class ListView:
    """One compared list: a cassette's conversation or a named snapshot."""

    anchor: str
    label: str
    kind: str
    state: ComparisonState
    header: str
    old_path: str | None
    new_path: str | None
    masks: tuple[str, ...]
    renumber: bool
    note: str
    counts: dict[str, int]
    entries: list[ItemView | int] = field(default_factory=list)  # an int: that many unchanged items


@dataclass(slots=True)
class TestView:
    __test__ = False  # a "Test…" name pytest must not collect

    index: int
    name: str
    anchor: str
    lists: list[ListView] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def differs(self) -> bool:
        return any(view.state is not ComparisonState.SAME for view in self.lists)


@dataclass(slots=True)
class ReportView:
    title: str
    source: str
    tests: list[TestView]
    counts: Counter[str]
    item_types: list[str]
    sides: tuple[str, str] = ("committed", "new")
    verdicts: tuple[Verdict, ...] = VERDICTS

    @property
    def differing_lists(self) -> int:
        return sum(view.state is not ComparisonState.SAME for test in self.tests for view in test.lists)


def anchor(*parts: str) -> str:
    """A stable HTML id: the same test, list and item get the same anchor in every report."""
    digest = hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()[:12]
    return f"i-{digest}"


def value_view(value: Any) -> ValueView:
    if isinstance(value, str):
        inner = json_container(value)
        if inner is not None:
            return ValueView(json.dumps(inner, indent=2, ensure_ascii=False), parsed_json=True)
        return ValueView(value, masked=value == MASKED)
    return ValueView(
        json.dumps(value, ensure_ascii=False, indent=2 if isinstance(value, dict | list) else None)
    )


def _expanded(value: Any) -> Any:
    """An item with its JSON strings (``arguments``, ``output``) parsed, for showing it whole."""
    if isinstance(value, dict):
        return {key: _expanded(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_expanded(inner) for inner in value]
    if isinstance(value, str):
        inner = json_container(value)
        return value if inner is None else _expanded(inner)
    return value


def body_view(item: Mapping[str, Any]) -> ValueView:
    text = json.dumps(_expanded(item), indent=2, ensure_ascii=False)
    if len(text) > MAX_BODY:
        text = f"{text[:MAX_BODY]}\n… (+{len(text) - MAX_BODY} more characters)"
    return ValueView(text, masked=f'"{MASKED}"' in text)


def split_at_json(item: Mapping[str, Any] | None, path: str) -> tuple[str, str]:
    """``("arguments", ".city")`` when the path enters a JSON string of ``item``, else ``(path, "")``."""
    if item is None:
        return path, ""
    try:
        steps = Selector.parse(path).steps
    except ConfigError:
        return path, ""
    value: Any = item
    for position, step in enumerate(steps):
        if isinstance(value, dict) and isinstance(step, str) and step in value:  # noqa: SIM114 (mypy narrows each)
            value = value[step]
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        elif position == 0 and step == item.get("type"):  # item_path's type prefix
            continue
        else:
            return path, ""
        if isinstance(value, str) and position + 1 < len(steps) and json_container(value) is not None:
            outer = format_path(tuple(s for s in steps[: position + 1] if isinstance(s, str | int)))
            return outer, path[len(outer) :]
    return path, ""


def field_view(change: FieldChange, item: Mapping[str, Any] | None) -> FieldView:
    from ..diff.model import MISSING

    outer, inner = split_at_json(item, change.path)
    old = None if change.old is MISSING else value_view(change.old)
    new = None if change.new is MISSING else value_view(change.new)
    op = "added" if old is None else "removed" if new is None else "changed"
    words: tuple[Segment, ...] = ()
    if (
        op == "changed"
        and isinstance(change.old, str)
        and isinstance(change.new, str)
        and not (old and old.parsed_json)
        and max(len(change.old), len(change.new)) >= LONG_TEXT
    ):
        words = tuple(word_segments(change.old, change.new))
    return FieldView(change.path, outer, inner, op, old, new, words)


def item_view(diff: ItemDiff, change: ItemChange, anchor_base: tuple[str, ...]) -> ItemView:
    old_item = diff.old[change.old_index] if change.old_index is not None else None
    new_item = diff.new[change.new_index] if change.new_index is not None else None
    if change.verdict is Verdict.ADDED:
        where, summary, body = (
            f"[{change.new_index}]",
            item_summary(new_item or {}),
            body_view(new_item or {}),
        )
    elif change.verdict is Verdict.REMOVED:
        where, summary, body = (
            f"was [{change.old_index}]",
            item_summary(old_item or {}),
            body_view(old_item or {}),
        )
    elif change.moved:
        where, summary, body = f"[{change.old_index}] → [{change.new_index}]", "", None
    else:
        where, summary, body = f"[{change.new_index}]", "", None
    kind = change.item_type
    if change.verdict is Verdict.TYPE_CHANGED and old_item is not None:
        kind = f"{old_item.get('type')} → {change.item_type}"
    fields = tuple(field_view(f, new_item if f.new is not None else old_item) for f in change.fields)
    return ItemView(
        anchor(*anchor_base, change.key, change.verdict.value),
        change.verdict,
        SIGNS[change.verdict],
        change.key,
        change.item_type,
        kind,
        where,
        summary,
        fields,
        body,
    )


def list_view(comparison: Comparison) -> ListView:
    diff = comparison.diff
    base = (comparison.test, comparison.kind.value, comparison.name)
    view = ListView(
        anchor=anchor(*base),
        label=comparison.label,
        kind=comparison.kind.value,
        state=comparison.state,
        header=header(diff),
        old_path=comparison.old_path,
        new_path=comparison.new_path,
        masks=comparison.masks,
        renumber=comparison.renumber,
        note=comparison.note,
        counts={verdict.value: 0 for verdict in VERDICTS},
    )
    for entry in diff.entries:
        if isinstance(entry, UnchangedRun):
            view.entries.append(entry.count)
            continue
        view.counts[entry.verdict.value] += 1
        view.entries.append(item_view(diff, entry, base))
    return view


def report_view(
    comparisons: Iterable[Comparison],
    *,
    title: str,
    source: str,
    sides: tuple[str, str] = ("committed", "new"),
) -> ReportView:
    tests: dict[str, TestView] = {}
    totals: Counter[str] = Counter()
    types: set[str] = set()
    for comparison in comparisons:
        test = tests.get(comparison.test)
        if test is None:
            test = tests[comparison.test] = TestView(len(tests), comparison.test, anchor(comparison.test))
        view = list_view(comparison)
        test.lists.append(view)
        test.counts.update(view.counts)
        totals.update(view.counts)
        types.update(entry.item_type for entry in view.entries if isinstance(entry, ItemView))
    return ReportView(title, source, list(tests.values()), totals, sorted(types), sides)
