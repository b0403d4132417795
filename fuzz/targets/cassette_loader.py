"""Target: the cassette loader, and what reads a loaded cassette (``show``, ``verify``, replay's
index). Contract: only a ConvreplayError escapes; a cassette that loads is written through the
write path's serializer and loads back as it was."""

from __future__ import annotations

from pathlib import Path

from _harness import instrumented, main, same, text_of

with instrumented():
    from pytest_convreplay.errors import ConvreplayError
    from pytest_convreplay.model.chains import check_chains
    from pytest_convreplay.model.conversations import rebuild_conversations
    from pytest_convreplay.replay.index import CassetteIndex
    from pytest_convreplay.replay.reslice import CompleteListings
    from pytest_convreplay.storage.cassette import cassette_document, parse_cassette, recorded_at
    from pytest_convreplay.storage.write import serialize

PATH = Path("cassettes/fuzz/test_fuzz.yaml")


def check(data: bytes) -> None:
    text = text_of(data)
    if text is None:
        return
    try:
        loaded = parse_cassette(text, PATH, max_nodes=200_000)
        recorded_at(loaded.metadata)
        rebuild_conversations(loaded.interactions)
        check_chains(loaded.interactions)
        CompleteListings.from_interactions(loaded.interactions)
        CassetteIndex(loaded.interactions).recorded_keys()
    except ConvreplayError:
        return
    written = serialize(PATH, cassette_document(loaded.interactions, loaded.metadata))
    again = parse_cassette(written, PATH)
    assert same(again.interactions, loaded.interactions), "a written cassette loads back changed"
    assert same(again.metadata, loaded.metadata), "a written cassette's metadata loads back changed"


if __name__ == "__main__":
    main(check)
