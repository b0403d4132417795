"""Failures the SDK retried into a success are not kept; failures the application saw are."""

from __future__ import annotations

from support.pages import BASE, CID, conversation, exchange, list_uri, walk

from pytest_convreplay.record.retries import drop_retried_failures

RATE_LIMITED = {"error": {"message": "slow down", "type": "requests", "param": None, "code": None}}


def test_failures_retried_into_a_success_are_dropped() -> None:
    uri = list_uri(CID, order="asc")
    ok = walk(conversation(2), order="asc")[0]
    other = exchange(list_uri("conv_2"), RATE_LIMITED, status=503)
    recording = [exchange(uri, RATE_LIMITED, 429), other, exchange(uri, RATE_LIMITED, 500), ok]
    assert drop_retried_failures(recording) == [other, ok]


def test_a_failure_the_client_ended_with_is_kept() -> None:
    uri = list_uri(CID)
    recording = [exchange(uri, RATE_LIMITED, 429), exchange(uri, RATE_LIMITED, 429)]
    assert drop_retried_failures(recording) == recording


def test_a_retried_failure_followed_by_a_client_error_is_kept() -> None:
    uri = list_uri(CID)
    recording = [exchange(uri, RATE_LIMITED, 429), exchange(uri, RATE_LIMITED, 400)]
    assert drop_retried_failures(recording) == recording


def test_with_the_sdk_retry_count_only_the_sdk_retries_are_dropped() -> None:
    uri = list_uri(CID, order="asc")
    ok = walk(conversation(2), order="asc")[0]
    seen_by_the_app = exchange(uri, RATE_LIMITED, 429)  # attempt 0, and the app's next call is attempt 0
    retried_by_the_sdk = exchange(uri, RATE_LIMITED, 500)  # attempt 0 again, then the SDK's attempt 1
    recording = [seen_by_the_app, retried_by_the_sdk, ok]
    assert drop_retried_failures(recording, [0, 0, 1]) == [seen_by_the_app, ok]
    assert drop_retried_failures(recording, [0, 0, 0]) == recording  # the app retried both itself
    assert drop_retried_failures(recording, [None, None, None]) == [ok]  # no count: the heuristic


def test_retries_are_matched_on_the_request_body_too() -> None:
    uri = f"{BASE}/conversations/{CID}/items"
    failed = exchange(uri, RATE_LIMITED, 429, method="POST", sent='{"items": [1]}')
    succeeded = exchange(uri, {}, 200, method="POST", sent='{"items": [2]}')
    assert drop_retried_failures([failed, succeeded]) == [failed, succeeded]
