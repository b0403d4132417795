"""Item-level diff: one verdict per item, field paths, JSON-aware values, and a readable report."""

# ruff: noqa: RUF001  (the report's header uses the minus sign on purpose)

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openai._models import validate_type
from openai.types.conversations import ConversationItem as SDKItem
from support.items import SAMPLES

from pytest_convreplay.diff.align import longest_increasing
from pytest_convreplay.diff.as_json import to_json
from pytest_convreplay.diff.engine import _aligned, diff_items
from pytest_convreplay.diff.ids import renumber_ids
from pytest_convreplay.diff.model import MISSING, FieldChange, Verdict
from pytest_convreplay.diff.render import render

Item = dict[str, Any]


def message(n: int, text: str | None = None) -> Item:
    return {
        "id": f"msg_{n}",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text if text is not None else f"hello {n}"}],
    }


def call(n: int, arguments: Any) -> Item:
    return {
        "id": f"fc_{n}",
        "type": "function_call",
        "call_id": f"call_{n}",
        "name": "get_weather",
        "arguments": json.dumps(arguments),
        "status": "completed",
    }


def conversation(size: int) -> list[Item]:
    return [message(n) for n in range(size)]


def verdicts(old: Any, new: Any, **options: Any) -> list[tuple[str, str]]:
    return [(change.verdict.value, change.key) for change in diff_items(old, new, **options).verdicts]


def test_identical_lists_have_an_empty_diff() -> None:
    diff = diff_items(conversation(5), conversation(5))
    assert diff.is_empty
    assert render(diff).splitlines()[0] == "5 → 5 items: +0 −0 ↕0 ~0 (no differences)"


def test_one_inserted_item_is_one_added_verdict_not_every_later_item_changed() -> None:
    old = conversation(250)
    new = [*old[:10], message(999), *old[10:]]
    assert verdicts(old, new) == [("added", "msg_999")]


def test_a_removed_item_is_one_removed_verdict() -> None:
    old = conversation(20)
    assert verdicts(old, old[:3] + old[4:]) == [("removed", "msg_3")]


def test_an_item_that_changed_place_is_moved() -> None:
    old = conversation(20)
    new = [*old[:2], *old[3:15], old[2], *old[15:]]
    (change,) = diff_items(old, new).verdicts
    assert (change.verdict, change.key, change.old_index, change.new_index) == (Verdict.MOVED, "msg_2", 2, 14)


def test_a_changed_item_lists_its_field_paths() -> None:
    old, new = [message(1, "hi")], [message(1, "hello")]
    (change,) = diff_items(old, new).verdicts
    assert change.fields == (FieldChange("content[0].text", "hi", "hello"),)


def test_an_added_and_a_removed_field_say_which_side_lacks_it() -> None:
    old = [dict(message(1), phase="commentary")]
    new = [dict(message(1), extra=True)]
    (change,) = diff_items(old, new).verdicts
    assert set(change.fields) == {
        FieldChange("phase", "commentary", MISSING),
        FieldChange("extra", MISSING, True),
    }


def test_json_arguments_are_compared_structurally() -> None:
    old = [call(1, {"city": "Paris", "units": "c"})]
    new = [call(1, {"units": "c", "city": "Lyon"})]
    (change,) = diff_items(old, new).verdicts
    assert change.fields == (FieldChange("arguments.city", "Paris", "Lyon"),)


def test_a_boolean_that_became_a_number_is_a_change_though_python_says_true_equals_1() -> None:
    old = [call(1, {"confirm": True}), dict(message(2), approve=True)]
    new = [call(1, {"confirm": 1}), dict(message(2), approve=1.0)]
    first, second = diff_items(old, new).verdicts
    assert first.fields == (FieldChange("arguments.confirm", True, 1),)
    assert second.fields == (FieldChange("approve", True, 1.0),)


def test_reserialised_but_equal_json_is_no_change() -> None:
    old = [call(1, {"city": "Paris"})]
    new = [dict(old[0], arguments='{ "city":"Paris" }')]
    assert diff_items(old, new).is_empty


