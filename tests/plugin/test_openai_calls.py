"""Every OpenAI call a test makes records and replays: file uploads (multipart), streamed responses
and chat completions, and a replay miss that fails at once whatever the client does with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from support.openai_api import OpenAIStandIn

UPLOADS = """
import openai
import pytest

BINARY = bytes(range(256)) * 4  # no UTF-8 text: an mp3 or a png as far as the plugin can tell


def client(base_url, **options):
    return openai.OpenAI(base_url=base_url, api_key="sk-replay", **options)


def async_client(base_url, **options):
    return openai.AsyncOpenAI(base_url=base_url, api_key="sk-replay", **options)


@pytest.mark.convreplay
def test_uploads(base_url):
    api = client(base_url)
    lines = ("batch.jsonl", b'{"custom_id": "1"}\\n', "application/jsonl")
    jsonl = api.files.create(file=lines, purpose="batch")
    audio = api.audio.transcriptions.create(file=("speech.mp3", BINARY, "audio/mpeg"), model="whisper-1")
    image = api.images.edit(image=("cat.png", BINARY, "image/png"), prompt="a hat", model="gpt-image-1")
    print("RESULT", jsonl.id, jsonl.filename, audio.text, image.data[0].b64_json)


@pytest.mark.anyio
@pytest.mark.convreplay
async def test_async_uploads(base_url):
    api = async_client(base_url)
    upload = await api.files.create(file=("batch.jsonl", b'{"custom_id": "2"}\\n'), purpose="batch")
    heard = await api.audio.transcriptions.create(file=("speech.mp3", BINARY), model="whisper-1")
    print("RESULT", upload.id, heard.text)
"""

CONFTEST = """
import pytest

@pytest.fixture
def base_url():
    return "{base_url}"
"""


@pytest.fixture
def api() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


def downstream(pytester: pytest.Pytester, base_url: str, tests: str) -> None:
    pytester.makeconftest(CONFTEST.format(base_url=base_url))
    pytester.makepyfile(test_calls=tests)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "anyio", "-s", *args)


def printed(result: pytest.RunResult, tag: str) -> list[str]:
    """Lines the downstream tests printed with ``tag`` (under ``-s`` they follow the file name)."""
    return sorted(line[line.index(tag) :] for line in result.outlines if tag in line)


def results(result: pytest.RunResult) -> list[str]:
    return printed(result, "RESULT")


def cassette_of(pytester: pytest.Pytester, test: str) -> dict[str, object]:
    document = yaml.safe_load((pytester.path / "cassettes" / "test_calls" / f"{test}.yaml").read_text())
    assert isinstance(document, dict)
    return document


def test_uploads_record_and_replay_offline_part_by_part(
    pytester: pytest.Pytester, api: OpenAIStandIn
) -> None:
    downstream(pytester, api.base_url, UPLOADS)
    recorded = run(pytester, "--convreplay-record-mode=once")
    recorded.assert_outcomes(passed=2)
    hits = api.hits
    replayed = run(pytester)  # the cassette answers: httpx2 drew new boundaries for every upload
    replayed.assert_outcomes(passed=2)
    assert results(replayed) == results(recorded)
    assert api.hits == hits


def test_a_stored_upload_has_one_canonical_boundary_and_a_digest_for_binary_content(
    pytester: pytest.Pytester, api: OpenAIStandIn
) -> None:
    downstream(pytester, api.base_url, UPLOADS)
    run(pytester, "--convreplay-record-mode=once", "-k", "test_uploads").assert_outcomes(passed=1)
    first = (pytester.path / "cassettes" / "test_calls" / "test_uploads.yaml").read_text()
    run(pytester, "--convreplay-record-mode=all", "-k", "test_uploads").assert_outcomes(passed=1)
    again = cassette_of(pytester, "test_uploads")
    interactions = again["interactions"]
    assert isinstance(interactions, list)
    request = interactions[1]["request"]
    [content_type] = request["headers"]["content-type"]
    boundary = content_type.split("boundary=")[1]
    assert boundary.startswith("convreplay-")
    assert request["body"].startswith(f"--{boundary}\r\n")
    assert "<binary: 1024 bytes, sha256 " in request["body"]
    # Re-recording the same calls writes the same requests (only recorded_at and ids may move).
    requests_of = [i["request"] for i in yaml.safe_load(first)["interactions"]]
    assert requests_of == [i["request"] for i in interactions]


def test_a_changed_upload_is_a_miss_naming_the_part_that_differs(
    pytester: pytest.Pytester, api: OpenAIStandIn
) -> None:
    downstream(pytester, api.base_url, UPLOADS)
    run(pytester, "--convreplay-record-mode=once", "-k", "test_uploads").assert_outcomes(passed=1)
    changed = UPLOADS.replace('"1"}\\n\', "application/jsonl"', '"9"}\\n\', "text/plain"')
    changed = changed.replace('("cat.png", BINARY', '("dog.png", BINARY[::-1]')
    downstream(pytester, api.base_url, changed)
    result = run(pytester, "-k", "test_uploads")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*holds no answer for POST http://127.0.0.1:*/v1/files*",
            "*part 'file' (filename 'batch.jsonl'): content type 'application/jsonl' recorded, *",
            "*part 'file' (filename 'batch.jsonl'): content '{*1*}\\n' recorded, '{*9*}\\n' sent*",
        ]
    )


MISSES = """
import asyncio

