"""Files and uploads: multipart bodies whose boundary httpx2 draws anew for every request."""

import io

import pytest

pytestmark = pytest.mark.convreplay

BATCH_LINES = b'{"custom_id": "r1", "method": "POST", "url": "/v1/responses", "body": {"model": "gpt-4.1"}}\n'
PDF_BYTES = b"%PDF-1.4\n" + bytes(range(128, 256)) * 8  # not UTF-8, as a real PDF is not


def test_a_batch_file_is_uploaded_listed_read_and_deleted(client):
    uploaded = client.files.create(file=("requests.jsonl", BATCH_LINES, "application/jsonl"), purpose="batch")
    assert uploaded.object == "file"
    listed = client.files.list(purpose="batch", limit=10)
    assert listed.data
    again = client.files.retrieve(uploaded.id)
    assert again.filename
    assert client.files.delete(uploaded.id).deleted


def test_a_binary_file_is_uploaded_from_a_file_object(client):
    uploaded = client.files.create(
        file=("manual.pdf", io.BytesIO(PDF_BYTES), "application/pdf"), purpose="user_data"
    )
    assert uploaded.id


def test_a_file_upload_with_an_expiry(client):
    uploaded = client.files.create(
        file=("fine-tune.jsonl", b'{"messages": []}\n'),
        purpose="fine-tune",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert uploaded.bytes is not None


def test_a_large_file_goes_up_in_parts(client):
    upload = client.uploads.create(bytes=2048, filename="big.jsonl", mime_type="text/jsonl", purpose="batch")
    first = client.uploads.parts.create(upload.id, data=b"a" * 1024)
    second = client.uploads.parts.create(upload.id, data=bytes(range(256)) * 4)
    done = client.uploads.complete(upload.id, part_ids=[first.id, second.id])
    assert done.object == "upload"


def test_an_upload_is_cancelled(client):
    upload = client.uploads.create(bytes=10, filename="oops.jsonl", mime_type="text/jsonl", purpose="batch")
    assert client.uploads.cancel(upload.id).status


@pytest.mark.anyio
async def test_async_files(aclient):
    uploaded = await aclient.files.create(file=("async.jsonl", BATCH_LINES), purpose="batch")
    listed = await aclient.files.list(limit=5)
    assert listed.data
    assert (await aclient.files.retrieve(uploaded.id)).id
    assert (await aclient.files.delete(uploaded.id)).deleted


@pytest.mark.anyio
async def test_async_upload_in_parts(aclient):
    upload = await aclient.uploads.create(
        bytes=20, filename="a.jsonl", mime_type="text/jsonl", purpose="batch"
    )
    part = await aclient.uploads.parts.create(upload.id, data=PDF_BYTES[:20])
    done = await aclient.uploads.complete(upload.id, part_ids=[part.id], md5="0" * 32)
    assert done.id
    await aclient.uploads.cancel(upload.id)
