"""Embeddings, models and moderations: the small calls every application makes."""

import pytest

pytestmark = pytest.mark.convreplay


def test_texts_are_embedded(client):
    result = client.embeddings.create(model="text-embedding-3-small", input=["Lyon", "Paris", "Marseille"])
    assert result.data
    assert result.data[0].embedding


def test_an_embedding_with_dimensions_and_a_format(client):
    result = client.embeddings.create(model="text-embedding-3-large", input="Lyon", dimensions=256)
    assert result.model


def test_models_are_listed_and_read(client):
    models = list(client.models.list())
    assert models
    model = client.models.retrieve(models[0].id)
    assert model.owned_by


def test_a_fine_tuned_model_is_deleted(client):
    assert client.models.delete("ft:gpt-4.1-mini:acme::abc123").deleted


def test_text_is_moderated(client):
    result = client.moderations.create(model="omni-moderation-latest", input=["I like trains"])
    assert result.results


@pytest.mark.anyio
async def test_async_small_calls(aclient):
    embedded = await aclient.embeddings.create(model="text-embedding-3-small", input="async")
    assert embedded.data
    models = [model.id async for model in aclient.models.list()]
    assert models
    assert (await aclient.models.retrieve(models[0])).id
    moderated = await aclient.moderations.create(input="async text")
    assert moderated.results
