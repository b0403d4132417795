"""redact_disable turns named built-in rules off, from the ini or the marker; a wrong name stops
the run at start-up with the place it was written and the names that exist."""

from __future__ import annotations

import json

import pytest
from support.corpus import Answer, AttackServer

from pytest_convreplay.storage.cassette import load_cassette

SUITE = """
import httpx, pytest

@pytest.mark.convreplay{marker}
def test_project():
    with httpx.Client(base_url="{url}") as client:
        client.get("/v1/items", headers={{"openai-project": "proj_visible_in_cassette"}}).read()
"""


@pytest.mark.parametrize("where", ["ini", "marker"])
def test_a_disabled_default_leaves_that_value_in_the_cassette(pytester: pytest.Pytester, where: str) -> None:
    body = json.dumps({"api_key": {"object": "key", "value": "kept-because-disabled-123"}})
    with AttackServer({"*": Answer(body)}) as server:
        if where == "ini":
            disabled = '["header:openai-project", "body:**.api_key", "credential-names"]'
            pytester.makepyprojecttoml(f"[tool.pytest.ini_options]\nconvreplay_redact_disable = {disabled}\n")
        marker = (
            '(redact_disable=["header:openai-project", "body:**.api_key", "credential-names"])'
            if where == "marker"
            else ""
        )
        pytester.makepyfile(test_project=SUITE.format(marker=marker, url=server.url))
        pytester.runpytest("--convreplay-record-mode=once").assert_outcomes(passed=1)
    (interaction,) = load_cassette(pytester.path / "cassettes/test_project/test_project.yaml").interactions
    assert interaction["request"]["headers"]["openai-project"] == ["proj_visible_in_cassette"]
    assert (
        json.loads(interaction["response"]["body"]["string"])["api_key"]["value"]
        == "kept-because-disabled-123"
    )


def test_an_unknown_rule_name_is_a_usage_error_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\nconvreplay_redact_disable = ["header:authorisation"]\n'
    )
    pytester.makepyfile(test_nothing="def test_nothing(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*convreplay_redact_disable*did you mean header:authorization*"])
