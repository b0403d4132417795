"""Vector stores, their files and file batches."""

import pytest

pytestmark = pytest.mark.convreplay


def test_a_vector_store_lifecycle(client):
    store = client.vector_stores.create(
        name="handbook", file_ids=["file-abc"], expires_after={"anchor": "last_active_at", "days": 7}
    )
    assert store.object == "vector_store"
    assert client.vector_stores.retrieve(store.id).id
    assert client.vector_stores.update(store.id, name="handbook v2", metadata={"team": "docs"}).name
    assert client.vector_stores.list(limit=5).data
    assert client.vector_stores.delete(store.id).deleted


def test_a_vector_store_is_searched(client):
    results = client.vector_stores.search(
        "vs_123",
        query="refund policy",
        max_num_results=5,
        rewrite_query=True,
        filters={"type": "eq", "key": "lang", "value": "en"},
    )
    assert results.data


def test_files_are_attached_listed_and_removed(client):
    attached = client.vector_stores.files.create("vs_123", file_id="file-abc", attributes={"lang": "en"})
    assert attached.object == "vector_store.file"
    listed = client.vector_stores.files.list("vs_123", limit=10, filter="completed")
    assert listed.data
    assert client.vector_stores.files.retrieve("file-abc", vector_store_id="vs_123").id
    content = client.vector_stores.files.content("file-abc", vector_store_id="vs_123")
    assert content is not None
    assert client.vector_stores.files.delete("file-abc", vector_store_id="vs_123").deleted


def test_a_file_batch_is_created_read_listed_and_cancelled(client):
    batch = client.vector_stores.file_batches.create("vs_123", file_ids=["file-a", "file-b"])
    assert batch.object == "vector_store.files_batch"
    assert client.vector_stores.file_batches.retrieve(batch.id, vector_store_id="vs_123").id
    files = client.vector_stores.file_batches.list_files(batch.id, vector_store_id="vs_123", limit=20)
    assert files.data
    assert client.vector_stores.file_batches.cancel(batch.id, vector_store_id="vs_123").status


@pytest.mark.anyio
async def test_async_vector_stores(aclient):
    store = await aclient.vector_stores.create(name="async store")
    await aclient.vector_stores.files.create(store.id, file_id="file-x")
    batch = await aclient.vector_stores.file_batches.create(store.id, file_ids=["file-y"])
    assert (await aclient.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id)).id
    files = await aclient.vector_stores.files.list(store.id)
    assert files.data
    found = await aclient.vector_stores.search(store.id, query="async")
    assert found.data
    assert (await aclient.vector_stores.delete(store.id)).deleted
