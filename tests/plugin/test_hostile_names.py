"""Long and non-ASCII parametrize ids (a prompt in Japanese) record, replay and snapshot: every file
the plugin makes for them (cassette, snapshot, lock, temporary) has a name the filesystem takes."""

from __future__ import annotations

import pytest
from support.raw_server import RawAnswer, raw_server

PAGE = b'{"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false}'
JAPANESE = "会話の履歴を最初から最後まで順番に読み込んで要約してください。前回の続きから始めてもらえま"


def record_replay_and_snapshot(pytester: pytest.Pytester, prompt: str, *, ids: str = "None") -> list[str]:
    """The names of the files the test's cassette folder holds once it recorded and replayed."""
    with raw_server(RawAnswer(PAGE)) as server:
        pytester.makepyfile(
            test_prompts=f"""
import httpx, pytest

PROMPT = {prompt!r}

@pytest.mark.parametrize("prompt", [PROMPT], ids={ids})
@pytest.mark.convreplay
def test_prompt(prompt, convreplay, conv_snapshot):
    items = httpx.get({server.base_url!r} + "/conversations/conv_1/items").json()["data"]
    assert items == conv_snapshot
"""
        )
        pytester.runpytest("--convreplay-record-mode=once", "--convreplay-update").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)
    names = sorted(path.name for path in (pytester.path / "cassettes" / "test_prompts").iterdir())
    assert len(names) == 2  # the cassette and the snapshot file, no lock or temporary left
    assert all(len(name.encode()) <= 255 for name in names)
    return names


def test_an_id_whose_lock_and_temporary_names_would_be_too_long(pytester: pytest.Pytester) -> None:
    """The snapshot file's name would take 252 bytes, its temporary file's 277: names over 230
    bytes (the most a name could take before and still be written) are cut and end in a hash."""
    names = record_replay_and_snapshot(pytester, "p" * 225, ids="[PROMPT]")
    snapshot, cassette = names
    assert snapshot.endswith(".snapshot.yaml")
    assert cassette.endswith(".yaml")
    for name in names:
        assert name.startswith("test_prompt[ppp")
        assert len(name.encode()) <= 230


def test_a_45_character_japanese_prompt_as_parametrize_id(pytester: pytest.Pytester) -> None:
    """pytest writes each character of the id as ``\\uXXXX``: 270 characters."""
    assert len(JAPANESE) == 45
    record_replay_and_snapshot(pytester, JAPANESE, ids="[PROMPT]")


def test_a_300_character_ascii_prompt_as_parametrize_id(pytester: pytest.Pytester) -> None:
    record_replay_and_snapshot(
        pytester, "summarize the whole conversation history " * 7 + "please", ids="[PROMPT]"
    )
