"""The HTML report as a file: self-contained, escaped, gated like every file the plugin writes,
and showing what the diff says (paths into JSON strings split, long values collapsed, masks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.snapshots import call, message

from pytest_convreplay.errors import SecretLeakError
from pytest_convreplay.gate import Gate, KnownSecrets
from pytest_convreplay.report.html import render_report, write_report
from pytest_convreplay.report.model import Comparison, ComparisonKind, ComparisonState
from pytest_convreplay.report.view import report_view, split_at_json, value_view

Item = dict[str, Any]


def comparison(old: list[Item], new: list[Item] | None, **options: Any) -> Comparison:
    return Comparison("t.py::test_x", ComparisonKind.CONVERSATION, "conv_1", old, new, **options)


def test_item_text_cannot_become_markup() -> None:
    hostile = '</script><script>alert(1)</script><img src="http://example.com/x">'
    text = render_report([comparison([message(1)], [message(1, hostile)])], title="<b>t</b>", source="s").text
    assert "<script>alert" not in text
    assert '<img src="http' not in text
    assert "&lt;script&gt;alert(1)" in text
    assert text.count("<script>") == 1  # the page's own, allowed by its hash only


def test_a_known_secret_in_an_item_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    known = KnownSecrets()
    known.add("tok-9f8e7d6c5b4a39281706", "a declared secret")
    path = tmp_path / "report.html"
    with pytest.raises(SecretLeakError) as error:
        write_report(
            path,
            [comparison([message(1)], [message(1, "tok-9f8e7d6c5b4a39281706")])],
            Gate(known),
            title="t",
            source="s",
        )
    assert not path.exists()
    assert "tok-9f8e7d6c5b4a39281706" not in str(error.value)
    assert "content[0].text" in str(error.value)


def test_the_counts_and_every_verdict_come_from_the_diff() -> None:
    old = [message(1), call(2), message(3), message(4)]
    new = [message(1, "edited"), message(4), message(3), call(2, "Lyon"), message(5)]
    view = report_view([comparison(old, new)], title="t", source="s")
    (listed,) = view.tests[0].lists
    diff = comparison(old, new).diff
    counts = diff.counts
    assert listed.counts == {
        "added": counts.added,
        "removed": counts.removed,
        "moved": counts.moved,
        "changed": counts.changed,
        "type-changed": counts.type_changed,
    }
    shown = [entry for entry in listed.entries if not isinstance(entry, int)]
    assert [(item.verdict, item.key) for item in shown] == [(c.verdict, c.key) for c in diff.verdicts]
    assert [[f.path for f in item.fields] for item in shown] == [
        [f.path for f in c.fields] for c in diff.verdicts
    ]


def test_anchors_are_stable_and_unique() -> None:
    old, new = [message(n) for n in range(50)], [message(n, "changed") for n in range(50)]
    first = report_view([comparison(old, new)], title="t", source="s")
    second = report_view([comparison(old, new)], title="other", source="s")
    anchors = [e.anchor for e in first.tests[0].lists[0].entries if not isinstance(e, int)]
    assert len(set(anchors)) == 50
    assert anchors == [e.anchor for e in second.tests[0].lists[0].entries if not isinstance(e, int)]


def test_a_path_into_a_json_string_is_split_where_the_string_starts() -> None:
    item = call(2)
    assert split_at_json(item, "arguments.city") == ("arguments", ".city")
    assert split_at_json(item, "name") == ("name", "")
    assert split_at_json({"type": "x", "a": [{"b": json.dumps({"c": [1]})}]}, "a[0].b.c[0]") == (
        "a[0].b",
        ".c[0]",
    )


def test_values_say_whether_they_are_masked_long_or_json() -> None:
    assert value_view("<masked>").masked
    assert value_view("x" * 500).long
    assert not value_view("short").long
    parsed = value_view(json.dumps({"city": "Paris"}))
    assert parsed.parsed_json
    assert '"city": "Paris"' in parsed.text


def test_new_and_gone_lists_have_their_own_state() -> None:
    assert comparison([], None).state is ComparisonState.GONE
    assert Comparison("t", ComparisonKind.SNAPSHOT, "s", None, [message(1)]).state is ComparisonState.NEW
    assert comparison([message(1)], [message(1)]).state is ComparisonState.SAME


def test_a_comparison_survives_its_plain_data_form() -> None:
    original = comparison([message(1)], [message(2)], masks=("*.status",), renumber=True, note="n")
    assert Comparison.from_data(json.loads(json.dumps(original.to_data()))) == original
