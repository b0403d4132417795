"""Behaviour found wrong in an independent review, each pinned by the downstream use that showed it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_convreplay.cli.main import main
from pytest_convreplay.emulator import ConversationsEmulator


def test_repeat_error_fails_an_extra_identical_request_even_when_the_listing_is_complete(
    pytester: pytest.Pytester,
) -> None:
    """A complete recorded listing must not answer the request ``repeat="error"`` is meant to refuse."""
    with ConversationsEmulator() as api:
        conversation_id = api.seed_conversation(5)
        pytester.makepyfile(
            test_repeat=f"""
            import os
            import httpx
            import pytest

            @pytest.mark.convreplay(repeat="error")
            def test_list(convreplay):
                headers = {{"authorization": "Bearer {api.api_key}"}}
                with httpx.Client(base_url="{api.base_url}", headers=headers) as client:
                    for _ in range(int(os.environ.get("TIMES", "1"))):
                        page = client.get("/conversations/{conversation_id}/items", params={{"limit": 100}})
                        assert page.status_code == 200
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMES", "2")
        result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*holds no answer for GET*", "*repeat*error*"])


def test_a_post_whose_body_held_a_redacted_value_replays(pytester: pytest.Pytester) -> None:
    """README: body-path placeholders do not depend on the value, so the live request (with the real
    value) and the cassette (with the placeholder) are the same request; so are pattern hits."""
    with ConversationsEmulator() as api:
        pytester.makepyfile(
            test_body=f"""
            import openai
            import pytest

            @pytest.mark.convreplay
            def test_create(convreplay):
                client = openai.OpenAI(base_url="{api.base_url}", api_key="{api.api_key}", max_retries=0)
                conversation = client.conversations.create(
                    metadata={{"password": "hunter2-not-for-git"}},
                    items=[{{"type": "message", "role": "user", "content": "sk-proj-{"A1b2" * 10}"}}],
                )
                assert conversation.id.startswith("conv_")
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    cassette = (pytester.path / "cassettes" / "test_body" / "test_create.yaml").read_text()
    assert "hunter2" not in cassette
    assert "A1b2A1b2" not in cassette
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("command", [["show"], ["diff", "other.yaml"]])
def test_cli_reports_a_missing_cassette_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "missing.yaml"
    argv = [command[0], str(missing), *(str(tmp_path / name) for name in command[1:])]
    assert main(argv) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err
