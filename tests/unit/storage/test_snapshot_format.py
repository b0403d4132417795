"""The snapshot file format: one block per item in a stable key order, round trips, removals."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.files import NO_SECRETS, snapshots_yaml
from support.snapshots import TEST, call, message, snapshot_file

from pytest_convreplay.errors import SnapshotError
from pytest_convreplay.storage.snapshots import (
    load_snapshot_file,
    parse_snapshots,
    read_snapshots,
    remove_snapshots,
    snapshot_header,
)


def test_items_start_with_id_and_type_then_sorted_keys() -> None:
    text = snapshots_yaml({"default": [call(2)]})
    assert text.endswith(
        "  - id: fc_2\n"
        "    type: function_call\n"
        '    arguments: \'{"city": "Paris"}\'\n'
        "    call_id: call_2\n"
        "    created_at: 1700000002\n"
        "    name: get_weather\n"
        "    status: completed\n"
    )


def test_nested_objects_put_type_first_then_sorted_keys() -> None:
    text = snapshots_yaml({"default": [message(1)]})
    assert "    - type: output_text\n      annotations: []\n      text: hello 1\n" in text


def test_every_item_is_its_own_block() -> None:
    text = snapshots_yaml({"default": [message(1), call(2)]})
    assert [line for line in text.splitlines() if line.startswith("  - ")] == [
        "  - id: msg_1",
        "  - id: fc_2",
    ]


def test_multiline_text_is_a_literal_block() -> None:
    item = message(1)
    item["content"][0]["text"] = "first line\nsecond line\n"
    assert "      text: |\n        first line\n        second line\n" in snapshots_yaml({"default": [item]})


def test_round_trip_gives_the_same_items() -> None:
    snapshots = {"default": [message(1), call(2)], "later": [call(3, city="Lyon")]}
    assert parse_snapshots(snapshots_yaml(snapshots), Path("x.snapshot.yaml")) == snapshots


def test_dumping_is_independent_of_key_order() -> None:
    reordered = {key: message(1)[key] for key in reversed(list(message(1)))}
    assert snapshots_yaml({"default": [reordered]}) == snapshots_yaml({"default": [message(1)]})


def test_header_names_the_test_and_the_update_command() -> None:
    text = snapshots_yaml({"default": [message(1)]}, header=snapshot_header(TEST))
    assert text.startswith(f"# pytest-convreplay snapshots of {TEST}\n")
    assert f"pytest --convreplay-update '{TEST}'" in text.splitlines()[1]


def test_invalid_file_error_names_the_file_and_the_fix() -> None:
    with pytest.raises(SnapshotError, match=r"x\.snapshot\.yaml: not a version 1 .* --convreplay-update"):
        parse_snapshots("interactions: []\n", Path("x.snapshot.yaml"))


def test_item_without_type_is_refused() -> None:
    with pytest.raises(SnapshotError, match=r"snapshot 'default' must be a list of items with a 'type'"):
        parse_snapshots("version: 1\nsnapshots:\n  default:\n  - id: msg_1\n", Path("x.snapshot.yaml"))


def test_an_item_without_a_type_is_named_in_a_clear_error(tmp_path: Path) -> None:
    file = snapshot_file(tmp_path, update=True)
    with pytest.raises(SnapshotError, match=r"snapshot 'default' not taken: item 1 \('x1'\) has no 'type'"):
        file.check([message(1), {"id": "x1", "text": "no type"}], "default")


def test_missing_file_reads_as_no_snapshots(tmp_path: Path) -> None:
    assert read_snapshots(tmp_path / "absent.snapshot.yaml") == {}


def test_load_snapshot_file_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such snapshot file"):
        load_snapshot_file(tmp_path / "absent.snapshot.yaml")


def test_removing_names_keeps_the_header_and_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "t.snapshot.yaml"
    path.write_text(snapshots_yaml({"a": [message(1)], "b": [call(2)]}, header=snapshot_header(TEST)))
    remove_snapshots(path, ["a"], NO_SECRETS)
    assert read_snapshots(path) == {"b": [call(2)]}
    assert path.read_text().startswith(snapshot_header(TEST))


def test_removing_every_name_deletes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.snapshot.yaml"
    path.write_text(snapshots_yaml({"a": [message(1)]}))
    remove_snapshots(path, ["a"], NO_SECRETS)
    assert not path.exists()


def test_emoji_keep_a_multi_line_text_a_readable_block() -> None:
    written = "sunny 🌞\nsee you 👋 \U00020000"  # plane 1 emoji and a plane 2 ideograph
    text = snapshots_yaml({"default": [message(1, text=written)]})
    assert "sunny 🌞\n" in text
    assert "\\U" not in text
    assert parse_snapshots(text, Path("x"))["default"][0]["content"][0]["text"] == f"{written} 1"
