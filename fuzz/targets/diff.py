"""Target: the item-level diff, its masks and its renderings (text, colour, JSON), on two item
lists from the input (a JSON ``[old, new]``, as snapshot files and cassette pages hold items).
Contract: only a ConvreplayError escapes; an item list diffed with itself is empty; every
rendering is text that can be printed."""

from __future__ import annotations

import json

from _harness import instrumented, main, text_of

with instrumented():
    from pytest_convreplay.diff import diff_items, render, to_json
    from pytest_convreplay.errors import ConvreplayError
    from pytest_convreplay.model.interactions import parse_json
    from pytest_convreplay.rules.masks import parse_masks

MASKS = parse_masks(["created_at", "message.content[*].text", "**.fetched_at"])


def item_lists(data: bytes) -> tuple[list[dict[str, object]], list[dict[str, object]]] | None:
    text = text_of(data)
    if text is None:
        return None
    try:
        value = parse_json(text)
    except ValueError:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(side, list) for side in value)):
        return None
    old, new = value
    if not all(isinstance(item, dict) for item in [*old, *new]):
        return None
    return old, new


def check(data: bytes) -> None:
    sides = item_lists(data)
    if sides is None:
        return
    old, new = sides
    try:
        for renumber in (False, True):
            assert diff_items(old, old, renumber=renumber).is_empty, "a list differs from itself"
            diff = diff_items(old, new, renumber=renumber, masks=MASKS)
            for text in (render(diff, color=False), render(diff, color=True), json.dumps(to_json(diff))):
                text.encode("utf-8")
    except ConvreplayError:
        return


if __name__ == "__main__":
    main(check)
