"""Target: the egress gate on what redaction gives. Contract: only a ConvreplayError escapes; what
the gate passes holds no planted secret (raw, URL-encoded, JSON-escaped or base64); and an exchange
with no secret planted, once redacted, passes (redaction and the gate agree)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from _harness import instrumented, main

with instrumented():
    from pytest_convreplay.errors import ConvreplayError
    from pytest_convreplay.gate import Gate, KnownSecrets
    from pytest_convreplay.redact import redact_interaction
    from pytest_convreplay.rules.redaction import RedactionRules
    from pytest_convreplay.storage.cassette import cassette_document
    from pytest_convreplay.storage.write import serialize

try:
    import atheris
except ImportError:
    atheris = None

RULES = RedactionRules.default()
PATH = Path("cassettes/fuzz/test_fuzz.yaml")
FORMS = {
    "raw": lambda secret: secret,
    "url-encoded": lambda secret: quote(secret, safe=""),
    "form-encoded": quote_plus,
    "JSON-escaped": lambda secret: json.dumps(secret)[1:-1],
    "base64": lambda secret: base64.b64encode(secret.encode()).decode(),
    "bearer": lambda secret: f"Bearer {secret}",
}
PLACES = ("request body", "response body", "query", "response header", "json field")


def exchange(body: str, *, key: str) -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "uri": "https://api.openai.com/v1/responses",
            "body": body,
            "headers": {"authorization": [f"Bearer {key}"], "content-type": ["application/json"]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": body},
        },
    }


def planted(text: str, secret: str, form: str, place: str, at: int) -> dict[str, Any]:
    shown = FORMS[form](secret)
    at = min(at, len(text))
    mixed = text[:at] + shown + text[at:]
    result = exchange(text, key="sk-other-key-" + "0" * 24)
    if place == "request body":
        result["request"]["body"] = mixed
    elif place == "response body":
        result["response"]["body"]["string"] = mixed
    elif place == "query":
        result["request"]["uri"] += "?note=" + quote(mixed, safe="")
    elif place == "response header":
        result["response"]["headers"]["x-note"] = [mixed]
    else:
        result["response"]["body"]["string"] = json.dumps({"data": [{"text": mixed}]})
    return result


def written(interaction: Any, known: KnownSecrets) -> tuple[str, list[Any]]:
    redacted = redact_interaction(interaction, RULES.learning([interaction]))
    document = cassette_document([redacted], {})
    text = serialize(PATH, document)
    return text, Gate(known, RULES.patterns).findings(document, text, path=str(PATH))


def check(data: bytes) -> None:
    if atheris is not None:
        provider = atheris.FuzzedDataProvider(data)
        secret = "sk-proj-" + provider.ConsumeBytes(20).hex()
        form = list(FORMS)[provider.ConsumeIntInRange(0, len(FORMS) - 1)]
        place = PLACES[provider.ConsumeIntInRange(0, len(PLACES) - 1)]
        at = provider.ConsumeIntInRange(0, 1 << 16)
        text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    else:  # the seeds, without atheris: the input is the text, the rest fixed
        secret, form, place, at = "sk-proj-" + "Q7x" * 12, "raw", "response body", len(data) // 2
        text = data.decode("utf-8", "replace")
    if len(secret) < 24:
        return
    known = KnownSecrets.from_env({}, values=[secret])
    try:
        text_written, findings = written(planted(text, secret, form, place, at), known)
        if not findings:
            leaked = [
                name for name, shown in FORMS.items() if name != "bearer" and shown(secret) in text_written
            ]
            assert not leaked, f"the gate passed a planted secret ({', '.join(leaked)})"
        if secret not in text:
            _, clean_findings = written(exchange(text, key=secret), known)
            assert not clean_findings, f"redacted output with no planted secret is refused: {clean_findings}"
    except ConvreplayError:
        return


if __name__ == "__main__":
    main(check)
