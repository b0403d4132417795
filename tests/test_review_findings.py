"""Behaviour found wrong in an independent review, each pinned by the downstream use that showed it."""

from __future__ import annotations

import pytest

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
