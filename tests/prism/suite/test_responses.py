"""Responses: created plain, streamed (the mock has no event streams), read back, cancelled."""

import pytest

pytestmark = pytest.mark.convreplay


def test_a_response_is_created_and_read_back(client):
    response = client.responses.create(model="gpt-4.1", input="Describe the picture", store=True)
    assert response.output_text
    again = client.responses.retrieve(response.id)
    assert again.id == response.id
    items = client.responses.input_items.list(response.id, limit=5)
    assert items.data


def test_a_response_in_a_conversation_with_tools(client):
    response = client.responses.create(
        model="gpt-4.1",
        conversation="conv_123",
        input=[{"role": "user", "content": "What is the weather in Lyon?"}],
        tools=[
            {
                "type": "function",
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": False,
            }
        ],
        temperature=0.2,
    )
    assert response.object == "response"


def test_a_background_response_is_cancelled_and_deleted(client):
    response = client.responses.create(model="gpt-4.1", input="Write a long essay", background=True)
    cancelled = client.responses.cancel(response.id)
    assert cancelled.id
    client.responses.delete(response.id)


def test_a_streamed_response_from_a_mock_that_cannot_stream_yields_no_events(client):
    stream = client.responses.create(model="gpt-4.1", input="Stream please", stream=True)
    assert [event.type for event in stream] == []


def test_instructions_and_reasoning_options(client):
    response = client.responses.create(
        model="o4-mini",
        instructions="Answer in French",
        input="Hello",
        reasoning={"effort": "low"},
        max_output_tokens=200,
        metadata={"run": "prism"},
    )
    assert response.status


def test_a_response_is_read_with_include(client):
    response = client.responses.retrieve("resp_abc", include=["message.output_text.logprobs"])
    assert response.id


@pytest.mark.anyio
async def test_async_responses(aclient):
    response = await aclient.responses.create(model="gpt-4.1", input="Hello from async")
    assert response.output_text
    again = await aclient.responses.retrieve(response.id)
    assert again.model
    items = await aclient.responses.input_items.list(response.id)
    assert items.data
    await aclient.responses.cancel(response.id)
    await aclient.responses.delete(response.id)


@pytest.mark.anyio
async def test_async_streamed_response_from_a_mock_that_cannot_stream(aclient):
    stream = await aclient.responses.create(model="gpt-4.1", input="Stream please", stream=True)
    assert [event async for event in stream] == []
