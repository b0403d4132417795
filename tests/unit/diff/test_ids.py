"""Renumbering makes fresh ids comparable and keeps calls linked to their outputs."""

from __future__ import annotations

from typing import Any

from pytest_convreplay.diff.ids import renumber_ids


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
