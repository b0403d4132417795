"""``--convreplay-block-network`` (ini ``convreplay_block_network``) blocks the network for every
test, also those that use no cassette; the message names the host and what to do. Loopback (the
emulator, local services) and ``convreplay_allowed_hosts`` stay reachable."""

from __future__ import annotations

import pytest

SUITE = """
    import httpx
    import openai


    def test_other_host():
        httpx.get("https://example.com/status")


    def test_api_without_a_cassette():
        openai.OpenAI(api_key="sk-test", max_retries=0).conversations.items.list("conv_1")


    def test_loopback(conversations_api):
        reply = httpx.get(f"{conversations_api.base_url}/conversations/conv_1/items")
        assert reply.status_code == 401
"""


def test_the_option_blocks_tests_that_use_no_cassette_naming_the_host(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_net=SUITE)

    result = pytester.runpytest("--convreplay-block-network")

    result.assert_outcomes(passed=1, failed=2)
    output = result.stdout.str()
    assert (
        "network access to example.com:443 is blocked for test_net.py::test_other_host "
        "(--convreplay-block-network); allow the host with the ini option convreplay_allowed_hosts"
    ) in output
    assert (
        "network access to api.openai.com:443 is blocked for test_net.py::test_api_without_a_cassette"
        in output
    )
    assert "mark it @pytest.mark.convreplay to record and replay it" in output


def test_the_ini_option_blocks_every_test_too(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nconvreplay_block_network = true\n")
    pytester.makepyfile(
        test_net="""
        import socket

        import pytest

        from pytest_convreplay import NetworkBlockedError


        def test_other_name_is_refused_before_any_lookup():
            with pytest.raises(NetworkBlockedError, match="db.internal:5432"):
                socket.getaddrinfo("db.internal", 5432)

        """
    )

    pytester.runpytest().assert_outcomes(passed=1)


def test_help_says_the_default_blocking_holds_only_for_tests_that_use_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--help")

    output = " ".join(result.stdout.str().split())
    assert "the network is blocked for tests that use the plugin" in output
    assert "--convreplay-block-network" in output
    assert "--block-network" not in output.replace("--convreplay-block-network", "")
