"""Hand-edited, truncated and hostile files load into one clear error naming the file, fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from support.files import NO_SECRETS, cassette_yaml
from support.hostile import (
    CASSETTE_CORPUS,
    SNAPSHOT_CORPUS,
    VALID,
    VALID_SNAPSHOT,
    interaction,
    sparse,
)

from pytest_convreplay.errors import CassetteError, ConvreplayError, SnapshotError
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.snapshots import read_snapshots, snapshot_document
from pytest_convreplay.storage.write import write_document


def refused(load: Callable[[], object], error: type[ConvreplayError]) -> str:
    """The message of the one error ``load`` raises (how fast: bench/, never a wall-clock assert)."""
    with pytest.raises(error) as raised:
        load()
    return str(raised.value)


@pytest.mark.parametrize(("content", "problem"), CASSETTE_CORPUS.values(), ids=CASSETTE_CORPUS.keys())
def test_malformed_cassette_gives_one_clear_error_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    message = refused(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "re-record it with --convreplay-record-mode=all, or fix or delete the file" in message


def test_a_100_mb_cassette_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    sparse(path, VALID)
    message = refused(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: the file is 100.0 MiB, over the 64 MiB limit")
    assert "max_cassette_bytes" in message


def test_a_flood_of_tiny_nodes_is_stopped_by_the_node_budget(tmp_path: Path) -> None:
    path = tmp_path / "flood.yaml"
    path.write_text("version: 1\ninteractions: [" + "0," * 500_000 + "0]\n")
    message = refused(lambda: load_cassette(path, max_nodes=100_000), CassetteError)
    assert message.startswith(f"{path}: holds more than 100,000 YAML nodes")


def test_an_unreadable_cassette_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    message = refused(lambda: load_cassette(path), CassetteError)
    assert message.startswith(f"{path}: cannot be read")


@pytest.mark.parametrize("content", SNAPSHOT_CORPUS.values(), ids=SNAPSHOT_CORPUS.keys())
def test_malformed_snapshot_gives_one_clear_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "test_x.snapshot.yaml"
    path.write_bytes(content)
    message = refused(lambda: read_snapshots(path), SnapshotError)
    assert message.startswith(f"{path}: ")


def test_a_100_mb_snapshot_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "test_x.snapshot.yaml"
    sparse(path, VALID_SNAPSHOT)
    message = refused(lambda: read_snapshots(path), SnapshotError)
    assert message.startswith(f"{path}: the file is 100.0 MiB, over the 64 MiB a snapshot may hold")


def test_objects_shared_between_interactions_are_written_in_full_not_as_aliases(tmp_path: Path) -> None:
    shared = interaction()
    path = tmp_path / "shared.yaml"
    path.write_text(cassette_yaml(cast(list[Interaction], [shared, shared]), {}))
    assert load_cassette(path).interactions == [shared, shared]


def test_fields_a_hand_written_cassette_leaves_out_are_filled_in(tmp_path: Path) -> None:
    """Found by the cassette_loader fuzz target: a response body without ``string`` loaded, then
    rebuilding its conversations raised KeyError."""
    path = tmp_path / "sparse.yaml"
    path.write_text(
        "version: 1\ninteractions:\n- request: {method: GET, uri: 'https://a/v1/conversations/c/items'}\n"
        "  response: {status: {code: 200}, body: {}}\n"
    )
    (loaded,) = load_cassette(path).interactions
    assert loaded["request"] == {
        "method": "GET",
        "uri": "https://a/v1/conversations/c/items",
        "body": None,
        "headers": {},
    }
    assert loaded["response"] == {
        "status": {"code": 200, "message": ""},
        "headers": {},
        "body": {"string": ""},
    }


def test_a_snapshot_item_with_a_null_or_number_key_is_written_back(tmp_path: Path) -> None:
    """Found by the snapshot_loader fuzz target: sorting keys of mixed types raised TypeError."""
    path = tmp_path / "test_x.snapshot.yaml"
    path.write_bytes(VALID_SNAPSHOT.replace(b"type: message}", b"type: message, null: 1, 2: b, a: c}"))
    snapshots = read_snapshots(path)
    write_document(path, snapshot_document(snapshots), NO_SECRETS, error=SnapshotError)
    assert read_snapshots(path) == snapshots
