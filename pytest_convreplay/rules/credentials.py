"""What counts as a credential: the header and query names clients send secrets under, and the
environment variables that hold them. One list, read by the default redaction rules and by the
gate, which learns every value a client sent under these names.
"""

from __future__ import annotations

from typing import Final

MIN_SECRET_LENGTH: Final = 8
"""Shorter values ("org", "test") occur by chance anywhere: the gate ignores them, nor are they learned."""

CREDENTIAL_HEADERS: Final = (
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "openai-admin-key",
    "openai-organization",
    "openai-project",
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
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
)
"""Query parameters whose values are credentials (signed URLs included)."""

ENV_SECRET_NAMES: Final = ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY")
"""Environment variables whose values the gate looks for, besides those a test declares."""
