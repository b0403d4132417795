"""Hostile cassettes met inside a test, and a misbehaving API met while recording: one clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from support.hostile import cassette, interaction
from support.raw_server import RawAnswer, RawServer, raw_server


def test_replay_of_a_malformed_cassette_fails_with_only_the_message(pytester: pytest.Pytester) -> None:
    folder = pytester.path / "cassettes" / "test_history"
    folder.mkdir(parents=True)
    (folder / "test_history.yaml").write_bytes(cassette(interaction(code="200")))
    pytester.makepyfile(
        test_history="""
        import pytest

        @pytest.mark.convreplay
        def test_history(convreplay):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_history.yaml: interaction 0: response.status.code must be*"])
    result.stdout.no_fnmatch_line("*def _validate*")


@pytest.fixture
def misbehaving_api(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    """A loopback server whose items-list answer is the parametrized body."""
    with raw_server(RawAnswer(request.param)) as server:
        yield server


# body the server answers -> what the error says is wrong with it
BAD_ANSWERS = {
    b'{"object": "list", "data": [': "the body is not JSON",
    json.dumps(
        {"object": "list", "data": "oops", "has_more": False}
    ).encode(): "`data` is missing or not a list",
    json.dumps(
        {"object": "list", "data": [1, 2], "has_more": False}
    ).encode(): "`data` holds something other",
    json.dumps({"object": "list", "data": [], "has_more": "no"}).encode(): "`has_more` is missing or not a",
    b"[]": "the body is a JSON list, not an object",
}


@pytest.mark.parametrize(
    ("misbehaving_api", "problem"),
    BAD_ANSWERS.items(),
    ids=list(BAD_ANSWERS.values()),
    indirect=["misbehaving_api"],
)
def test_malformed_list_answer_is_reported_naming_the_request_and_nothing_is_written(
    pytester: pytest.Pytester, misbehaving_api: RawServer, problem: str
) -> None:
    pytester.makepyfile(
        test_history=f"""
        import httpx
        import pytest

        @pytest.mark.convreplay
        def test_history(convreplay):
            httpx.get("{misbehaving_api.base_url}/conversations/conv_1/items", params={{"limit": 2}}).text
        """
    )
    result = pytester.runpytest("--convreplay-record-mode=once")
    result.assert_outcomes(failed=1)  # in the test's own call phase, not as a teardown error
    result.stdout.fnmatch_lines(
        [
            "*not writing cassettes/test_history/test_history.yaml: replay could not follow *",
            f"*interaction 0 ({misbehaving_api.base_url}/conversations/conv_1/items?limit=2)"
            f" is not a list page: {problem}*",
        ]
    )
    assert not (pytester.path / "cassettes" / "test_history" / "test_history.yaml").exists()


def hand_edited(headers: dict[str, list[str]], body: str) -> bytes:
    exchange = interaction(headers={"content-type": ["application/json"], **headers})
    exchange["response"]["body"]["string"] = body
    return cassette(exchange)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, '{"object": "list", "data": [], "has_more": false, "n": ' + "7" * 5000 + "}"),
        ({"content-encoding": ["gzip"], "content-length": ["9"]}, '{"object": "list", "data": []}'),
    ],
    ids=["an integer of 5000 digits", "text marked gzip"],
)
def test_a_hand_edited_body_the_client_can_read_is_replayed_as_text(
    pytester: pytest.Pytester, headers: dict[str, list[str]], body: str
) -> None:
    folder = pytester.path / "cassettes" / "test_history"
    folder.mkdir(parents=True)
    (folder / "test_history.yaml").write_bytes(hand_edited(headers, body))
    pytester.makepyfile(
        test_history=f"""
        import httpx, pytest

        @pytest.mark.convreplay
        def test_history(convreplay):
            answer = httpx.get("https://api.openai.com/v1/conversations/c/items")
            assert answer.text == {body!r}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
