"""Target: matching live requests against a loaded cassette (the index, the user's rules applied
to the live request, answers re-sliced from complete listings, the unmatched-request message).
Contract: only a ConvreplayError escapes, and an answer is what a client can be given."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from _harness import instrumented, main

with instrumented():
    from pytest_convreplay.config.settings import RecordMode, Settings
    from pytest_convreplay.errors import ConvreplayError, RequestRefused
    from pytest_convreplay.record.recording import Recording
    from pytest_convreplay.rules.redaction import QueryRule

try:
    import atheris
except ImportError:
    atheris = None

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "cassette_loader"
CASSETTES = sorted(path for path in SEEDS.glob("real-*.yaml"))
METHODS = ("GET", "POST", "DELETE", "get", "PATCH")
NAMES = ("limit", "after", "order", "include[]", "before", "session", "", "a=b")


def recording(cassette: Path) -> Recording:
    settings = Settings(
        cassette_path=cassette,
        snapshot_path=Path(os.devnull),
        record_mode=RecordMode.NONE,
        redact_query_params=(QueryRule("session"),),
    )
    return Recording(settings, nodeid="fuzz/test_fuzz.py::test_fuzz")


def request_from(data: bytes) -> tuple[int, str, str, bytes | None, dict[str, str]]:
    if atheris is None:  # the seeds, without atheris: the input is the path and query
        return 0, "GET", "https://api.openai.com/v1/" + data.decode("utf-8", "replace"), None, {}
    provider = atheris.FuzzedDataProvider(data)
    cassette = provider.ConsumeIntInRange(0, max(len(CASSETTES) - 1, 0))
    method = METHODS[provider.ConsumeIntInRange(0, len(METHODS) - 1)]
    path = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 80))
    pairs = [
        (
            NAMES[provider.ConsumeIntInRange(0, len(NAMES) - 1)],
            provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 40)),
        )
        for _ in range(provider.ConsumeIntInRange(0, 4))
    ]
    query = "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in pairs)
    body = provider.ConsumeBytes(provider.ConsumeIntInRange(0, 400)) if provider.ConsumeBool() else None
    content_type = ("application/json", "application/x-www-form-urlencoded", "text/plain")[
        provider.ConsumeIntInRange(0, 2)
    ]
    uri = f"https://api.openai.com/v1/{quote(path, safe='/%')}" + (f"?{query}" if query else "")
    return cassette, method, uri, body, {"content-type": content_type}


def check(data: bytes) -> None:
    if not CASSETTES:
        raise SystemExit(f"no seed cassettes (real-*.yaml) in {SEEDS}")
    cassette, method, uri, body, headers = request_from(data)
    try:
        replay = recording(CASSETTES[cassette])
        answer = replay.answer(method, uri, body, headers)
        if answer is None:
            assert str(replay.refuse(method, uri, body, headers).error).startswith("convreplay: cassette")
        else:
            assert isinstance(answer["body"]["string"], bytes), "an answer's body must be bytes"
            for name, values in answer["headers"].items():
                for value in values:
                    value.encode("utf-8")
                name.encode("utf-8")
    except (ConvreplayError, RequestRefused):  # RequestRefused carries the ConvreplayError that says why
        return


if __name__ == "__main__":
    main(check)
