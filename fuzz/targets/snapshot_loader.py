"""Target: the snapshot file loader. Contract: only a ConvreplayError escapes; snapshots that load
are written as the plugin writes them and load back as they were."""

from __future__ import annotations

from pathlib import Path

from _harness import instrumented, main, same, text_of

with instrumented():
    from pytest_convreplay.errors import ConvreplayError
    from pytest_convreplay.storage.snapshots import parse_snapshots, snapshot_document, snapshot_header
    from pytest_convreplay.storage.write import serialize

PATH = Path("cassettes/fuzz/test_fuzz.snapshot.yaml")


def check(data: bytes) -> None:
    text = text_of(data)
    if text is None:
        return
    try:
        snapshots = parse_snapshots(text, PATH)
        written = serialize(PATH, snapshot_document(snapshots), header=snapshot_header("test_fuzz.py::t"))
    except ConvreplayError:
        return
    assert same(parse_snapshots(written, PATH), snapshots), "a written snapshot file loads back changed"


if __name__ == "__main__":
    main(check)
