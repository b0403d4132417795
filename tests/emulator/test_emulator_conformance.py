"""The emulator's answers conform to the OpenAPI excerpt of the Conversations API (schemathesis).

The schema is used as published, with a short list of conscious, documented adjustments
(``DEVIATIONS``) where the prose, the real service or the shared listing semantics differ from
the machine-readable schema.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from pytest_convreplay.emulator import ConversationsEmulator

schemathesis = pytest.importorskip("schemathesis")

SPEC = Path("/work/shared/spec/openai-conversations-openapi.yaml")
MAX_EXAMPLES = 25


def _null_allowed(schema: dict[str, Any], prop: str) -> None:
    schema["properties"][prop] = {"anyOf": [schema["properties"][prop], {"type": "null"}]}


def _type_values(schemas: dict[str, Any], ref: str) -> list[str]:
    schema = schemas[ref.rsplit("/", 1)[1]]
    parts = [
        schema,
        *(schemas[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in schema.get("allOf", [])),
    ]
    return [value for part in parts for value in part.get("properties", {}).get("type", {}).get("enum", [])]


def _add_discriminator_mappings(node: Any, schemas: dict[str, Any]) -> None:
    """Map each ``type`` value to its schema, as the wire uses (e.g. ``compaction`` -> CompactionBody)."""
    if isinstance(node, list):
        for child in node:
            _add_discriminator_mappings(child, schemas)
    elif isinstance(node, dict):
        refs = [member.get("$ref") for member in node.get("oneOf", [])]
        if "discriminator" in node and refs and all(refs):
            node["discriminator"]["mapping"] = {
                value: ref for ref in refs for value in _type_values(schemas, ref)
            }
        for child in node.values():
            _add_discriminator_mappings(child, schemas)


def _seed_inputs() -> list[dict[str, Any]]:
    """Every seeded item as a client would send it (no id), the universe of request items."""
    emulator = ConversationsEmulator()
    items = emulator.items(emulator.seed_mixed_conversation())
    return [{key: value for key, value in item.items() if key != "id"} for item in items]


def _adjusted_spec() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text())
    schemas = spec["components"]["schemas"]
    # 0. The discriminators have no `mapping`, so OpenAPI's implicit rule (value == component
    #    name, e.g. "CompactionBody") applies; the wire carries the `type` enum values instead.
    _add_discriminator_mappings(schemas, schemas)
    # 1. An empty page answers first_id/last_id null, as the real API does and the SDK accepts;
    #    the schema types them as plain strings.
    for prop in ("first_id", "last_id"):
        _null_allowed(schemas["ConversationItemList"], prop)
    # 3. Limits stated only in the prose: limit is 1..100; metadata has 16 pairs, 64/512 chars.
    parameters = spec["paths"]["/conversations/{conversation_id}/items"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    limit["schema"].update(minimum=1, maximum=100)
    schemas["Metadata"]["anyOf"][0].update(
        maxProperties=16,
        propertyNames={"maxLength": 64},
        additionalProperties={"type": "string", "maxLength": 512},
    )
    # 4. Request items are drawn from the seeded catalogue instead of the full InputItem union:
    #    generating that union is slow, and the responses, not the inputs, are under test.
    schemas["InputItem"] = {"enum": _seed_inputs()}
    # 5. The add-items body has no `type: object`, so JSON null or 3 would "match"; the API
    #    answers 400 for a body that is not an object.
    create_items = spec["paths"]["/conversations/{conversation_id}/items"]["post"]
    create_items["requestBody"]["content"]["application/json"]["schema"]["type"] = "object"
    return spec


DEVIATIONS = _adjusted_spec()
schema = schemathesis.openapi.from_dict(
    copy.deepcopy(DEVIATIONS),
    config=schemathesis.Config.from_dict(
        {"generation": {"mode": "positive", "max-examples": MAX_EXAMPLES, "deterministic": True}}
    ),
)
CHECKS: list[Callable[..., Any]] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def server() -> Iterator[ConversationsEmulator]:
    """One server for the module: each generated case targets a conversation of its own."""
    with ConversationsEmulator() as emulator:
        yield emulator


def _pick(choices: list[str], seed: object) -> str:
    """A stable choice driven by the generated value, so hypothesis still explores variety."""
    return choices[int(hashlib.sha256(repr(seed).encode()).hexdigest(), 16) % len(choices)]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_emulator_answers_conform_to_the_openapi_schema(case: Any, server: ConversationsEmulator) -> None:
    conversation = server.seed_mixed_conversation()
    item_ids = [item["id"] for item in server.items(conversation)]
    params = case.path_parameters or {}
    if "conversation_id" in params:
        params["conversation_id"] = conversation
    if "item_id" in params:
        params["item_id"] = _pick(item_ids, params["item_id"])
    if case.query and case.query.get("after") is not None:
        case.query["after"] = _pick(item_ids, case.query["after"])

    response = case.call(base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"})

    assert response.status_code == 200, response.text
    case.validate_response(response, checks=CHECKS)


def test_rate_limit_answers_conform_to_the_documented_429(server: ConversationsEmulator) -> None:
    conversation = server.seed_mixed_conversation()
    case = schema["/conversations/{conversation_id}"]["GET"].Case(
        path_parameters={"conversation_id": conversation}
    )
    server.fail_next(1, 429, retry_after=1)

    response = case.call(base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"})

    assert response.status_code == 429
    case.validate_response(response, checks=CHECKS)


def test_empty_page_is_the_one_documented_deviation(server: ConversationsEmulator) -> None:
    conversation = server.create_conversation()
    operation = schema["/conversations/{conversation_id}/items"]["GET"]
    case = operation.Case(path_parameters={"conversation_id": conversation})

    response = case.call(base_url=server.base_url, headers={"Authorization": f"Bearer {server.api_key}"})

    case.validate_response(response, checks=CHECKS)
    strict = schemathesis.openapi.from_dict(yaml.safe_load(SPEC.read_text()))
    strict_case = strict["/conversations/{conversation_id}/items"]["GET"].Case(
        path_parameters={"conversation_id": conversation}
    )
    with pytest.raises(BaseExceptionGroup) as failures:
        strict_case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
    assert {str(failure).split("/properties/")[1].split(":")[0] for failure in failures.value.exceptions} == {
        "first_id",
        "last_id",
    }
