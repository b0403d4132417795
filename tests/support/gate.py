"""Exchanges and secrets for the gate and file-command tests."""

from __future__ import annotations

from typing import Any

from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.rules.redaction import RedactionRules

RULES = RedactionRules.default()


API_KEY = "sk-proj-T3BlbkFJabcdefghijklmnop0123456789"


ORG_ID = "org-AbCdEfGhIjKlMnOpQrStUvWx"


# A value no pattern recognises: only the gate's knowledge of it can catch it.
OPAQUE = "opaque-credential-7f3a9c21"


ENV = {"OPENAI_API_KEY": API_KEY, "OPENAI_ORG_ID": ORG_ID, "MY_SERVICE_TOKEN": OPAQUE}


def known() -> KnownSecrets:
    return KnownSecrets.from_env(ENV, names=["MY_SERVICE_TOKEN"])


def interaction(
    *, response_headers: dict[str, list[str]] | None = None, body: Any = "", uri: str = "https://api/v1/items"
) -> Interaction:
    return {
        "request": {
            "method": "GET",
            "uri": uri,
            "body": None,
            "headers": {"authorization": [f"Bearer {API_KEY}"]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": response_headers or {},
            "body": {"string": body},
        },
    }
