"""Every built-in redaction rule has a stable name, and redact_disable turns named ones off."""

from __future__ import annotations

import pytest

from pytest_convreplay.errors import ConfigError
from pytest_convreplay.rules.credentials import is_credential_name
from pytest_convreplay.rules.defaults import default_rule_names
from pytest_convreplay.rules.redaction import RedactionRules


def test_every_default_rule_has_a_unique_stable_name() -> None:
    names = default_rule_names()
    assert len(names) == len(set(names))
    for expected in (
        "header:authorization",
        "query:code",
        "body:**.api_key",
        "pattern:jwt",
        "credential-names",
    ):
        assert expected in names


def test_a_disabled_default_no_longer_applies_and_the_others_still_do() -> None:
    rules = RedactionRules.from_options(disable=["header:openai-project", "pattern:jwt"])
    assert rules.header_rule("request", "openai-project") is None
    assert rules.header_rule("request", "authorization") is not None
    assert "jwt" not in {rule.label for rule in rules.patterns}
    assert "openai-key" in {rule.label for rule in rules.patterns}


def test_a_glob_disables_a_family() -> None:
    rules = RedactionRules.from_options(disable=["pattern:*"])
    assert rules.patterns == ()
    assert rules.query_rule("api_key") is not None


def test_an_unknown_name_is_a_config_error_that_suggests_the_right_one() -> None:
    with pytest.raises(ConfigError, match="did you mean header:authorization"):
        RedactionRules.from_options(disable=["header:authorisation"])


@pytest.mark.parametrize(
    "name",
    [
        "X-Goog-Api-Key",
        "Ocp-Apim-Subscription-Key",
        "x-portkey-api-key",
        "accessToken",
        "client_secret",
        "X-Service-Token",
        "apikey",
        "x-amz-signature",
        "db_password",
    ],
)
def test_names_that_read_like_credentials(name: str) -> None:
    assert is_credential_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-limit-token",
        "idempotency-key",
        "max_tokens",
        "x-stainless-os",
        "tokenizer",
        "input_tokens",
        "content-type",
        "keyboard",
    ],
)
def test_names_that_do_not(name: str) -> None:
    assert not is_credential_name(name)


def test_azure_functions_code_is_a_credential_on_its_hosts_only() -> None:
    rules = RedactionRules.default()
    assert rules.query_rule("code", "fn.azurewebsites.net") is not None
    assert rules.query_rule("code", "api.openai.com") is None
