"""The replay index: what makes two requests the same, and what identical repeats get."""

from __future__ import annotations

from pytest_convreplay.config.settings import RepeatPolicy
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.model.requests import request_key
from pytest_convreplay.replay.index import CassetteIndex
from pytest_convreplay.replay.unmatched import body_differences, closest

BASE = "https://api.openai.com/v1/conversations/conv_1/items"


def exchange(uri: str, status: int = 200, body: str | None = None, method: str = "GET") -> Interaction:
    return {
        "request": {"method": method, "uri": uri, "body": body, "headers": {"authorization": ["Bearer x"]}},
        "response": {
            "status": {"code": status, "message": ""},
            "headers": {},
            "body": {"string": str(status)},
        },
    }


def test_query_order_and_json_key_order_do_not_matter() -> None:
    assert request_key("get", f"{BASE}?limit=5&order=asc") == request_key("GET", f"{BASE}?order=asc&limit=5")
    assert request_key("POST", BASE, '{"a": 1, "b": 2}') == request_key("POST", BASE, b'{"b":2,"a":1}')


def test_repeated_include_values_are_all_part_of_the_key() -> None:
    one = request_key("GET", f"{BASE}?include%5B%5D=reasoning.encrypted_content")
    two = request_key(
        "GET", f"{BASE}?include%5B%5D=reasoning.encrypted_content&include%5B%5D=message.output_text.logprobs"
    )
    assert one != two


def test_identical_requests_are_answered_in_recorded_order_then_the_last_again() -> None:
    index = CassetteIndex([exchange(BASE, 429), exchange(BASE, 200)])
    key = index.key("GET", BASE)
    assert [index.take(key) for _ in range(4)] == [0, 1, 1, 1]


def test_error_policy_refuses_requests_beyond_the_recorded_ones() -> None:
    index = CassetteIndex([exchange(BASE)], repeat=RepeatPolicy.ERROR)
    key = index.key("GET", BASE)
    assert index.take(key) == 0
    assert index.take(key) is None


def test_normalizer_applies_before_lookup() -> None:
    recorded = f"{BASE}?api_key=REDACTED"
    index = CassetteIndex(
        [exchange(recorded)],
        normalize=lambda method, uri, body, headers: (uri.replace("sk-live", "REDACTED"), body),
    )
    assert index.peek(index.key("GET", f"{BASE}?api_key=sk-live")) == 0


def test_closest_names_the_query_parameters_that_differ() -> None:
    index = CassetteIndex([exchange(f"{BASE}?limit=100&order=asc"), exchange("https://x/v1/other")])
    nearest = closest(index.key("GET", f"{BASE}?limit=7&order=desc"), index.recorded_keys(), limit=1)
    ((recorded, differences),) = nearest
    assert recorded.describe() == "GET /v1/conversations/conv_1/items?limit=100&order=asc"
    assert differences == ["query limit: 100 recorded, 7 sent", "query order: asc recorded, desc sent"]


def test_a_json_body_miss_names_the_fields_that_differ() -> None:
    recorded = '{"model": "gpt-4.1", "input": "hi", "tools": [{"name": "a"}]}'
    sent = '{"model": "gpt-5", "input": "hi", "tools": [{"name": "b"}], "stream": true}'
    assert body_differences(recorded, sent) == [
        'body model: "gpt-4.1" recorded, "gpt-5" sent',
        "body stream: sent, not recorded",
        'body tools[0].name: "a" recorded, "b" sent',
    ]


def test_a_body_that_is_neither_json_nor_a_form_only_differs() -> None:
    assert body_differences("a=1", "a=2") == ["body differs"]
