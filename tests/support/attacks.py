"""The adversarial corpus: each case is a downstream suite (or a CLI run) against a loopback server
that answers what an attacker needs to get a secret onto disk or into the output."""

from __future__ import annotations

import base64
import json
import textwrap
from dataclasses import dataclass, field
from typing import Literal

import brotli  # type: ignore[import-untyped]
import yaml
import zstandard

from support.corpus import Answer, split, sse

KEY = "sk-proj-Attack3rKeyAAAA0123456789abcdefXYZ"  # shaped like an OpenAI key: patterns know it
ORG = "org-AttackOrgIdentifier0042"
OPAQUE = "opaque-Secret-9f8e7d6c5b4a"  # no pattern knows it: only the gate's knowledge finds it
GATEWAY = "gw-Subscription-0a1b2c3d4e5f6789"
EPHEMERAL = "ek_68af296e8e408191a1120ab6383263c2"
SPACED = "correct horse battery staple 42"  # a declared secret with spaces (a passphrase)
ACCENTED = "pässwort-Geheimnis-4711"  # non-ASCII: pytest escapes it in a test id (p\\xe4sswort)

Outcome = Literal["any", "recorded", "refused"]


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # the downstream test module; $url is the server's
    secrets: tuple[str, ...]
    answers: dict[str, Answer] = field(default_factory=lambda: {"*": Answer()})
    env: dict[str, str] = field(default_factory=dict)
    ini: tuple[str, ...] = ()
    runs: tuple[tuple[str, ...], ...] = (("--convreplay-record-mode=once",),)
    cli: tuple[tuple[str, ...], ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # files written before the runs
    outcome: Outcome = "any"  # of the last pytest run: "recorded" passed and wrote, "refused" wrote nothing
    replay_after: bool = False  # replay once more after the CLI runs
    output_has: tuple[str, ...] = ()  # what the output must still say (where, not what)


def httpx_test(call: str, *, marker: str = "", params: str = "", extra: str = "") -> str:
    """A downstream test sending one request with httpx; ``call`` uses ``client``."""
    decorator = f"@pytest.mark.parametrize({params})\n" if params else ""
    return textwrap.dedent(
        """
        import httpx, os, pytest
        {extra}
        {decorator}@pytest.mark.convreplay{marker}
        def test_attack({args}):
            with httpx.Client(base_url="$url") as client:
                {call}
        """
    ).format(
        extra=extra,
        decorator=decorator,
        marker=marker,
        args=params.split(",")[0].strip("\"' ") if params else "",
        call=call,
    )


def autouse_env(name: str, value: str) -> str:
    """A downstream conftest-style autouse fixture that sets ``name`` with monkeypatch."""
    return textwrap.dedent(
        f"""
        @pytest.fixture(autouse=True)
        def environment(monkeypatch):
            monkeypatch.setenv("{name}", "{value}")
        """
    )


def json_answer(value: object, *, bom: bool = False, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    text = ("\ufeff" if bom else "") + json.dumps(value)
    return Answer(text, headers=(("content-type", "application/json"), *headers))


def stream(*events: dict[str, object], newline: str = "\n") -> Answer:
    return Answer(sse(*events, newline=newline), headers=(("content-type", "text/event-stream"),))


def output_deltas(secret: str) -> list[dict[str, object]]:
    return [
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": piece,
        }
        for piece in split(secret, 3)
    ]


def chat_deltas(secret: str, *, tool: bool = False) -> list[dict[str, object]]:
    if tool:
        return [
            {
                "object": "chat.completion.chunk",
                "choices": [
                    {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}}
                ],
            }
            for piece in split(secret, 3)
        ]
    return [
        {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}}]}
        for piece in split(secret, 3)
    ]


GET = 'client.get("/v1/items").read()'
DECLARED = ('convreplay_secrets = ["' + OPAQUE + '"]',)
SHOW_ERRORS = ("--convreplay-record-mode=once", "-rA", "--showlocals", "--junitxml=report.xml")


def old_cassette(uri: str, body: str) -> str:
    """A cassette as an older version (or another tool) wrote it, values in clear."""
    interaction = {
        "request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": body},
        },
    }
    return yaml.safe_dump({"version": 1, "interactions": [interaction]}, width=1000)


