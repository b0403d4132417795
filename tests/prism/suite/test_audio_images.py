"""Audio and images: binary uploads (multipart) and their answers."""

import pytest

pytestmark = pytest.mark.convreplay

SPEECH = bytes(range(256)) * 16  # an mp3 as far as anyone reading bytes can tell
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_speech_is_transcribed(client):
    transcript = client.audio.transcriptions.create(
        file=("meeting.mp3", SPEECH, "audio/mpeg"), model="gpt-4o-transcribe", language="en", prompt="names"
    )
    assert transcript.text


def test_a_transcription_with_timestamps(client):
    transcript = client.audio.transcriptions.create(
        file=("call.wav", SPEECH[:1024]),
        model="whisper-1",
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    assert transcript.text


def test_speech_is_translated(client):
    translation = client.audio.translations.create(file=("rede.mp3", SPEECH), model="whisper-1")
    assert translation.text


def test_an_image_is_generated(client):
    images = client.images.generate(model="gpt-image-1", prompt="a lighthouse at dawn", size="1024x1024", n=1)
    assert images.data


def test_an_image_is_edited_with_a_mask(client):
    images = client.images.edit(
        model="gpt-image-1",
        image=("room.png", PNG, "image/png"),
        mask=("mask.png", PNG[::-1]),
        prompt="add a cat",
    )
    assert images.data


def test_several_images_are_edited_together(client):
    images = client.images.edit(
        model="gpt-image-1",
        image=[("a.png", PNG), ("b.png", PNG[:512])],
        prompt="combine them",
        quality="low",
    )
    assert images.created is not None


@pytest.mark.anyio
async def test_async_audio_and_images(aclient):
    transcript = await aclient.audio.transcriptions.create(file=("a.mp3", SPEECH), model="whisper-1")
    assert transcript.text
    generated = await aclient.images.generate(model="gpt-image-1", prompt="a fox")
    assert generated.data
    edited = await aclient.images.edit(image=("fox.png", PNG), prompt="make it blue", model="gpt-image-1")
    assert edited.data
