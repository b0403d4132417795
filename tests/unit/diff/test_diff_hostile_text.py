"""Items decoded from bodies may hold lone surrogates (a ``\\udc00`` escape): the diff still aligns,
renders and prints them. Found by the diff fuzz target (fuzz/corpus/diff/regression-*)."""

from __future__ import annotations

import json

from pytest_convreplay.diff import diff_items, render, to_json

OLD = json.loads('[{"id": "msg_\\udc00", "type": "message", "content": "a\\udc00"}]')
NEW = json.loads('[{"id": "msg_2", "type": "message\\ud800"}]')


def test_a_lone_surrogate_in_ids_types_and_fields_renders_as_its_escape() -> None:
    diff = diff_items(OLD, NEW)
    for color in (False, True):
        text = render(diff, color=color)
        text.encode("utf-8")
        assert "msg_\\udc00" in text


def test_items_holding_lone_surrogates_align_with_renumbered_ids() -> None:
    diff = diff_items(OLD, OLD, renumber=True)
    assert diff.is_empty
    json.dumps(to_json(diff_items(OLD, NEW, renumber=True)))


def test_items_whose_ids_are_not_strings_render() -> None:
    """Found by the diff fuzz target: an ``id`` that is an object made rendering raise TypeError."""
    old = [{"id": {"nested": 1}, "type": "message"}, {"id": ["a"], "type": "message"}]
    new = [{"id": {"nested": 2}, "type": "message"}]
    text = render(diff_items(old, new), color=False)
    assert "renumber_ids" not in text
