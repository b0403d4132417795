"""Typed items: every type round-trips exactly, anything a test holds becomes item dicts, drift is kept."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import pytest
from openai._models import validate_type
from openai.types.conversations import ConversationItem as SDKItem
from openai.types.conversations.conversation_item_list import ConversationItemList
from support.items import SAMPLES

from pytest_convreplay.errors import SchemaDriftWarning
from pytest_convreplay.model.item_dicts import to_item_dicts
from pytest_convreplay.model.items import convert
from pytest_convreplay.model.items.base import UnknownPart
from pytest_convreplay.model.items.convert import check_items, parse_item, parse_items
from pytest_convreplay.model.items.drift import _DriftWarner, schema_drift
from pytest_convreplay.model.items.types import KNOWN_ITEM_TYPES, FunctionCall, Message, UnknownItem


def test_samples_cover_every_item_type_the_models_know() -> None:
    assert set(SAMPLES) == KNOWN_ITEM_TYPES


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_item_type_round_trips_exactly(kind: str) -> None:
    item = SAMPLES[kind]
    model = parse_item(copy.deepcopy(item))
    assert not isinstance(model, UnknownItem)
    assert model.model_dump(mode="json", exclude_unset=True) == item


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_item_type_parses_without_drift(kind: str) -> None:
    assert schema_drift([parse_item(SAMPLES[kind])]) == []


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_openai_sdk_items_convert_to_the_same_dicts(kind: str) -> None:
    sdk_item = validate_type(type_=SDKItem, value=copy.deepcopy(SAMPLES[kind]))
    assert to_item_dicts(sdk_item) == [SAMPLES[kind]]


def test_openai_sdk_page_converts_to_its_data() -> None:
    page = validate_type(
        type_=ConversationItemList,
        value={
            "object": "list",
            "data": [SAMPLES["message"], SAMPLES["function_call"]],
            "first_id": "msg_1",
            "last_id": "fc_1",
            "has_more": False,
        },
    )
    assert to_item_dicts(page) == [SAMPLES["message"], SAMPLES["function_call"]]


def test_page_json_converts_to_its_data() -> None:
    assert to_item_dicts({"object": "list", "data": [SAMPLES["reasoning"]]}) == [SAMPLES["reasoning"]]


def test_our_models_convert_back_with_api_field_names() -> None:
    model = parse_item(SAMPLES["function_call"])
    assert isinstance(model, FunctionCall)
    assert model.async_ is False
    assert to_item_dicts([model]) == [SAMPLES["function_call"]]


def test_a_single_item_becomes_a_one_item_list() -> None:
    assert to_item_dicts(SAMPLES["program"]) == [SAMPLES["program"]]


def test_generators_of_items_are_accepted() -> None:
    assert to_item_dicts(item for item in [SAMPLES["program"]]) == [SAMPLES["program"]]


def test_something_that_is_not_items_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected conversation items"):
        to_item_dicts(42)


def test_an_unknown_item_type_is_kept_whole() -> None:
    item: dict[str, Any] = {"type": "hologram_call", "id": "holo_1", "depth": {"z": 3}}
    (model,) = parse_items([item], warn=False)
    assert isinstance(model, UnknownItem)
    assert model.model_dump(mode="json", exclude_unset=True) == item


def test_an_unknown_field_is_kept_and_reported_with_the_item_id() -> None:
    item = dict(SAMPLES["mcp_call"], latency_ms=12)
    (model,) = parse_items([item], warn=False)
    assert model.model_dump(mode="json", exclude_unset=True) == item
    assert schema_drift([model]) == ["mcp_call.latency_ms: unknown field (item mcp_1); kept as is"]


def test_an_unknown_content_part_type_is_kept_and_reported() -> None:
    item = dict(SAMPLES["message"], content=[{"type": "input_audio", "data": "AA"}])
    (model,) = parse_items([item], warn=False)
    assert isinstance(model, Message)
    assert isinstance(model.content[0], UnknownPart)
    assert model.model_dump(mode="json", exclude_unset=True) == item
    assert schema_drift([model]) == [
        "message.content[0]: unknown part type 'input_audio' (item msg_1); kept as is"
    ]


def test_a_known_type_that_no_longer_fits_its_model_is_kept_and_reported() -> None:
    item = {"type": "program", "id": "prg_9", "call_id": "call_9"}
    (model,) = parse_items([item], warn=False)
    assert isinstance(model, UnknownItem)
    assert model.model_dump(mode="json", exclude_unset=True) == item
    (report,) = schema_drift([model])
    assert report.startswith("program: does not fit its model (code: Field required, +1 more) (item prg_9)")


def test_schema_drift_warns_once_per_type_and_field() -> None:
    items = [{"type": "warn_once_call", "id": f"w_{n}"} for n in range(3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_items(items)
        parse_items(items)
    drift = [w for w in caught if issubclass(w.category, SchemaDriftWarning)]
    assert len(drift) == 1
    assert "warn_once_call" in str(drift[0].message)


def _drift_warnings(check: Any, items: list[dict[str, Any]]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(items)
    return [str(w.message) for w in caught if issubclass(w.category, SchemaDriftWarning)]


def citing(index: object, extra: str | None = None) -> dict[str, Any]:
    citation = {"type": "file_citation", "file_id": "file_1", "filename": "a.txt", "index": index}
    part = {"type": "output_text", "text": "t", "annotations": [citation], **({extra: 1} if extra else {})}
    return {"type": "message", "id": "msg_c", "role": "assistant", "status": "completed", "content": [part]}


CASES = {
    "every sample, drifted": [{**copy.deepcopy(SAMPLES[k]), "check_items_field": 1} for k in sorted(SAMPLES)],
    "numeric text, then text": [citing("12"), citing("ab")],  # "12" fits an integer field, "ab" does not
    "integral float, then a fraction": [citing(1.0), citing(1.5)],
    "integer, then a boolean": [citing(1), citing(True)],
    "a known shape, then an unknown field": [citing(1), citing(1, "check_items_new")],
    "an unknown type": [{"type": "check_items_call", "id": "x_1"}, {"type": "check_items_call", "id": "x_2"}],
}


@pytest.mark.parametrize("items", list(CASES.values()), ids=list(CASES))
def test_checking_items_warns_exactly_what_parsing_them_warns(
    items: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_items parses only the first item of each shape, vouched for only by an item that
    validated exactly as given: it must warn what parsing every item warns."""
    monkeypatch.setattr(_DriftWarner, "warned", set())  # a first sight of every drift, for both
    expected = _drift_warnings(parse_items, copy.deepcopy(items))
    monkeypatch.setattr(_DriftWarner, "warned", set())
    monkeypatch.setattr(convert, "_FITTING_SHAPES", set())
    assert _drift_warnings(check_items, items) == expected
    assert _drift_warnings(check_items, items) == []  # once per process, as parse_items
