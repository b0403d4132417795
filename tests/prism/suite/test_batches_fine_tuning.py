"""Batches and fine-tuning jobs."""

import pytest

pytestmark = pytest.mark.convreplay


def test_a_batch_is_created_read_listed_and_cancelled(client):
    batch = client.batches.create(
        input_file_id="file-abc",
        endpoint="/v1/responses",
        completion_window="24h",
        metadata={"job": "nightly"},
    )
    assert batch.object == "batch"
    assert client.batches.retrieve(batch.id).status
    assert client.batches.list(limit=3).data
    assert client.batches.cancel(batch.id).id


def test_a_fine_tuning_job_is_created_and_followed(client):
    job = client.fine_tuning.jobs.create(
        model="gpt-4.1-mini",
        training_file="file-train",
        validation_file="file-valid",
        suffix="support",
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
    )
    assert job.object == "fine_tuning.job"
    assert client.fine_tuning.jobs.retrieve(job.id).status
    events = client.fine_tuning.jobs.list_events(job.id, limit=10)
    assert events.data
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id, limit=5)
    assert checkpoints.data


def test_fine_tuning_jobs_are_listed_paused_resumed_and_cancelled(client):
    jobs = client.fine_tuning.jobs.list(limit=5, metadata={"team": "support"})
    assert jobs.data
    job_id = jobs.data[0].id
    assert client.fine_tuning.jobs.pause(job_id).id
    assert client.fine_tuning.jobs.resume(job_id).id
    assert client.fine_tuning.jobs.cancel(job_id).id


@pytest.mark.anyio
async def test_async_batches_and_jobs(aclient):
    batch = await aclient.batches.create(
        input_file_id="file-1", endpoint="/v1/embeddings", completion_window="24h"
    )
    assert (await aclient.batches.retrieve(batch.id)).id
    job = await aclient.fine_tuning.jobs.create(model="gpt-4.1-mini", training_file="file-1")
    assert (await aclient.fine_tuning.jobs.retrieve(job.id)).id
    events = await aclient.fine_tuning.jobs.list_events(job.id)
    assert events.data
    assert (await aclient.fine_tuning.jobs.cancel(job.id)).id