import httpx
import httpx2
import openai
import pytest
from agents.memory import OpenAIConversationsSession


class Counting(httpx2.HTTPTransport):
    attempts = 0

    def handle_request(self, request):
        Counting.attempts += 1
        return super().handle_request(request)


class AsyncCounting(httpx2.AsyncHTTPTransport):
    attempts = 0

    def __init__(self):
        super().__init__()
        AsyncCounting.attempts = 0

    async def handle_async_request(self, request):
        AsyncCounting.attempts += 1
        return await super().handle_async_request(request)


@pytest.mark.convreplay
def test_sdk_sync(base_url):
    http = httpx2.Client(transport=Counting())
    api = openai.OpenAI(base_url=base_url, api_key="sk-replay", http_client=http)
    try:
        api.models.list()
    except Exception:  # code under test that swallows every error
        pass
    finally:
        print("ATTEMPTS", Counting.attempts)


@pytest.mark.convreplay
def test_sdk_async(base_url):
    async def run():
        api = openai.AsyncOpenAI(
            base_url=base_url, api_key="sk-replay", http_client=httpx2.AsyncClient(transport=AsyncCounting())
        )
        try:
            await api.responses.create(model="gpt-test", input="hi")
        except Exception:
            pass
        finally:
            print("ATTEMPTS", AsyncCounting.attempts)

    asyncio.run(run())


@pytest.mark.convreplay
def test_agents_session(base_url):
    api = openai.AsyncOpenAI(
        base_url=base_url, api_key="sk-replay", http_client=httpx2.AsyncClient(transport=AsyncCounting())
    )
    session = OpenAIConversationsSession(conversation_id="conv_1", openai_client=api)
    try:
        asyncio.run(session.get_items())
    except Exception:
        pass
    finally:
        print("ATTEMPTS", AsyncCounting.attempts)


@pytest.mark.convreplay
def test_agents_runner_with_retries_on(base_url):
    from agents import Agent, ModelRetrySettings, ModelSettings, OpenAIResponsesModel, Runner, retry_policies
    from agents import set_tracing_disabled

    set_tracing_disabled(True)
    api = openai.AsyncOpenAI(
        base_url=base_url, api_key="sk-replay", http_client=httpx2.AsyncClient(transport=AsyncCounting())
    )
    settings = ModelSettings(retry=ModelRetrySettings(max_retries=3, policy=retry_policies.any()))
    agent = Agent(name="helper", model=OpenAIResponsesModel("gpt-test", api), model_settings=settings)
    try:
        asyncio.run(Runner.run(agent, "hi"))
    except Exception:
        pass
    finally:
        print("ATTEMPTS", AsyncCounting.attempts)


@pytest.mark.parametrize("module", [httpx, httpx2], ids=["httpx", "httpx2"])
@pytest.mark.convreplay
def test_plain_client(base_url, module):
    try:
        module.get(f"{base_url}/models")
    except BaseException as error:
        print("RAISED", type(error).__name__)
        raise
"""


def test_a_replay_miss_is_never_retried_and_cannot_be_swallowed(pytester: pytest.Pytester) -> None:
    downstream(pytester, "http://127.0.0.1:9/v1", MISSES)
    result = run(pytester)
    result.assert_outcomes(failed=6)
    assert printed(result, "ATTEMPTS") == ["ATTEMPTS 1"] * 4
    assert printed(result, "RAISED") == ["RAISED RequestRefused"] * 2
    result.stdout.fnmatch_lines(["*cassette cassettes/test_calls/test_sdk_sync.yaml does not exist*"])
    result.stdout.no_fnmatch_line("*APIConnectionError*")
    result.stdout.no_fnmatch_line("*Retrying request*")


STREAMS = """
import asyncio

import openai
import pytest


