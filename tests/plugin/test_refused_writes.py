"""A write the secret gate refuses leaves nothing on disk: no file, no folder made for it, and the
refusal names the line of the refused text, not of a file that does not exist."""

from __future__ import annotations

import re
import textwrap

import pytest

from pytest_convreplay.emulator import ConversationsEmulator

SECRET = "live-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_a_refused_snapshot_leaves_no_folder_and_names_the_line_of_the_refused_text(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    pytester.makepyfile(
        test_plain=textwrap.dedent(
            f"""
            def test_a(conv_snapshot):
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "role": "user",
                    "content": [{{"type": "input_text", "text": "the key is {SECRET}"}}]}}])
            """
        )
    )

    result = pytester.runpytest("--convreplay-update")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*refusing to write cassettes/test_plain/test_a.snapshot.yaml*nothing was written*",
            "*- cassettes/*/test_a.snapshot.yaml: value of OPENAI_API_KEY (line * of the refused text)",
        ]
    )
    assert not re.search(r"snapshot\.yaml:\d", result.stdout.str())
    assert not (pytester.path / "cassettes").exists()


def test_a_refused_cassette_leaves_no_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConversationsEmulator() as api:
        monkeypatch.setenv("OPENAI_API_KEY", api.api_key)
        conversation = api.create_conversation(
            [
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "pin: 8f3Kx9Qz2LmN"}],
                }
            ]
        )
        pytester.makepyfile(
            test_history=f"""
            import openai, pytest

            @pytest.mark.convreplay(secrets=["8f3Kx9Qz2LmN"])
            def test_history():
                client = openai.OpenAI(base_url="{api.base_url}", max_retries=0)
                assert list(client.conversations.items.list("{conversation}"))
            """
        )
        result = pytester.runpytest("--convreplay-record-mode=once")

    result.assert_outcomes(passed=1, errors=1)
    assert "refusing to write cassettes/test_history/test_history.yaml" in result.stdout.str()
    assert not (pytester.path / "cassettes").exists()


def test_a_refused_write_beside_an_existing_file_keeps_the_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    folder = pytester.path / "cassettes" / "test_plain"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("kept\n")
    pytester.makepyfile(
        test_plain=f"""
        def test_a(conv_snapshot):
            conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "text": "{SECRET}"}}])
        """
    )

    pytester.runpytest("--convreplay-update").assert_outcomes(failed=1)

    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
