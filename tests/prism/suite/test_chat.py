"""Chat completions: created, streamed, stored ones listed and read."""

import pytest

pytestmark = pytest.mark.convreplay

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Name three French cities."},
]


def test_a_completion_is_created(client):
    completion = client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES, temperature=0)
    assert completion.choices[0].message.content


def test_a_completion_with_tools_and_a_json_format(client):
    completion = client.chat.completions.create(
        model="gpt-4.1-mini",
        messages=MESSAGES,
        tools=[{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
        response_format={"type": "json_object"},
        n=1,
        seed=7,
    )
    assert completion.choices


def test_a_streamed_completion_from_a_mock_that_cannot_stream(client):
    chunks = list(client.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES, stream=True))
    assert chunks == []


def test_stored_completions_are_listed_read_updated_and_deleted(client):
    page = client.chat.completions.list(limit=3, model="gpt-4.1-mini")
    assert page.data
    completion = client.chat.completions.retrieve(page.data[0].id)
    assert completion.id == page.data[0].id
    messages = client.chat.completions.messages.list(completion.id, limit=5)
    assert messages.data
    client.chat.completions.update(completion.id, metadata={"reviewed": "yes"})
    client.chat.completions.delete(completion.id)


@pytest.mark.anyio
async def test_async_completions(aclient):
    completion = await aclient.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES)
    assert completion.choices[0].message.role == "assistant"
    stored = await aclient.chat.completions.list(limit=2)
    assert stored.data
    again = await aclient.chat.completions.retrieve(stored.data[0].id)
    assert again.object == "chat.completion"


@pytest.mark.anyio
async def test_async_streamed_completion_from_a_mock_that_cannot_stream(aclient):
    stream = await aclient.chat.completions.create(model="gpt-4.1-mini", messages=MESSAGES, stream=True)
    assert [chunk async for chunk in stream] == []