def test_a_changed_function_argument_renders_as_a_few_lines_naming_id_field_and_values() -> None:
    old = [*conversation(3), call(1, {"city": "Paris"})]
    new = [*conversation(3), call(1, {"city": "Lyon"})]
    assert render(diff_items(old, new)) == (
        "4 → 4 items: +0 −0 ↕0 ~1\n"
        "  … 3 unchanged items …\n"
        "~ fc_1 function_call [3]\n"
        '    ~ arguments.city: "Paris" → "Lyon"'
    )


def test_an_item_whose_type_changed_under_the_same_id_is_type_changed() -> None:
    old = [
        {
            "id": "x_1",
            "type": "function_call",
            "call_id": "c",
            "name": "f",
            "arguments": "{}",
            "status": "completed",
        }
    ]
    new = [{"id": "x_1", "type": "custom_tool_call", "call_id": "c", "name": "f", "input": "{}"}]
    (change,) = diff_items(old, new).verdicts
    assert change.verdict is Verdict.TYPE_CHANGED
    assert "⇄ x_1 function_call → custom_tool_call" in render(diff_items(old, new))


def test_items_without_id_are_aligned_by_call_id() -> None:
    old = [{"type": "custom_tool_call", "call_id": "call_1", "name": "sql", "input": "SELECT 1"}]
    new = [dict(old[0], input="SELECT 2")]
    assert verdicts(old, new) == [("changed", "custom_tool_call:call_1")]


def test_items_without_id_or_call_id_are_aligned_by_content() -> None:
    anonymous = {"type": "hologram", "depth": 3}
    assert diff_items([anonymous, message(1)], [message(1), anonymous]).counts.moved == 1


def test_a_repeated_id_is_aligned_by_occurrence() -> None:
    old = [message(1), message(1, "again")]
    new = [message(1), message(1, "changed")]
    assert verdicts(old, new) == [("changed", "msg_1@2")]


