"""Masks hide volatile values by selector; renumbering makes fresh ids comparable and keeps links."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pytest_convreplay.diff.ids import renumber_ids
from pytest_convreplay.diff.masking import apply_masks
from pytest_convreplay.errors import ConfigError
from pytest_convreplay.rules.masks import DEFAULT_MASKS, MASKED, Mask
from pytest_convreplay.rules.selector import Wildcard


def test_a_selector_parses_into_type_and_path() -> None:
    mask = Mask.parse("message.content[*].logprobs")
    assert (mask.item_type, mask.steps) == ("message", ("content", Wildcard.ANY_INDEX, "logprobs"))


def test_star_type_matches_every_item_type() -> None:
    assert Mask.parse("*.created_at").item_type is None


def test_indices_and_field_wildcards_parse() -> None:
    assert Mask.parse("shell_call_output.output[0].*").steps == ("output", 0, Wildcard.ANY)


@pytest.mark.parametrize(
    ("selector", "position", "problem"),
    [
        ("", 1, "empty selector"),
        ("reasoning", 10, "expected a path"),
        ("message..text", 9, "expected a name, '\\*' or '\\*\\*' after '.'"),
        ("message.content[x]", 16, "expected '.name'"),
        ("message.content]", 16, "expected '.name'"),
        ("message[0]", 8, "the path must start with a field name"),
    ],
)
def test_a_bad_selector_names_itself_and_the_position(selector: str, position: int, problem: str) -> None:
    with pytest.raises(
        ConfigError, match=f"mask {re.escape(repr(selector))}: {problem}.* at column {position}\\b"
    ):
        Mask.parse(selector)


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


def test_renumbering_names_ids_by_first_appearance_per_prefix() -> None:
    items = [
        {"type": "message", "id": "msg_zz"},
        {"type": "function_call", "id": "fc_q", "call_id": "call_x"},
        {"type": "message", "id": "msg_aa"},
    ]
    assert [(i["id"], i.get("call_id")) for i in renumber_ids(items)] == [
        ("msg#1", None),
        ("fc#1", "call#1"),
        ("msg#2", None),
    ]


def test_renumbering_keeps_a_call_linked_to_its_output() -> None:
    call, output = renumber_ids(
        [
            {"type": "function_call", "id": "fc_1", "call_id": "call_abc"},
            {"type": "function_call_output", "id": "fco_1", "call_id": "call_abc"},
        ]
    )
    assert call["call_id"] == output["call_id"] == "call#1"


def test_renumbering_rewrites_references_anywhere() -> None:
    request, call = renumber_ids(
        [
            {"type": "mcp_approval_request", "id": "mcpr_77"},
            {
                "type": "mcp_call",
                "id": "mcp_1",
                "approval_request_id": "mcpr_77",
                "meta": {"previous_item_id": "mcpr_77"},
            },
        ]
    )
    assert call["approval_request_id"] == call["meta"]["previous_item_id"] == request["id"] == "mcpr#1"


def test_renumbering_leaves_ids_of_other_things_alone() -> None:
    (item,) = renumber_ids(
        [{"type": "message", "id": "msg_1", "content": [{"type": "input_file", "file_id": "file_9"}]}]
    )
    assert item["content"][0]["file_id"] == "file_9"


def test_renumbering_is_idempotent() -> None:
    once = renumber_ids(
        [{"type": "function_call", "id": "fc_1", "call_id": "call_1"}, {"type": "x", "id": "plain"}]
    )
    assert renumber_ids(once) == once


def test_ids_nested_in_items_are_renumbered_and_keep_their_link() -> None:
    def recording(check_id: str, call_id: str) -> list[dict[str, Any]]:
        check = {"id": check_id, "code": "malicious_instructions", "message": "careful"}
        return [
            {
                "id": f"cu_{call_id}",
                "type": "computer_call",
                "call_id": call_id,
                "pending_safety_checks": [check],
            },
            {"type": "computer_call_output", "call_id": call_id, "acknowledged_safety_checks": [check]},
        ]

    first, second = renumber_ids(recording("cusc_a1", "call_a")), renumber_ids(recording("cusc_b2", "call_b"))
    assert first == second
    assert first[0]["pending_safety_checks"][0]["id"] == first[1]["acknowledged_safety_checks"][0]["id"]
