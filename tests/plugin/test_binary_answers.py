"""Binary answers (speech audio, images, text in UTF-16) record and replay; the gate checks them as
bytes and as the texts they may hold, and a refusal is one failed test, never an internal error."""

from __future__ import annotations

import pytest
from support.raw_server import RawAnswer, raw_server

AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64" + bytes(range(256)) * 4
SECRET = "opaque-Secret-9f8e7d6c5b4a"


def test_speech_audio_records_and_replays_byte_for_byte(pytester: pytest.Pytester) -> None:
    with raw_server(RawAnswer(AUDIO, headers=[(b"content-type", b"audio/mpeg")])) as server:
        pytester.makepyfile(
            test_speech=f"""
            import openai, pytest

            @pytest.mark.convreplay
            def test_speech():
                client = openai.OpenAI(base_url={server.base_url!r}, api_key="sk-x", max_retries=0)
                audio = client.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input="Hi")
                assert audio.read() == {AUDIO!r}
            """
        )
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)  # the server is gone: replayed from the cassette


@pytest.mark.parametrize(
    "body",
    [AUDIO + SECRET.encode(), ('{"note": "' + SECRET + '"}').encode("utf-16")],
    ids=["audio", "utf-16"],
)
def test_a_secret_in_a_binary_answer_fails_the_test_and_the_run_goes_on(
    pytester: pytest.Pytester, body: bytes
) -> None:
    pytester.makeini(f"[pytest]\nconvreplay_secrets = {SECRET}\n")
    with raw_server(RawAnswer(body, headers=[(b"content-type", b"application/octet-stream")])) as server:
        pytester.makepyfile(
            test_binary=f"""
            import httpx, pytest

            @pytest.mark.convreplay
            def test_binary():
                httpx.get({server.base_url!r} + "/files/f/content", params={{"q": {SECRET!r}}})

            def test_after():
                pass
            """
        )
        result = pytester.runpytest("--convreplay-record-mode=once", "--junitxml=report.xml", "-rA")
    result.assert_outcomes(passed=2, errors=1)  # the refusal at teardown; the next test still runs
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert SECRET not in result.stdout.str() + result.stderr.str()
    assert SECRET not in (pytester.path / "report.xml").read_text()
    assert not (pytester.path / "cassettes").exists() or not list(
        (pytester.path / "cassettes").rglob("*.yaml")
    )