def events(stream):
    return [(event.type, getattr(event, "delta", None)) for event in stream]


def chunks(stream):
    return [chunk.choices[0].delta.content for chunk in stream]


@pytest.mark.convreplay
def test_streamed_response(base_url):
    api = openai.OpenAI(base_url=base_url, api_key="sk-replay")
    print("RESULT response", events(api.responses.create(model="gpt-test", input="hi", stream=True)))


@pytest.mark.convreplay
def test_streamed_chat(base_url):
    api = openai.OpenAI(base_url=base_url, api_key="sk-replay")
    messages = [{"role": "user", "content": "hi"}]
    stream = api.chat.completions.create(model="gpt-test", messages=messages, stream=True)
    print("RESULT chat", chunks(stream))


@pytest.mark.convreplay
def test_async_streams(base_url):
    async def run():
        api = openai.AsyncOpenAI(base_url=base_url, api_key="sk-replay")
        response = await api.responses.create(model="gpt-test", input="hi", stream=True)
        got = [(event.type, getattr(event, "delta", None)) async for event in response]
        chat = await api.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        return got, [chunk.choices[0].delta.content async for chunk in chat]

    print("RESULT async", asyncio.run(run()))
"""


def test_streams_record_and_replay_event_by_event(pytester: pytest.Pytester, api: OpenAIStandIn) -> None:
    downstream(pytester, api.base_url, STREAMS)
    recorded = run(pytester, "--convreplay-record-mode=once")
    recorded.assert_outcomes(passed=3)
    assert "'Hel'" in str(results(recorded))
    hits = api.hits
    replayed = run(pytester)
    replayed.assert_outcomes(passed=3)
    assert results(replayed) == results(recorded)
    assert api.hits == hits
    body = cassette_of(pytester, "test_streamed_chat")["interactions"][0]["response"]["body"]["string"]  # type: ignore[index]
    assert body.count("data: ") == 7  # six chunks and [DONE], one event per line as streamed


PAGINATION = """
import openai
import pytest


@pytest.mark.convreplay
def test_endless_list(base_url):
    api = openai.OpenAI(base_url=base_url, api_key="sk-replay")
    try:
        print("FILES", len(list(api.files.list())))
    except Exception:
        pass


@pytest.mark.convreplay
def test_random_ids(base_url):
    api = openai.OpenAI(base_url=base_url, api_key="sk-replay")
    print("RESULT", [item.id for item in api.conversations.items.list("conv_1", limit=1, order="asc")])
"""


def test_the_loop_guard_stops_an_endless_listing_in_the_call_phase(
    pytester: pytest.Pytester, api: OpenAIStandIn
) -> None:
    downstream(pytester, api.base_url, PAGINATION)
    result = run(pytester, "--convreplay-record-mode=once", "-k", "endless")
    result.assert_outcomes(failed=1)  # not passed, not an error at teardown
    result.stdout.fnmatch_lines(["*/v1/files: cursor after=file-1 repeats*recording stopped*"])
    result.stdout.no_fnmatch_line("*FILES*")
    assert api.hits == 3  # pages 1 and 2, and page 3 that repeats page 2's cursor: no retries
    assert not (pytester.path / "cassettes" / "test_calls" / "test_endless_list.yaml").exists()


def test_ids_that_disagree_with_their_page_warn_and_replay(
    pytester: pytest.Pytester, api: OpenAIStandIn
) -> None:
    downstream(pytester, api.base_url, PAGINATION)
    recorded = run(pytester, "--convreplay-record-mode=once", "-k", "random_ids")
    recorded.assert_outcomes(passed=1, warnings=1)
    recorded.stdout.fnmatch_lines(
        ["*PaginationWarning*inconsistent ids*", "*first_id/last_id are 'random_1'*"]
    )
    replayed = run(pytester, "-k", "random_ids")
    replayed.assert_outcomes(passed=1)
    assert results(replayed) == results(recorded) == ["RESULT ['msg_1', 'msg_2', 'msg_3']"]


def test_a_cassette_refused_after_a_passing_test_says_the_test_passed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_calls="""
        import pytest

        @pytest.fixture
        def convreplay_config():
            return {"secrets": ["never-written"]}

        @pytest.mark.convreplay
        def test_leaks(base_url):
            import httpx
            httpx.post(f"{base_url}/responses", json={"model": "gpt-test", "input": "never-written"})
        """
    )
    with OpenAIStandIn() as server:
        pytester.makeconftest(CONFTEST.format(base_url=server.base_url))
        result = run(pytester, "--convreplay-record-mode=once")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the test passed, but its cassette was not written:*"])