def test_volatile_fields_are_masked_by_default() -> None:
    old = [{"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "gAAA1"}]
    new = [dict(old[0], encrypted_content="gAAA2")]
    assert diff_items(old, new).is_empty


def test_masks_can_be_turned_off() -> None:
    old = [{"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "gAAA1"}]
    new = [dict(old[0], encrypted_content="gAAA2")]
    assert verdicts(old, new, masks=()) == [("changed", "rs_1")]


def test_renumbering_makes_a_rerecording_with_fresh_ids_equal() -> None:
    first = [
        message(1),
        call(7, {"a": 1}),
        {
            "id": "fco_3",
            "type": "function_call_output",
            "call_id": "call_7",
            "output": "ok",
            "status": "completed",
        },
    ]
    second = json.loads(
        json.dumps(first).replace("msg_1", "msg_X").replace("call_7", "call_Y").replace("fc_7", "fc_Y")
    )
    assert not diff_items(first, second).is_empty
    assert diff_items(first, second, renumber=True).is_empty


def test_with_renumbering_one_inserted_item_is_one_verdict_and_links_still_count() -> None:
    old = [
        *conversation(20),
        call(1, {"city": "Paris"}),
        {"type": "function_call_output", "call_id": "call_1"},
    ]
    inserted = [dict(message(99), id="msg_new"), *[dict(m, id=f"msg_{n}x") for n, m in enumerate(old[:20])]]
    new = [
        *inserted[:1],
        *inserted[1:],
        dict(old[20], id="fc_9", call_id="call_9"),
        dict(old[21], call_id="call_9"),
    ]
    assert verdicts(old, new, renumber=True) == [("added", "msg#1")]

    edited = [*new[:5], message(5, "edited"), *new[6:]]
    (change,) = [c for c in diff_items(old, edited, renumber=True).verdicts if c.verdict is Verdict.CHANGED]
    assert change.fields == (FieldChange("content[0].text", "hello 4", "edited"),)

    relinked = [*old, call(2, {}), {"type": "function_call_output", "call_id": "call_2"}]
    moved_output = [*relinked[:-1], dict(relinked[-1], call_id="call_1")]
    (change,) = diff_items(relinked, moved_output, renumber=True).verdicts
    assert change.fields == (FieldChange("call_id", "call#2", "call#1"),)


def test_long_text_changes_are_shown_word_by_word() -> None:
    before = "The quick brown fox jumped over the lazy dog before the sun went down."
    after = "The quick brown fox leapt over the lazy dog before the sun went down."
    text = render(diff_items([message(1, before)], [message(1, after)]))
    assert "content[0].text: The quick brown fox [-jumped-]{+leapt+} over the lazy dog" in text


def test_colour_output_uses_ansi_codes() -> None:
    text = render(diff_items([message(1, "a " * 30)], [message(1, "b " * 30)]), color=True)
    assert "\x1b[31;9mb\x1b[0m" not in text
    assert "\x1b[31;9ma" in text
    assert "\x1b[32;1mb" in text


def test_unchanged_runs_are_folded_with_optional_context() -> None:
    old = conversation(100)
    new = [*old[:50], message(50, "changed"), *old[51:]]
    plain = render(diff_items(old, new))
    with_context = render(diff_items(old, new), context=1)
    assert plain.splitlines()[1::3] == ["  … 50 unchanged items …", "  … 49 unchanged items …"]
    assert with_context.splitlines()[2:6] == [
        "  msg_49 message [49]",
        "~ msg_50 message [50]",
        '    ~ content[0].text: "hello 50" → "changed"',
        "  msg_51 message [51]",
    ]


def test_only_field_details_are_capped_with_a_count_of_the_rest() -> None:
    old = [call(1, {f"k{n}": n for n in range(30)})]
    new = [call(1, {f"k{n}": n + 1 for n in range(30)})]
    lines = render(diff_items(old, new), max_field_details=5).splitlines()
    assert len(lines) == 1 + 1 + 5 + 1
    assert lines[-1] == "    … +25 more field changes"


def test_added_and_removed_items_are_summarised_on_one_line() -> None:
    text = render(diff_items([message(1, "bye")], [message(2, "hi")]))
    assert '- msg_1 message was [0] user "bye"' in text
    assert '+ msg_2 message [0] user "hi"' in text


def test_to_json_gives_counts_and_field_changes() -> None:
    data = to_json(diff_items([call(1, {"city": "Paris"})], [call(1, {"country": "FR"})]))
    assert data["counts"] == {
        "added": 0,
        "removed": 0,
        "moved": 0,
        "changed": 1,
        "type-changed": 0,
        "unchanged": 0,
    }
    assert data["items"][0]["fields"] == [
        {"path": "arguments.city", "old": "Paris"},
        {"path": "arguments.country", "new": "FR"},
    ]


def test_explain_gives_lines_for_assertion_messages() -> None:
    assert render(diff_items([message(1)], [message(1, "x")])).splitlines()[0] == "1 → 1 items: +0 −0 ↕0 ~1"


def test_openai_sdk_objects_can_be_diffed_against_dicts() -> None:
    sdk = [validate_type(type_=SDKItem, value=SAMPLES[kind]) for kind in ("message", "function_call")]
    assert diff_items(sdk, [SAMPLES["message"], SAMPLES["function_call"]]).is_empty


def test_longest_increasing_picks_the_longest_chain() -> None:
    assert longest_increasing([0, 1, 9, 2, 3, 4]) == {0, 1, 2, 3, 4}


# --- properties -----------------------------------------------------------------------------------------

ids = st.lists(st.integers(0, 40), unique=True, max_size=25)


@given(ids)
def test_a_list_diffed_against_itself_is_empty(numbers: list[int]) -> None:
    items = [message(n) for n in numbers]
    assert diff_items(items, [dict(item) for item in items]).is_empty


@given(ids, st.booleans(), st.sampled_from([True, 1, 1.0, "1", None]))
def test_equal_lists_take_the_short_way_to_what_aligning_them_gives(
    numbers: list[int], renumber: bool, flag: object
) -> None:
    """diff_items answers equal lists without aligning them: the verdict must be the one the
    general path gives, and a boolean turned number is still a change."""
    items = [{**message(n), "flag": flag} for n in numbers]
    again = [dict(item) for item in items]
    assert diff_items(items, again, masks=(), renumber=renumber) == _aligned(
        renumber_ids(items) if renumber else items, renumber_ids(again) if renumber else again, renumber
    )
    if numbers and flag is True:
        assert not diff_items(items, [{**item, "flag": 1} for item in items]).is_empty


@given(ids, st.randoms(use_true_random=False))
def test_a_permutation_has_only_moves(numbers: list[int], rng: Any) -> None:
    items = [message(n) for n in numbers]
    shuffled = list(items)
    rng.shuffle(shuffled)
    counts = diff_items(items, shuffled).counts
    assert (counts.added, counts.removed, counts.changed, counts.type_changed) == (0, 0, 0, 0)
    assert counts.moved + counts.unchanged == len(items)


@given(ids, ids, st.sets(st.integers(0, 40)))
def test_counts_account_for_every_item(
    old_numbers: list[int], new_numbers: list[int], edited: set[int]
) -> None:
    old = [message(n) for n in old_numbers]
    new = [message(n, "edited" if n in edited else None) for n in new_numbers]
    counts = diff_items(old, new).counts
    assert len(new) == len(old) + counts.added - counts.removed
    matched = counts.moved + counts.changed + counts.type_changed + counts.unchanged
    assert matched == len(old) - counts.removed == len(new) - counts.added


@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=12))
def test_renumbering_is_idempotent_and_keeps_calls_linked_to_outputs(call_ids: list[str]) -> None:
    items: list[Item] = []
    for n, call_id in enumerate(call_ids):
        items.append({"id": f"fc_{n}", "type": "function_call", "call_id": f"call_{call_id}"})
        items.append({"id": f"fco_{n}", "type": "function_call_output", "call_id": f"call_{call_id}"})
    once = renumber_ids(items)
    assert renumber_ids(once) == once
    assert all(once[i]["call_id"] == once[i + 1]["call_id"] for i in range(0, len(once), 2))
    assert len({item["call_id"] for item in once}) == len(set(call_ids))


def test_a_small_edit_inside_a_huge_token_prints_only_what_changed_with_some_context() -> None:
    image = "data:image/png;base64," + "QUJD" * 50_000
    edited = image[:-30] + "ZZZZZZZZZZ" + image[-20:]
    item = {"id": "ig_1", "type": "image_generation_call", "status": "completed"}
    text = render(diff_items([dict(item, result=image)], [dict(item, result=edited)]))
    assert len(text) < 400
    assert "{+ZZZZZZZZZZ+}" in text


def test_a_huge_added_value_is_capped_with_the_count_of_what_is_left_out() -> None:
    old = [{"id": "ws_1", "type": "web_search_call"}]
    new = [dict(old[0], results=["x" * 50] * 100)]
    text = render(diff_items(old, new))
    assert len(text) < 500
    assert "more characters)" in text


def test_a_multi_line_text_change_keeps_its_later_lines_indented_under_the_field() -> None:
    text = "line one\nline two has words here and there and more\nline three"
    old, new = [message(1, text)], [message(1, text.replace("two has", "two has other"))]
    rendered = render(diff_items(old, new))
    assert "\n      line two has{+ other+}" in rendered


def test_repetitive_long_texts_are_diffed_in_bounded_time_as_one_edit() -> None:
    """difflib on words is cubic on repetitive text (a 4 KB "ha ha …" took minutes): past 200 x 200
    token pairs, the stretch between the common beginning and end is one edit."""
    old, new = [message(1, "a " * 20_000)], [message(1, "a b " * 10_000)]
    rendered = render(diff_items(old, new))
    assert "~ content[0].text:" in rendered
    assert "more characters" in rendered  # the one edit, capped
