"""Target: redaction of arbitrary text and JSON, as a body, a URI, a header value and free text.
Contract: only a ConvreplayError escapes; redaction is idempotent; what it gives can be written
and loads back as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from _harness import instrumented, main, same, text_of

with instrumented():
    from pytest_convreplay.errors import ConvreplayError
    from pytest_convreplay.redact import redact_interaction, redact_request, redact_text, redact_uri
    from pytest_convreplay.rules.redaction import RedactionRules
    from pytest_convreplay.storage.cassette import cassette_document, parse_cassette
    from pytest_convreplay.storage.write import serialize

RULES = RedactionRules.from_options(
    headers=["x-internal-token"],
    query_params=["session"],
    body_paths=["data[*].content[*].text", "metadata.user"],
    patterns={"ticket": "TCK-[0-9]{6}"},
)
PATH = Path("cassettes/fuzz/test_fuzz.yaml")


def exchange(text: str) -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "uri": "https://api.openai.com/v1/responses?q=" + quote(text[:200], safe="") + "&session=1",
            "body": text,
            "headers": {"content-type": ["application/json"], "x-note": [text[:100]]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json"], "location": [text[:100]]},
            "body": {"string": text},
        },
    }


def check(data: bytes) -> None:
    text = text_of(data)
    if text is None:
        return
    try:
        once = redact_text(text, RULES)
        assert redact_text(once, RULES) == once, "free-text redaction is not idempotent"
        uri = redact_uri(text, RULES)
        assert redact_uri(uri, RULES) == uri, "URI redaction is not idempotent"
        redacted: Any = redact_interaction(exchange(text), RULES)  # type: ignore[arg-type]
        assert same(redact_interaction(redacted, RULES), redacted), "body redaction is not idempotent"
        request = redacted["request"]
        replayed = redact_request("POST", request["uri"], request["body"], RULES, request["headers"])
        assert replayed == (request["uri"], request["body"]), "a redacted request normalizes differently"
        written = serialize(PATH, cassette_document([redacted], {}))
    except ConvreplayError:
        return
    assert same(parse_cassette(written, PATH).interactions, [redacted]), (
        "a redacted exchange loads back changed"
    )


if __name__ == "__main__":
    main(check)