def snapshot_text(text: str) -> str:
    return yaml.safe_dump(
        {"version": 1, "snapshots": {"default": [{"id": "msg_1", "type": "message", "text": text}]}}
    )


def _wrapped(secret: str, width: int, newline: str = "\n") -> str:
    # the prefix puts the secret across a line break, wherever the width
    encoded = base64.b64encode(
        f"attachment; token={'x' * ((width - 20) * 3 // 4 - 18)}{secret}".encode()
    ).decode()
    return newline.join(textwrap.wrap(encoded, width))


CASES: list[Case] = [
    # --- 1: a secret as a file name ---------------------------------------------------------
    Case(
        "org-id-from-env-as-parametrize-id",
        httpx_test(GET, params=f'"org", ["{ORG}"]'),
        (ORG,),
        env={"OPENAI_ORG_ID": ORG},
        outcome="recorded",
    ),
    Case(
        "declared-secret-as-parametrize-id",
        httpx_test(GET, params=f'"value", ["{OPAQUE}"]'),
        (OPAQUE,),
        ini=DECLARED,
        outcome="recorded",
    ),
    Case(
        "key-pattern-as-parametrize-id",
        httpx_test(GET, params=f'"key", ["{KEY}"]'),
        (KEY,),
        outcome="recorded",
    ),
    Case(
        "long-non-ascii-id-holding-a-key",
        httpx_test(GET, params=f'"prompt", ["日本語のとても長いプロンプト" * 6 + "{KEY}"]'),
        (KEY,),
        outcome="recorded",
    ),
    Case(
        "secret-set-by-monkeypatch-in-an-autouse-fixture-as-id",
        httpx_test(
            GET,
            params=f'"value", ["{OPAQUE}"]',
            marker='(secret_env=["LATE_TOKEN"])',
            extra=autouse_env("LATE_TOKEN", OPAQUE),
        ),
        (OPAQUE,),
        runs=(("--convreplay-record-mode=once",), ()),  # and it replays from the name it was written to
        outcome="recorded",
    ),
    Case(
        "snapshot-file-named-by-a-secret-id",
        textwrap.dedent(
            f"""
            import pytest

            @pytest.mark.parametrize("org", ["{ORG}"])
            def test_attack(org, conv_snapshot):
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "content": []}}])
            """
        ),
        (ORG,),
        env={"OPENAI_ORG_ID": ORG},
        runs=(("--convreplay-update",),),
    ),
    # --- 2: folded lines --------------------------------------------------------------------
    Case(
        "declared-spaced-secret-in-a-long-line-with-an-emoji",
        httpx_test(GET),
        (SPACED,),
        answers={"*": json_answer({"text": "🙂 " + "word " * 30 + SPACED + " word" * 30})},
        ini=('convreplay_secrets = ["' + SPACED + '"]',),
        outcome="refused",
    ),
    Case(
        "snapshot-of-a-spaced-secret-with-an-emoji",
        textwrap.dedent(
            f"""
            def test_attack(conv_snapshot):
                text = "🙂 " + "word " * 30 + "{SPACED}" + " word" * 30
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "text": text}}])
            """
        ),
        (SPACED,),
        ini=('convreplay_secrets = ["' + SPACED + '"]',),
        runs=(("--convreplay-update",),),
    ),
    # --- 3: !!binary ------------------------------------------------------------------------
    Case(
        "bytes-value-in-a-snapshot-item",
        textwrap.dedent(
            f"""
            def test_attack(conv_snapshot):
                blob = b"prefix " * 20 + b"{OPAQUE}" + b" suffix" * 20
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "blob": blob}}])
            """
        ),
        (OPAQUE,),
        ini=DECLARED,
        runs=(("--convreplay-update",),),
    ),
    # --- 4: line-wrapped base64 -------------------------------------------------------------
    Case(
        "mime-base64-of-the-key-wrapped-at-76",
        httpx_test(GET),
        (KEY,),
        answers={"*": json_answer({"attachment": _wrapped(KEY, 76)})},
        env={"OPENAI_API_KEY": KEY},
    ),
    Case(
        "pem-base64-of-a-known-value-wrapped-at-64-with-crlf",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": json_answer({"pem": _wrapped(OPAQUE, 64, "\r\n")})},
        ini=DECLARED,
    ),
    Case(
        "base64url-unpadded-of-a-known-value",
        httpx_test(GET),
        (OPAQUE,),
        answers={
            "*": json_answer({"state": base64.urlsafe_b64encode(f"x:{OPAQUE}".encode()).decode().rstrip("=")})
        },
        ini=DECLARED,
    ),
    Case(
        "hex-of-a-known-value",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": json_answer({"digest": OPAQUE.encode().hex().upper()})},
        ini=DECLARED,
    ),
    # --- 5: stream pieces -------------------------------------------------------------------
    Case(
        "responses-stream-deltas-split-the-key",
        httpx_test(GET),
        (KEY,),
        answers={"*": stream(*output_deltas(KEY))},
    ),
    Case(
        "chat-stream-content-deltas-split-the-key",
        httpx_test(GET),
        (KEY,),
        answers={"*": stream(*chat_deltas(KEY))},
    ),
    Case(
        "chat-stream-tool-argument-deltas-split-the-key",
        httpx_test(GET),
        (KEY,),
        answers={"*": stream(*chat_deltas(KEY, tool=True))},
    ),
    Case(
        "event-stream-with-cr-line-ends-split-a-known-value",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": stream(*output_deltas(OPAQUE), newline="\r")},
        ini=DECLARED,
    ),
    Case(
        "event-stream-with-crlf-line-ends-split-the-key",
        httpx_test(GET),
        (KEY,),
        answers={"*": stream(*chat_deltas(KEY), newline="\r\n")},
    ),
    Case(
        "reasoning-summary-deltas-split-the-key",
        httpx_test(GET),
        (KEY,),
        answers={
            "*": stream(
                *(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        "item_id": "rs_1",
                        "output_index": 0,
                        "summary_index": 0,
                        "delta": piece,
                    }
                    for piece in split(KEY, 4)
                )
            )
        },
    ),
    # --- 6: a byte order mark before JSON ---------------------------------------------------
    Case(
        "bom-json-with-an-api-key-field",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": json_answer({"object": "service_account", "api_key": OPAQUE}, bom=True)},
        outcome="recorded",
    ),
    Case(
        "bom-json-with-a-known-value-deep-inside",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": json_answer({"data": [{"content": [{"text": f"here: {OPAQUE}"}]}]}, bom=True)},
        ini=DECLARED,
        outcome="refused",
    ),
    # --- 7: gateway credentials -------------------------------------------------------------
    *(
        Case(
            f"{header}-header-echoed-by-the-gateway",
            httpx_test(f'client.get("/v1/items", headers={{"{header}": "{GATEWAY}"}}).read()'),
            (GATEWAY,),
            answers={"*": json_answer({"echo": {"headers": {header: GATEWAY}}, "note": f"key {GATEWAY} ok"})},
            outcome="recorded",
        )
        for header in ("Ocp-Apim-Subscription-Key", "x-goog-api-key", "x-portkey-api-key", "X-Custom-Api-Key")
    ),
    Case(
        "subscription-key-query-parameter",
        httpx_test(f'client.get("/v1/items", params={{"subscription-key": "{GATEWAY}"}}).read()'),
        (GATEWAY,),
        outcome="recorded",
    ),
    Case(
        "azure-functions-code-through-a-proxy",
        textwrap.dedent(
            f"""
            import httpx, pytest

            @pytest.mark.convreplay
            def test_attack():
                with httpx.Client(proxy="$url") as client:
                    url = "http://fn-attack.azurewebsites.net/api/run"
                    client.get(url, params={{"code": "{GATEWAY}"}}).read()
            """
        ),
        (GATEWAY,),
        outcome="recorded",
    ),
    Case(
        "realtime-ephemeral-key-in-a-client-secret-answer",
        httpx_test('client.post("/v1/realtime/client_secrets", json={}).read()'),
        (EPHEMERAL,),
        answers={"*": json_answer({"value": EPHEMERAL, "expires_at": 1756310470, "session": {"type": "x"}})},
        outcome="recorded",
    ),
    Case(
        "a-token-named-request-header-the-server-echoes",
        httpx_test(f'client.get("/v1/items", headers={{"X-Service-Token": "{OPAQUE}"}}).read()'),
        (OPAQUE,),
        answers={"*": json_answer({"message": f"unknown token {OPAQUE}"})},
        outcome="recorded",
    ),
    Case(
        "basic-credentials-with-the-token-as-user-echoed",
        httpx_test(f'client.get("/v1/items", auth=("{OPAQUE}", "")).read()'),
        (OPAQUE,),
        answers={"*": json_answer({"user": OPAQUE})},
        outcome="recorded",
    ),
    # --- 8: environment names the gate did not know -----------------------------------------
    *(
        Case(
            f"{name.lower()}-value-in-a-body",
            httpx_test(GET),
            (OPAQUE,),
            answers={"*": json_answer({"detail": f"configured with {OPAQUE}"})},
            env={name: OPAQUE},
            outcome="refused",
        )
        for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "OPENAI_WEBHOOK_SECRET")
    ),
    Case(
        "azure-openai-client-key-echoed",
        textwrap.dedent(
            """
            import openai, pytest

            @pytest.mark.convreplay
            def test_attack():
                client = openai.AzureOpenAI(azure_endpoint="$url", api_version="2024-10-21", max_retries=0)
                client.models.list()
            """
        ),
        (OPAQUE,),
        answers={"*": json_answer({"object": "list", "data": [{"id": OPAQUE, "object": "model"}]})},
        env={"AZURE_OPENAI_API_KEY": OPAQUE},
    ),
    # --- 9: environment set with monkeypatch ------------------------------------------------
    Case(
        "declared-env-set-by-an-autouse-fixture",
        httpx_test(
            GET,
            marker='(secret_env=["MY_TOKEN"])',
            extra=autouse_env("MY_TOKEN", OPAQUE),
        ),
        (OPAQUE,),
        answers={"*": json_answer({"detail": f"token {OPAQUE}"})},
        outcome="refused",
    ),
    Case(
        "webhook-secret-set-in-the-test-body",
        textwrap.dedent(
            f"""
            import httpx, pytest

            @pytest.mark.convreplay
            def test_attack(monkeypatch):
                monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", "{OPAQUE}")
                with httpx.Client(base_url="$url") as client:
                    client.get("/v1/items").read()
            """
        ),
        (OPAQUE,),
        answers={"*": json_answer({"secret": {"text": f"whsec {OPAQUE}"}})},
        outcome="refused",
    ),
    # --- 10: a compressed file with no content-encoding to undo -----------------------------
    *(
        Case(
            f"{name}-file-downloaded-without-content-encoding",
            httpx_test(GET),
            (OPAQUE, KEY),  # a declared value, and one only a pattern knows (repeated: no literal stays raw)
            answers={
                "*": Answer(
                    compress(
                        json.dumps(
                            [{"id": f"msg_{n}", "text": f"{OPAQUE} {KEY}"} for n in range(20)]
                        ).encode()
                    ),
                    headers=(("content-type", "application/octet-stream"),),
                )
            },
            ini=DECLARED,
            outcome="refused",
        )
        for name, compress in (("brotli", brotli.compress), ("zstd", zstandard.compress))
    ),
    # --- 11: a non-ASCII secret learned while the test ran, as a parametrize id -------------
    Case(
        "non-ascii-env-secret-set-by-an-autouse-fixture-as-id",
        httpx_test(
            GET,
            params=f'"value", ["{ACCENTED}"]',
            marker='(secret_env=["LATE_TOKEN"])',
            extra=autouse_env("LATE_TOKEN", ACCENTED),
        ),
        (ACCENTED,),
        runs=(("--convreplay-record-mode=once",), ()),  # and it replays from the name it was written to
        outcome="recorded",
    ),
    Case(
        "non-ascii-credential-header-sent-as-id",
        httpx_test(
            'client.get("/v1/items", headers={"X-Service-Token": value.encode()}).read()',
            params=f'"value", ["{ACCENTED}"]',
        ),
        (ACCENTED,),
        runs=(("--convreplay-record-mode=once",), ()),
        outcome="recorded",
    ),
    # --- printed ----------------------------------------------------------------------------
    Case(
        "response-header-name-holding-a-known-value-mixed-case",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": json_answer({}, headers=((f"X-{OPAQUE.upper()}", "1"),))},
        ini=DECLARED,
        runs=(SHOW_ERRORS,),
        outcome="refused",
        output_has=("response header <name>",),
    ),
    Case(
        "unmatched-request-printing-a-declared-value-in-the-url",
        httpx_test(f'client.get("/v1/items", params={{"q": "{OPAQUE}"}}).read()'),
        (OPAQUE,),
        ini=DECLARED,
        runs=(("-rA", "--showlocals", "--junitxml=report.xml"),),
        output_has=("holds no answer", "<secret>"),
        files={
            "cassettes/test_attack/test_attack.yaml": old_cassette(
                "http://127.0.0.1:1/v1/items?q=other", "{}"
            )
        },
    ),
    Case(
        "user-code-prints-the-unmatched-error-it-caught",
        textwrap.dedent(
            f"""
            import httpx, pytest

            @pytest.mark.convreplay
            def test_attack():
                with httpx.Client(base_url="$url") as client:
                    try:
                        client.get("/v1/items", params={{"q": "{OPAQUE}"}})
                    except BaseException as error:  # a replay miss is pytest's failure outcome
                        print("caught:", error)
            """
        ),
        (OPAQUE,),
        ini=DECLARED,
        runs=(("-rA", "-s"),),
        files={
            "cassettes/test_attack/test_attack.yaml": old_cassette(
                "http://127.0.0.1:1/v1/items?q=other", "{}"
            )
        },
        output_has=("caught:", "<secret>"),
    ),
    Case(
        "pagination-loop-error-printing-a-declared-conversation-id",
        textwrap.dedent(
            f"""
            import openai, pytest

            @pytest.mark.convreplay
            def test_attack():
                client = openai.OpenAI(base_url="$url/v1", api_key="sk-replay", max_retries=0)
                list(client.conversations.items.list("{OPAQUE}", limit=1))
            """
        ),
        (OPAQUE,),
        answers={
            "*": json_answer(
                {
                    "object": "list",
                    "data": [
                        {
                            "id": "msg_1",
                            "type": "message",
                            "role": "user",
                            "content": [],
                            "status": "completed",
                        }
                    ],
                    "first_id": "msg_1",
                    "last_id": "msg_1",
                    "has_more": True,
                }
            )
        },
        ini=DECLARED,
        runs=(SHOW_ERRORS,),
        output_has=("<secret>",),
    ),
    Case(
        "snapshot-diff-cutting-a-long-key",
        textwrap.dedent(
            f"""
            import os

            def test_attack(conv_snapshot):
                suffix = os.environ.get("ROUND", "a")
                text = "x" * 400 + " {KEY} " + suffix * 400
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "text": text}}])
            """
        ),
        (KEY,),
        runs=(("--convreplay-update",), ("-rA", "-vv")),
    ),
    Case(
        "schema-drift-warning-naming-a-declared-field",
        textwrap.dedent(
            f"""
            def test_attack(conv_snapshot):
                conv_snapshot.assert_match([{{"id": "msg_1", "type": "message", "role": "user",
                    "content": [], "status": "completed", "{OPAQUE}": 1}}])
            """
        ),
        (OPAQUE,),
        ini=DECLARED,
        runs=(("--convreplay-update", "-rA"),),
        output_has=("SchemaDriftWarning", "<secret>"),
    ),
    Case(
        "key-in-url-userinfo-and-path",
        httpx_test(f'client.get("http://{OPAQUE}@" + "$url".split("//")[1] + "/v1/keys/{KEY}").read()'),
        (OPAQUE, KEY),
        outcome="recorded",
    ),
    Case(
        "key-twice-url-encoded-in-a-next-link",
        httpx_test(GET),
        (KEY,),
        answers={"*": json_answer({"next": "https://x.example/?state=" + KEY.replace("-", "%252D")})},
    ),
    Case(
        "credential-object-keeps-its-shape",
        httpx_test(GET),
        (OPAQUE,),
        answers={
            "*": json_answer(
                {
                    "object": "organization.project.service_account",
                    "id": "svc_1",
                    "created_at": 1,
                    "api_key": {
                        "object": "organization.project.service_account.api_key",
                        "value": OPAQUE,
                        "id": "key_1",
                        "created_at": 2,
                    },
                }
            )
        },
        outcome="recorded",
    ),
    Case(
        "a-repeated-key-hides-the-credential-behind-a-redacted-twin",
        httpx_test(GET),
        (OPAQUE,),
        answers={"*": Answer(f'{{"api_key": "{OPAQUE}", "api_key": "<REDACTED:api_key>"}}')},
        outcome="recorded",
    ),
    Case(
        "snapshot-name-holding-a-declared-value",
        textwrap.dedent(
            f"""
            def test_attack(conv_snapshot):
                conv_snapshot["{OPAQUE}"].assert_match([{{"id": "msg_1", "type": "message", "content": []}}])
            """
        ),
        (OPAQUE,),
        ini=DECLARED,
        runs=(("--convreplay-update", "-rA"),),
        output_has=("<key>",),
    ),
    Case(
        "private-key-block-without-an-end-line",
        httpx_test(GET),
        ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",),
        answers={
            "*": json_answer({"text": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nMI"})
        },
        outcome="recorded",
    ),
    # --- CLI runs ---------------------------------------------------------------------------
    Case(
        "cli-scan-finds-an-azure-key-and-prints-none",
        "",
        (OPAQUE,),
        env={"AZURE_OPENAI_API_KEY": OPAQUE},
        runs=(),
        cli=(("scan", "committed"),),
        files={"committed/leak.yaml": f"note: {OPAQUE}\n"},
        output_has=("value of AZURE_OPENAI_API_KEY", "1 finding"),
    ),
    Case(
        "cli-scan-of-wrapped-base64-prints-none",
        "",
        (KEY,),
        env={"OPENAI_API_KEY": KEY},
        runs=(),
        cli=(("scan", "committed"),),
        files={"committed/leak.yaml": "blob: |\n  " + _wrapped(KEY, 20).replace("\n", "\n  ") + "\n"},
        output_has=("line-wrapped",),
    ),
    Case(
        "cli-show-of-a-cassette-with-a-declared-value-in-a-url",
        "",
        (OPAQUE,),
        ini=DECLARED,
        runs=(),
        cli=(("show", "committed"),),
        files={
            "committed/old.yaml": old_cassette(
                f"https://api.openai.com/v1/conversations/{OPAQUE}/items",
                '{"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false}',
            )
        },
    ),
    Case(
        "cli-redact-upgrades-an-old-cassette-and-replay-still-matches",
        httpx_test(
            f'assert client.get("/v1/items", params={{"subscription-key": "{GATEWAY}"}}).json()["ok"]'
        ),
        (GATEWAY,),
        runs=((),),  # replay (network off): the old cassette matches with the new rule on both sides
        cli=(("redact", "cassettes"),),
        files={
            "cassettes/test_attack/test_attack.yaml": old_cassette(
                f"http://127.0.0.1:1/v1/items?subscription-key={GATEWAY}", '{"ok": 1}'
            )
        },
        outcome="recorded",
        replay_after=True,
    ),
    Case(
        "cli-redact-renames-a-cassette-named-by-a-secret-and-it-replays",
        httpx_test('assert client.get("/v1/items").json()["ok"]', params=f'"org", ["{ORG}"]'),
        (ORG,),
        env={"OPENAI_ORG_ID": ORG},
        runs=(),
        cli=(("scan", "cassettes"), ("redact", "cassettes")),
        files={
            f"cassettes/test_attack/test_attack[{ORG}].yaml": old_cassette(
                "http://127.0.0.1:1/v1/items", '{"ok": 1}'
            )
        },
        outcome="recorded",
        replay_after=True,
        output_has=("a secret in the file name", "file name: a secret in it is replaced by its hash"),
    ),
    Case(
        "cli-diff-of-snapshots-holding-a-key",
        "",
        (KEY,),
        runs=(),
        cli=(("diff", "a.snapshot.yaml", "b.snapshot.yaml"),),
        files={
            name: snapshot_text(f"{'x' * 300} {KEY} {tail}")
            for name, tail in (("a.snapshot.yaml", "old"), ("b.snapshot.yaml", "new"))
        },
    ),
]
