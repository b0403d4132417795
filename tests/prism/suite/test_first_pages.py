"""The first page of every list the application reads (the static mock says ``has_more: true`` for
ever, so nothing here follows the cursor), sync and async, and the raw HTTP view of a few calls."""

import pytest

pytestmark = pytest.mark.convreplay

LISTS = {
    "files": lambda api: api.files.list(limit=2),
    "vector_stores": lambda api: api.vector_stores.list(limit=2),
    "vector_store_files": lambda api: api.vector_stores.files.list("vs_1", limit=2),
    "batches": lambda api: api.batches.list(limit=2),
    "fine_tuning_jobs": lambda api: api.fine_tuning.jobs.list(limit=2),
    "fine_tuning_events": lambda api: api.fine_tuning.jobs.list_events("ftjob-1", limit=2),
    "evals": lambda api: api.evals.list(limit=2),
    "eval_runs": lambda api: api.evals.runs.list("eval_1", limit=2),
    "chat_completions": lambda api: api.chat.completions.list(limit=2),
    "conversation_items": lambda api: api.conversations.items.list("conv_1", limit=2),
    "response_input_items": lambda api: api.responses.input_items.list("resp_1", limit=2),
    "admin_api_keys": lambda api: api.admin.organization.admin_api_keys.list(limit=2),
    "projects": lambda api: api.admin.organization.projects.list(limit=2),
    "project_users": lambda api: api.admin.organization.projects.users.list("proj_1", limit=2),
    "organization_users": lambda api: api.admin.organization.users.list(limit=2),
    "invites": lambda api: api.admin.organization.invites.list(limit=2),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_the_first_page(client, name):
    page = LISTS[name](client)
    assert page.data


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(LISTS))
async def test_the_first_page_async(aclient, name):
    page = await LISTS[name](aclient)
    assert page.data


def test_raw_responses_keep_status_and_headers(client):
    raw = client.with_raw_response.models.list()
    assert raw.status_code == 200
    assert raw.headers.get("content-type", "").startswith("application/json")
    assert raw.parse().data
    created = client.with_raw_response.embeddings.create(model="text-embedding-3-small", input="raw")
    assert created.parse().data
    uploaded = client.files.with_raw_response.create(file=("raw.jsonl", b"{}\n"), purpose="batch")
    assert uploaded.parse().id


def test_per_call_options_and_extra_parameters(client):
    tuned = client.with_options(timeout=5, max_retries=1)
    assert tuned.embeddings.create(model="text-embedding-3-small", input="options").data
    assert tuned.responses.create(model="gpt-4.1", input="hi", extra_body={"prompt_cache_key": "k1"}).id
    assert client.models.list(extra_query={"purpose": "chat"}).data


def test_a_support_bot_turn(client):
    """What one turn of a support bot sends: moderation, retrieval, an answer, stored in a conversation."""
    question = "How do I get a refund?"
    if client.moderations.create(input=question).results[0].flagged:
        client.responses.create(model="gpt-4.1", input="Flagged question: answer with our policy link")
    hits = client.vector_stores.search("vs_handbook", query=question, max_num_results=3)
    context = " ".join(part.text for hit in hits.data for part in hit.content)
    answer = client.responses.create(
        model="gpt-4.1", conversation="conv_support", instructions=f"Use: {context[:200]}", input=question
    )
    assert answer.output_text
    history = client.conversations.items.list("conv_support", limit=10, order="asc")
    assert history.data
