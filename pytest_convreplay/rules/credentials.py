"""What counts as a credential: the header and query names clients send secrets under, names that
read like one, and the environment variables that hold them. One list, read by the default
redaction rules, by the gate (which learns every value a client sent under these names) and by the
naming rule of files (a secret in a test id never becomes a file name).
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

MIN_SECRET_LENGTH: Final = 8
"""Shorter values ("org", "test") occur by chance anywhere: the gate ignores them, nor are they learned."""

MIN_LEARNED_LENGTH: Final = 12
"""A value a credential rule redacts in a request is learned as a secret from this length on (and
when it is not all digits): shorter ones ("true", "1", a page size) would match by chance."""

CREDENTIAL_HEADERS: Final = (
    "authorization",
    "proxy-authorization",
    "api-key",  # Azure OpenAI
    "x-api-key",
    "openai-admin-key",
    "openai-organization",
    "openai-project",
    "ocp-apim-subscription-key",  # Azure API Management in front of the SDK
    "x-goog-api-key",  # Google's OpenAI-compatible endpoint
    "x-portkey-api-key",
    "x-functions-key",  # Azure Functions
)
"""Request headers whose values are credentials (or name the account: org and project ids)."""

COOKIE_HEADERS: Final = ("cookie", "set-cookie")
"""Redacted whole, never learned: a fresh random value per response, never echoed in a body."""

CREDENTIAL_QUERY_PARAMS: Final = (
    "api_key",
    "api-key",
    "apikey",
    "key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "secret",
    "sig",
    "signature",
    "subscription-key",  # Azure API Management
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
)
"""Query parameters whose values are credentials (signed URLs included)."""

HOST_QUERY_PARAMS: Final = (("code", ".azurewebsites.net"),)
"""Query parameters that are credentials on some hosts only: Azure Functions' ``?code=`` key."""

ENV_SECRET_NAMES: Final = (
    "OPENAI_API_KEY",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_ADMIN_KEY",
    "OPENAI_WEBHOOK_SECRET",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
)
"""Environment variables whose values the gate looks for, besides those a test declares."""

ALLOWED_NAMES: Final = (
    "x-ratelimit-*",
    "x-stainless-*",
    "idempotency-key",
    "max_tokens",
    "max_output_tokens",
    "max_completion_tokens",
    "token_type",
    "tokens",
)
"""Names that read like credentials and are not: rate limits, SDK telemetry, token counts."""

_CREDENTIAL_WORDS = re.compile(r"(?:^|-)(?:api-?key|token|secret|password|signature|subscription-key)(?:-|$)")
_WORD_BREAKS = re.compile(r"[-_.\s]+|(?<=[a-z0-9])(?=[A-Z])")


def is_allowed_name(name: str) -> bool:
    """Whether ``name`` is on the allow-list (``x-ratelimit-*`` … ): never a credential by its name."""
    lowered = name.strip().lower()
    return any(
        lowered.startswith(allowed[:-1]) if allowed.endswith("*") else lowered == allowed
        for allowed in ALLOWED_NAMES
    )


@functools.lru_cache(maxsize=4096)  # asked for every header, query parameter and JSON key
def is_credential_name(name: str) -> bool:
    """Whether a header, query parameter or JSON key reads like a credential: ``api[-_]?key``,
    ``token``, ``secret``, ``password``, ``signature`` or ``subscription-key`` as whole words
    (``X-Goog-Api-Key``, ``accessToken``, ``client_secret``; not ``max_tokens`` or ``tokenizer``),
    minus the allow-list."""
    if is_allowed_name(name):
        return False
    words = "-".join(part for part in _WORD_BREAKS.split(name.strip()) if part).lower()
    return _CREDENTIAL_WORDS.search(words) is not None


def is_learnable(value: str) -> bool:
    """Whether a value a credential rule redacted is specific enough to be looked for anywhere."""
    value = value.strip()
    return len(value) >= MIN_LEARNED_LENGTH and not value.isdigit()


def env_secret_values(
    names: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """(variable name, value) of ENV_SECRET_NAMES and ``names`` that are set, read now: a test
    may set them with ``monkeypatch.setenv`` after the plugin's set-up."""
    env = os.environ if environ is None else environ
    for name in dict.fromkeys((*ENV_SECRET_NAMES, *names)):
        value = env.get(name, "").strip()
        if len(value) >= MIN_SECRET_LENGTH:
            yield name, value


def cookie_values(header: str) -> list[str]:
    """The values of a ``Cookie`` header's ``name=value`` pairs: a session cookie the client sends
    is a credential a server may echo."""
    pairs = (pair.partition("=") for pair in header.split(";"))
    return [value.strip() for _, equals, value in pairs if equals]


def credential_parts(value: str) -> list[str]:
    """A credential as sent and the secrets inside it: the token of ``Bearer <token>`` (or
    ``Token``), and both halves of ``Basic base64(user:password)``, since a token is often sent
    as the username alone."""
    value = value.strip()
    parts = [value]
    scheme, _, credential = value.partition(" ")
    credential = credential.strip()
    if credential and scheme.lower() in ("bearer", "basic", "token"):
        parts.append(credential)
    if credential and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return parts
        user, _, password = decoded.partition(":")
        parts += [user, password]
    return parts
