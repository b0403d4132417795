"""Conversations and their items: the plugin's home ground, here against a mock of the whole API."""

import pytest

pytestmark = pytest.mark.convreplay


def test_a_conversation_is_created_read_updated_and_deleted(client):
    conversation = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Plan a trip to Lyon"}],
        metadata={"topic": "travel"},
    )
    assert conversation.object == "conversation"
    again = client.conversations.retrieve(conversation.id)
    assert again.id == conversation.id
    updated = client.conversations.update(conversation.id, metadata={"topic": "food"})
    assert updated.object == "conversation"
    deleted = client.conversations.delete(conversation.id)
    assert deleted.deleted is True


def test_items_are_added_listed_retrieved_and_deleted(client):
    added = client.conversations.items.create(
        "conv_123",
        items=[
            {"type": "message", "role": "user", "content": "What is the capital of France?"},
            {"type": "message", "role": "assistant", "content": "Paris."},
        ],
    )
    assert added.object == "list"
    first_page = client.conversations.items.list("conv_123", limit=10, order="asc")
    assert first_page.data
    assert first_page.data[0].type == "message"
    item = client.conversations.items.retrieve(first_page.data[0].id, conversation_id="conv_123")
    assert item.type == "message"
    after = client.conversations.items.delete(first_page.data[0].id, conversation_id="conv_123")
    assert after.object == "conversation"


def test_the_items_list_is_read_with_include(client):
    page = client.conversations.items.list(
        "conv_123",
        limit=5,
        order="desc",
        include=["message.output_text.logprobs", "reasoning.encrypted_content"],
    )
    assert page.object == "list"
    assert page.has_more in (True, False)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_first_pages_in_either_order(client, order):
    page = client.conversations.items.list("conv_abc", limit=20, order=order)
    assert [item.type for item in page.data] == ["message"] * len(page.data)


def test_random_ids_of_a_dynamic_mock_replay_all_the_same(dynamic):
    page = dynamic.conversations.items.list("conv_dyn", limit=3)
    second = dynamic.conversations.items.list("conv_dyn", limit=3, after=page.last_id or "x")
    assert isinstance(page.data, list)
    assert isinstance(second.data, list)


@pytest.mark.anyio
async def test_async_conversation_lifecycle(aclient):
    conversation = await aclient.conversations.create(metadata={"topic": "async"})
    await aclient.conversations.items.create(
        conversation.id, items=[{"type": "message", "role": "user", "content": "Hello"}]
    )
    page = await aclient.conversations.items.list(conversation.id, limit=2)
    assert page.data
    item = await aclient.conversations.items.retrieve(page.data[0].id, conversation_id=conversation.id)
    assert item.id == page.data[0].id
    await aclient.conversations.update(conversation.id, metadata={"topic": "done"})
    assert (await aclient.conversations.delete(conversation.id)).deleted


@pytest.mark.anyio
async def test_async_first_pages_from_a_dynamic_mock(adynamic):
    pages = [await adynamic.conversations.items.list(f"conv_{n}", limit=2) for n in range(3)]
    assert all(page.object is not None for page in pages)
