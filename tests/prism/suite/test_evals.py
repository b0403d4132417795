"""Evals and their runs."""

import pytest

pytestmark = pytest.mark.convreplay

CRITERIA = [
    {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": "eq",
    }
]
SCHEMA = {"type": "custom", "item_schema": {"type": "object", "properties": {"answer": {"type": "string"}}}}


def test_an_eval_is_created_read_updated_and_deleted(client):
    evaluation = client.evals.create(name="capitals", data_source_config=SCHEMA, testing_criteria=CRITERIA)
    assert evaluation.object == "eval"
    assert client.evals.retrieve(evaluation.id).name
    assert client.evals.update(evaluation.id, name="capitals v2", metadata={"owner": "qa"}).id
    assert client.evals.list(limit=5, order="asc").data
    assert client.evals.delete(evaluation.id).deleted


def test_an_eval_run_is_started_and_its_output_read(client):
    run = client.evals.runs.create(
        "eval_123",
        name="nightly",
        data_source={"type": "jsonl", "source": {"type": "file_id", "id": "file-abc"}},
    )
    assert run.object == "eval.run"
    assert client.evals.runs.retrieve(run.id, eval_id="eval_123").status
    assert client.evals.runs.list("eval_123", limit=3).data
    items = client.evals.runs.output_items.list(run.id, eval_id="eval_123", limit=5)
    assert items.data
    assert client.evals.runs.output_items.retrieve(items.data[0].id, eval_id="eval_123", run_id=run.id).id


@pytest.mark.anyio
async def test_async_evals(aclient):
    evaluation = await aclient.evals.create(data_source_config=SCHEMA, testing_criteria=CRITERIA)
    run = await aclient.evals.runs.create(
        evaluation.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": "file-1"}}
    )
    assert (await aclient.evals.runs.retrieve(run.id, eval_id=evaluation.id)).id
    assert (await aclient.evals.list()).data
    assert (await aclient.evals.delete(evaluation.id)).deleted
