"""Masks hide volatile values present in items; nothing absent is created, inputs are not changed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.diff.masking import apply_masks, compiled_mask
from pytest_convreplay.model.interactions import dump_json, json_container
from pytest_convreplay.rules.masks import DEFAULT_MASKS, MASKED, Mask
from pytest_convreplay.rules.selector import Wildcard


def test_indices_and_field_wildcards_parse() -> None:
    assert Mask.parse("shell_call_output.output[0].*").steps == ("output", 0, Wildcard.ANY)


def test_masking_replaces_a_present_value() -> None:
    (item,) = apply_masks(
        [{"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAA"}], ["*.encrypted_content"]
    )
    assert item == {"type": "reasoning", "id": "rs_1", "encrypted_content": MASKED}


def test_a_path_goes_on_inside_a_string_that_holds_json() -> None:
    output = json.dumps({"fetched_at": "2024-01-01T00:00:00Z", "temperature": 21})
    item = {"type": "function_call_output", "call_id": "call_1", "output": output}
    (masked,) = apply_masks([item], ["function_call_output.output.fetched_at"])
    assert json.loads(masked["output"]) == {"fetched_at": MASKED, "temperature": 21}
    assert apply_masks([masked], ["function_call_output.output.fetched_at"]) == [masked]  # idempotent
    assert json.loads(item["output"])["fetched_at"] == "2024-01-01T00:00:00Z"  # input untouched


def test_masking_never_creates_an_absent_field() -> None:
    item = {"type": "reasoning", "id": "rs_1"}
    assert apply_masks([item], ["reasoning.encrypted_content"]) == [item]


def test_masking_leaves_the_input_unchanged_and_unmatched_items_uncopied() -> None:
    masked_one: dict[str, Any] = {
        "type": "message",
        "id": "m",
        "content": [{"type": "output_text", "logprobs": [1]}],
    }
    untouched: dict[str, Any] = {
        "type": "message",
        "id": "n",
        "content": [{"type": "input_text", "text": "a"}],
    }
    out = apply_masks([masked_one, untouched], ["message.content[*].logprobs"])
    assert masked_one["content"][0]["logprobs"] == [1]
    assert out[0]["content"][0]["logprobs"] == MASKED
    assert out[1] is untouched


def test_a_mask_for_one_type_skips_other_types() -> None:
    item = {"type": "compaction", "id": "c", "encrypted_content": "x"}
    assert apply_masks([item], ["reasoning.encrypted_content"]) == [item]


def test_an_index_mask_touches_only_that_element() -> None:
    item = {"type": "shell_call_output", "id": "s", "output": [{"stdout": "a"}, {"stdout": "b"}]}
    (out,) = apply_masks([item], ["shell_call_output.output[1].stdout"])
    assert out["output"] == [{"stdout": "a"}, {"stdout": MASKED}]


def test_default_masks_hide_encryption_timestamps_and_logprobs_but_not_status() -> None:
    items = [
        {"type": "reasoning", "id": "r", "encrypted_content": "x", "status": "completed", "created_at": 1},
        {
            "type": "message",
            "id": "m",
            "status": "incomplete",
            "content": [{"type": "output_text", "logprobs": []}],
        },
    ]
    reasoning, message = apply_masks(items, DEFAULT_MASKS)
    assert (reasoning["encrypted_content"], reasoning["created_at"], reasoning["status"]) == (
        MASKED,
        MASKED,
        "completed",
    )
    assert (message["content"][0]["logprobs"], message["status"]) == (MASKED, "incomplete")


_keys = st.sampled_from(["a", "b", "logprobs"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["x", MASKED]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_keys, inner, max_size=3)
        | st.dictionaries(_keys, inner, max_size=2).map(json.dumps)
    ),  # a string holding JSON
    max_leaves=12,
)
_steps = st.lists(
    _keys | st.integers(0, 2) | st.sampled_from([Wildcard.ANY, Wildcard.ANY_INDEX, Wildcard.DEEP]),
    min_size=1,
    max_size=4,
).map(tuple)


def _mask_at(value: Any, steps: tuple[Any, ...]) -> Any:
    """The general walk, step by step, as masks were applied before they were compiled: the
    reference a compiled mask is held to."""
    if isinstance(value, str):
        inner = json_container(value)
        if inner is None:
            return value
        masked = _mask_at(inner, steps)
        return value if masked is inner else dump_json(masked)
    head, rest = steps[0], steps[1:]
    slots: Any
    if head is Wildcard.DEEP:  # zero steps here, then one or more below
        value = _mask_at(value, rest) if rest else (value if value == MASKED else MASKED)
        slots = (
            list(value) if isinstance(value, dict) else range(len(value)) if isinstance(value, list) else ()
        )
        return _replace(value, slots, steps)
    if isinstance(value, dict):
        slots = (
            list(value)
            if head is Wildcard.ANY
            else (head,)
            if isinstance(head, str) and head in value
            else ()
        )
    elif isinstance(value, list):
        any_index = head is Wildcard.ANY or head is Wildcard.ANY_INDEX
        slots = (
            range(len(value)) if any_index else (head,) if isinstance(head, int) and head < len(value) else ()
        )
    else:
        return value
    return _replace(value, slots, rest)


def _replace(container: Any, slots: Any, rest: tuple[Any, ...]) -> Any:
    copied: Any = None
    for slot in slots:
        old = container[slot]
        new = _mask_at(old, rest) if rest else (old if old == MASKED else MASKED)
        if new is not old:
            copied = container.copy() if copied is None else copied
            copied[slot] = new
    return container if copied is None else copied


@given(value=_json, steps=_steps)
def test_a_compiled_mask_does_what_the_general_walk_does(value: Any, steps: tuple[Any, ...]) -> None:
    expected = _mask_at(value, steps)
    masked = compiled_mask(steps)(value)
    assert masked == expected
    assert (masked is value) == (expected is value)  # unchanged values are not copied either
