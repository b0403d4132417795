"""Recording while the server is down ends with one line naming the cassette and the base URL."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("client", ["openai", "httpx"])
def test_recording_from_a_server_that_is_down_names_the_cassette_and_the_base_url(
    pytester: pytest.Pytester, client: str
) -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"
    call = {
        "openai": f'openai.OpenAI(base_url="{base_url}", api_key="sk-x", max_retries=0)'
        '.conversations.items.list("conv_1")',
        "httpx": f'httpx.get("{base_url}/conversations/conv_1/items")',
    }[client]
    pytester.makepyfile(
        test_down=f"import httpx, openai, pytest\n\n@pytest.mark.convreplay\ndef test_down():\n    {call}\n"
    )

    result = pytester.runpytest("--convreplay-record-mode=once")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"convreplay: recording cassettes/test_down/test_down.yaml from {base_url}, "
            "but nothing answers there;*"
        ]
    )
