"""The emulator answers like the real Conversations API, checked over real loopback HTTP."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]
import httpx
import openai
import pydantic
import pytest
import yaml
import zstandard
from openai.types.conversations.conversation_item import ConversationItem
from support.processes import ctrl_c_delivered

from pytest_convreplay.emulator import ConversationsEmulator
from pytest_convreplay.model.catalogue import ID_PREFIXES
from pytest_convreplay.model.listing import INCLUDABLE, apply_include

SPEC = Path("/work/shared/spec/openai-conversations-openapi.yaml")
ALL_INCLUDES = sorted(INCLUDABLE)
# Fields the OpenAPI schema requires that the SDK models do not declare.
SPEC_ONLY_FIELDS = {"local_shell_call_output": {"call_id"}, "mcp_approval_response": {"request_id"}}

Emulator = ConversationsEmulator


@pytest.fixture
def client(conversations_api: Emulator) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=conversations_api.base_url, api_key=conversations_api.api_key) as sdk:
        yield sdk


@pytest.fixture
def rest(conversations_api: Emulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {conversations_api.api_key}"}
    with httpx.Client(base_url=conversations_api.base_url, headers=headers) as raw:
        yield raw


def ids(items: Any) -> list[str]:
    return [item["id"] if isinstance(item, dict) else item.id for item in items]


def list_requests(emulator: Emulator) -> list[list[tuple[str, str]]]:
    return [r.query for r in emulator.requests if r.method == "GET" and r.path.endswith("/items")]


# -- pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sdk_auto_pagination_yields_every_item_once_in_order(
    conversations_api: Emulator, client: openai.OpenAI, order: str
) -> None:
    conv = conversations_api.seed_conversation(47)
    stored = ids(conversations_api.items(conv))

    listed = ids(client.conversations.items.list(conv, limit=10, order=order))  # type: ignore[arg-type]

    assert listed == (stored if order == "asc" else stored[::-1])
    queries = list_requests(conversations_api)
    assert len(queries) == 5
    afters = [dict(q).get("after") for q in queries]
    assert afters == [None, listed[9], listed[19], listed[29], listed[39]]


def test_default_page_is_twenty_items_newest_first(conversations_api: Emulator, rest: httpx.Client) -> None:
    conv = conversations_api.seed_conversation(25)
    stored = ids(conversations_api.items(conv))

    page = rest.get(f"/conversations/{conv}/items").json()

    assert ids(page["data"]) == stored[::-1][:20]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (stored[-1], stored[5], True)


def test_last_page_says_no_more(conversations_api: Emulator, rest: httpx.Client) -> None:
    conv = conversations_api.seed_conversation(5)
    stored = ids(conversations_api.items(conv))

    page = rest.get(
        f"/conversations/{conv}/items", params={"order": "asc", "limit": 3, "after": stored[1]}
    ).json()

    assert ids(page["data"]) == stored[2:5]
    assert page["has_more"] is False


def test_empty_conversation_lists_an_empty_page_with_null_ids(
    conversations_api: Emulator, client: openai.OpenAI, rest: httpx.Client
) -> None:
    conv = conversations_api.create_conversation()

    page = rest.get(f"/conversations/{conv}/items").json()

    assert page == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    assert list(client.conversations.items.list(conv)) == []


@pytest.mark.anyio
async def test_async_sdk_auto_pagination(conversations_api: Emulator) -> None:
    conv = conversations_api.seed_conversation(30, kind="mixed")
    async with openai.AsyncOpenAI(
        base_url=conversations_api.base_url, api_key=conversations_api.api_key
    ) as sdk:
        listed = [item.id async for item in sdk.conversations.items.list(conv, limit=7, order="asc")]
    assert listed == ids(conversations_api.items(conv))


def test_ten_thousand_items_page_through(conversations_api: Emulator, client: openai.OpenAI) -> None:
    conv = conversations_api.seed_conversation(10_000)

    listed = ids(client.conversations.items.list(conv, limit=20))

    assert len(listed) == 10_000
    assert len(set(listed)) == 10_000


def test_endless_pagination_repeats_the_same_cursor(
    conversations_api: Emulator, client: openai.OpenAI
) -> None:
    conv = conversations_api.seed_conversation(3)
    conversations_api.endless_pagination = True

    listed = list(islice(client.conversations.items.list(conv, limit=2), 7))

    assert ids(listed) == ids(listed[:2]) * 3 + ids(listed[:1])
    afters = [dict(q).get("after") for q in list_requests(conversations_api)]
    assert afters[1:] == [listed[1].id] * (len(afters) - 1)


# -- include[] and the item catalogue ------------------------------------------------------


def spec_item_types() -> set[str]:
    schemas = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    found = set()
    for ref in schemas["ConversationItem"]["oneOf"]:
        schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
        parts = [
            schema,
            *(schemas[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in schema.get("allOf", [])),
        ]
        found.update(t for part in parts for t in part.get("properties", {}).get("type", {}).get("enum", []))
    return found


def test_mixed_seed_holds_every_item_type_of_the_spec(conversations_api: Emulator) -> None:
    conv = conversations_api.seed_mixed_conversation()

    assert {item["type"] for item in conversations_api.items(conv)} == spec_item_types()


def test_every_seeded_item_parses_into_the_sdk_models(
    conversations_api: Emulator, client: openai.OpenAI
) -> None:
    conv = conversations_api.seed_mixed_conversation()
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ConversationItem)

    for include in ([], ALL_INCLUDES):
        for item in client.conversations.items.list(conv, include=include):  # type: ignore[arg-type]
            strict = adapter.validate_python(item.to_dict(mode="json"))
            assert type(strict) is type(item), item.type
            assert set(strict.model_extra or {}) <= SPEC_ONLY_FIELDS.get(item.type, set())


def test_ids_are_realistic_and_reproducible() -> None:
    def seeded_ids() -> list[str]:
        emulator = ConversationsEmulator()
        conv = emulator.seed_mixed_conversation()
        return [conv, *ids(emulator.items(conv))]

    first = seeded_ids()
    assert first == seeded_ids()
    emulator = ConversationsEmulator()
    assert re.fullmatch(r"conv_[0-9a-f]{48}", first[0])
    for item in emulator.items(emulator.seed_mixed_conversation()):
        assert re.fullmatch(rf"{ID_PREFIXES[item['type']]}_[0-9a-f]{{48}}", item["id"])


@pytest.mark.parametrize("include", [name for name in ALL_INCLUDES if name != "web_search_call.results"])
def test_each_include_value_reveals_a_field_hidden_by_default(
    conversations_api: Emulator, rest: httpx.Client, include: str
) -> None:
    conv = conversations_api.seed_mixed_conversation()
    stored = conversations_api.items(conv)
    url = f"/conversations/{conv}/items"

    plain = rest.get(url, params={"order": "asc", "limit": 100}).json()["data"]
    revealed = rest.get(url, params={"order": "asc", "limit": 100, "include[]": include}).json()["data"]

    assert plain == [apply_include(item, []) for item in stored]
    assert revealed == [apply_include(item, [include]) for item in stored]
    assert plain != revealed


def test_include_superset_returns_items_as_stored(conversations_api: Emulator, client: openai.OpenAI) -> None:
    conv = conversations_api.seed_mixed_conversation()

    listed = client.conversations.items.list(conv, order="asc", limit=100, include=ALL_INCLUDES)  # type: ignore[arg-type]

    assert [item.to_dict(mode="json") for item in listed.data] == conversations_api.items(conv)
    assert ("include[]", "reasoning.encrypted_content") in list_requests(conversations_api)[0]


# -- single items and conversations --------------------------------------------------------


def test_retrieve_item_applies_include(conversations_api: Emulator, client: openai.OpenAI) -> None:
    conv = conversations_api.seed_mixed_conversation()
    reasoning = next(i for i in conversations_api.items(conv) if i["type"] == "reasoning")

    hidden = client.conversations.items.retrieve(reasoning["id"], conversation_id=conv)
    shown = client.conversations.items.retrieve(
        reasoning["id"], conversation_id=conv, include=["reasoning.encrypted_content"]
    )

    assert getattr(hidden, "encrypted_content", None) is None
    assert getattr(shown, "encrypted_content", None) == reasoning["encrypted_content"]


def test_delete_item_returns_the_conversation_and_removes_the_item(
    conversations_api: Emulator, client: openai.OpenAI
) -> None:
    conv = conversations_api.seed_conversation(3)
    first, middle, last = ids(conversations_api.items(conv))

    conversation = client.conversations.items.delete(middle, conversation_id=conv)

    assert (conversation.id, conversation.object) == (conv, "conversation")
    assert ids(client.conversations.items.list(conv, order="asc")) == [first, last]
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(middle, conversation_id=conv)


def test_conversation_lifecycle(client: openai.OpenAI) -> None:
    created = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Hello!"}], metadata={"topic": "demo"}
    )
    added = client.conversations.items.create(
        created.id, items=[{"type": "message", "role": "assistant", "content": "Hi."}]
    )

    assert re.fullmatch(r"conv_[0-9a-f]{48}", created.id)
    assert (added.first_id, added.last_id, added.has_more) == (added.data[0].id, added.data[0].id, False)
    assert added.data[0].content[0].type == "output_text"  # type: ignore[union-attr]
    assert client.conversations.update(created.id, metadata={"topic": "x"}).metadata == {"topic": "x"}
    assert client.conversations.retrieve(created.id).metadata == {"topic": "x"}
    assert client.conversations.delete(created.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(created.id)


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "status", "param"),
    [
        ("GET", "/items", {"limit": 0}, None, 400, "limit"),
        ("GET", "/items", {"limit": 101}, None, 400, "limit"),
        ("GET", "/items", {"limit": "ten"}, None, 400, "limit"),
        ("GET", "/items", {"order": "newest"}, None, 400, "order"),
        ("GET", "/items", {"include[]": "message.audio"}, None, 400, "include"),
        ("GET", "/items", {"after": "msg_unknown"}, None, 400, "after"),
        ("POST", "/items", {}, b"{not json", 400, None),
        ("POST", "/items", {}, json.dumps({"items": [{"role": "user", "content": "x"}] * 21}), 400, "items"),
        ("POST", "/items", {}, json.dumps({"items": [{"type": "telepathy"}]}), 400, "items[0].type"),
        ("POST", "", {}, json.dumps({"metadata": {"k": 1}}), 400, "metadata"),
        ("GET", "/items/msg_unknown", {}, None, 404, "item_id"),
        ("GET", "/nowhere", {}, None, 404, None),
    ],
)
def test_invalid_requests_get_openai_error_bodies(
    conversations_api: Emulator,
    rest: httpx.Client,
    method: str,
    path: str,
    params: dict[str, Any],
    body: Any,
    status: int,
    param: str | None,
) -> None:
    conv = conversations_api.seed_conversation(2)

    response = rest.request(method, f"/conversations/{conv}{path}", params=params, content=body)

    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


def test_unknown_conversation_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        client.conversations.items.list("conv_" + "0" * 48).data  # noqa: B018
    assert info.value.body["param"] == "conversation_id"  # type: ignore[index]


@pytest.mark.parametrize("api_key", ["sk-wrong-key", None])
def test_wrong_or_missing_bearer_token_is_401(conversations_api: Emulator, api_key: str | None) -> None:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    response = httpx.get(f"{conversations_api.base_url}/conversations/conv_x", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert "sk-wrong-key" not in response.text  # like the real API, only a masked prefix is echoed


def test_sdk_with_wrong_key_raises_authentication_error(conversations_api: Emulator) -> None:
    sdk = openai.OpenAI(base_url=conversations_api.base_url, api_key="sk-not-the-emulator-key")
    with pytest.raises(openai.AuthenticationError):
        sdk.conversations.retrieve("conv_x")


# -- fault injection -----------------------------------------------------------------------


def test_sdk_retries_a_rate_limit_then_succeeds(
    conversations_api: Emulator, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = conversations_api.seed_conversation(3)
    conversations_api.fail_next(2, 429)
    slept: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds) or real_sleep(seconds))

    listed = ids(client.conversations.items.list(conv))

    assert len(listed) == 3
    assert slept == [0.001, 0.001]  # retry-after-ms: 1 keeps the SDK from backing off 0.5 s+
    retries = [r.headers["x-stainless-retry-count"] for r in conversations_api.requests]
    assert retries == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("status", "error"), [(429, openai.RateLimitError), (500, openai.InternalServerError)]
)
def test_faults_beyond_the_retry_budget_reach_the_caller(
    conversations_api: Emulator, client: openai.OpenAI, status: int, error: type[Exception]
) -> None:
    conv = conversations_api.seed_conversation(1)
    conversations_api.fail_next(3, status)

    with pytest.raises(error):
        client.conversations.items.list(conv)


def test_fault_applies_only_to_matching_paths_and_sets_retry_after(
    conversations_api: Emulator, rest: httpx.Client
) -> None:
    conv = conversations_api.seed_conversation(1)
    conversations_api.fail_next(1, 503, path_contains="/items", retry_after=2.5)

    assert rest.get(f"/conversations/{conv}").status_code == 200
    failed = rest.get(f"/conversations/{conv}/items")
    assert rest.get(f"/conversations/{conv}/items").status_code == 200

    assert failed.status_code == 503
    assert (failed.headers["retry-after"], failed.json()["error"]["type"]) == ("2.5", "server_error")


# -- wire details --------------------------------------------------------------------------


def test_responses_carry_the_headers_redaction_must_handle(
    conversations_api: Emulator, rest: httpx.Client
) -> None:
    response = rest.get(f"/conversations/{conversations_api.create_conversation()}")

    cookies = response.headers.get_list("set-cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["__cf_bm", "_cfuvid"]
    assert response.headers["openai-organization"] == conversations_api.organization
    assert response.headers["openai-project"] == conversations_api.project
    assert re.fullmatch(r"req_[0-9a-f]{32}", response.headers["x-request-id"])
    for name in ("openai-processing-ms", "openai-version", "cf-ray", "date"):
        assert response.headers[name]
    assert response.headers["content-type"] == "application/json"


def raw_get(emulator: Emulator, path: str, accept_encoding: str) -> http.client.HTTPResponse:
    """The undecoded response, which httpx would hide by decompressing for us."""
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    headers = {"Authorization": f"Bearer {emulator.api_key}", "Accept-Encoding": accept_encoding}
    connection.request("GET", f"/v1{path}", headers=headers)
    return connection.getresponse()


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [
        ("gzip", gzip.decompress),
        ("deflate", zlib.decompress),
        ("br", brotli.decompress),
        ("zstd", zstandard.decompress),
    ],
)
def test_compressed_responses_when_the_client_accepts_them(
    conversations_api: Emulator, encoding: str, decode: Any
) -> None:
    path = f"/conversations/{conversations_api.seed_conversation(2)}/items"
    conversations_api.compress = encoding

    compressed = raw_get(conversations_api, path, f"{encoding}, identity")
    plain = raw_get(conversations_api, path, "identity")

    assert compressed.headers["content-encoding"] == encoding
    assert plain.headers["content-encoding"] is None
    assert json.loads(decode(compressed.read())) == json.loads(plain.read())


def test_an_encoding_the_emulator_cannot_produce_is_refused_when_set(conversations_api: Emulator) -> None:
    with pytest.raises(ValueError, match="cannot answer in 'compress'; it knows gzip, deflate, br, zstd"):
        conversations_api.compress = "compress"


def test_keep_alive_serves_many_requests_on_one_connection(conversations_api: Emulator) -> None:
    path = f"/v1/conversations/{conversations_api.seed_conversation(2)}/items"
    connection = http.client.HTTPConnection("127.0.0.1", conversations_api.port, timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", path, headers={"Authorization": f"Bearer {conversations_api.api_key}"})
            response = connection.getresponse()
            assert len(json.loads(response.read())["data"]) == 2
            assert not response.will_close
    finally:
        connection.close()


def test_state_is_consistent_under_concurrent_writers(conversations_api: Emulator) -> None:
    conv = conversations_api.create_conversation()

    def add(n: int) -> None:
        with openai.OpenAI(base_url=conversations_api.base_url, api_key=conversations_api.api_key) as sdk:
            for i in range(10):
                sdk.conversations.items.create(conv, items=[{"role": "user", "content": f"{n}-{i}"}])

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids(conversations_api.items(conv)))) == 40


def test_fixture_yields_a_running_emulator_with_fresh_state(conversations_api: Emulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", conversations_api.base_url)
    assert conversations_api.requests == []
    assert conversations_api.api_key.startswith("sk-emulator-")


def test_serve_command_prints_url_and_key_and_stops_on_ctrl_c() -> None:
    code = "import sys; from pytest_convreplay.emulator import main; sys.exit(main(['--seed-mixed']))"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, preexec_fn=ctrl_c_delivered
    )
    try:
        assert process.stdout is not None
        lines = dict(line.split(":", 1) for line in islice(process.stdout, 3))
        base_url, key, conv = (lines[k].strip() for k in ("base_url", "api_key", "conversation"))
        page = httpx.get(f"{base_url}/conversations/{conv}/items", headers={"Authorization": f"Bearer {key}"})
        assert page.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
