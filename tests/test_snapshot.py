"""Snapshot files and the assertion, without pytest in the loop: format, round trip, masks, session."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from files import NO_SECRETS, snapshots_yaml

from pytest_convreplay.cli.main import main as convreplay
from pytest_convreplay.config.settings import Settings
from pytest_convreplay.errors import MaskWarning, SecretLeakError, SnapshotError, SnapshotMismatch
from pytest_convreplay.rules.masks import parse_masks
from pytest_convreplay.rules.redaction import RedactionRules
from pytest_convreplay.snapshot.assertion import SnapshotAssertion
from pytest_convreplay.snapshot.check import SnapshotCheck, SnapshotState
from pytest_convreplay.snapshot.file import SnapshotFile
from pytest_convreplay.snapshot.options import SnapshotOptions
from pytest_convreplay.snapshot.report import find_unused
from pytest_convreplay.snapshot.session import SnapshotSession, narrowed_modules
from pytest_convreplay.storage.snapshots import (
    load_snapshot_file,
    parse_snapshots,
    read_snapshots,
    remove_snapshots,
    snapshot_header,
)

Item = dict[str, Any]
TEST = "tests/test_history.py::test_history"


def message(n: int, text: str = "hello") -> Item:
    return {
        "status": "completed",
        "content": [{"text": f"{text} {n}", "annotations": [], "type": "output_text"}],
        "role": "assistant",
        "type": "message",
        "id": f"msg_{n}",
    }


def call(n: int, city: str = "Paris") -> Item:
    return {
        "type": "function_call",
        "id": f"fc_{n}",
        "call_id": f"call_{n}",
        "name": "get_weather",
        "arguments": json.dumps({"city": city}),
        "status": "completed",
        "created_at": 1700000000 + n,
    }


def snapshot_file(tmp_path: Path, **options: Any) -> SnapshotFile:
    return SnapshotFile(SnapshotOptions(path=tmp_path / "test_history.snapshot.yaml", test=TEST, **options))


@pytest.fixture(autouse=True)
def _no_secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)


# --- the file format ---------------------------------------------------------------------------


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
    with pytest.raises(TypeError, match=r"item 1 \('x1'\) has no 'type'"):
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


# --- checking and writing ------------------------------------------------------------------------


def test_update_writes_a_new_snapshot(tmp_path: Path) -> None:
    file = snapshot_file(tmp_path, update=True)
    assert file.check([message(1)], "default") == SnapshotCheck(
        file.options.path, "default", SnapshotState.NEW, written=True
    )
    assert read_snapshots(file.options.path) == {"default": [message(1)]}


@pytest.mark.filterwarnings("ignore::pytest_convreplay.SchemaDriftWarning")  # created_at on a call
def test_masks_are_applied_before_writing(tmp_path: Path) -> None:
    file = snapshot_file(tmp_path, update=True)
    file.check([call(1)], "default")
    assert read_snapshots(file.options.path)["default"][0]["created_at"] == "<masked>"


def test_a_masked_field_that_changed_still_matches(tmp_path: Path) -> None:
    snapshot_file(tmp_path, update=True).check([call(1)], "default")
    later = {**call(1), "created_at": 1800000000}
    assert snapshot_file(tmp_path).check([later], "default").state is SnapshotState.MATCHED


def test_renumbered_ids_are_stored_when_asked(tmp_path: Path) -> None:
    file = snapshot_file(tmp_path, update=True, renumber_ids=True)
    file.check([message(7), call(9)], "default")
    assert [item["id"] for item in read_snapshots(file.options.path)["default"]] == ["msg#1", "fc#1"]


def test_missing_snapshot_fails_with_the_update_command(tmp_path: Path) -> None:
    check = snapshot_file(tmp_path).check([message(1)], "default")
    assert check.state is SnapshotState.NEW
    assert check.failure is not None
    assert f"has no snapshot 'default' for {TEST} (1 items)" in check.failure
    assert f"run pytest --convreplay-update '{TEST}' to write it" in check.failure
    assert not (tmp_path / "test_history.snapshot.yaml").exists()


def test_ci_never_writes_even_with_update(tmp_path: Path) -> None:
    check = snapshot_file(tmp_path, update=True, ci=True).check([message(1)], "default")
    assert check.failure is not None
    assert "snapshots are never written when CI is set" in check.failure
    assert not (tmp_path / "test_history.snapshot.yaml").exists()


def test_changed_item_fails_with_item_field_and_values(tmp_path: Path) -> None:
    snapshot_file(tmp_path, update=True).check([message(1), call(2)], "default")
    check = snapshot_file(tmp_path).check([message(1), call(2, city="Lyon")], "default")
    assert check.state is SnapshotState.CHANGED
    assert check.failure is not None
    assert '~ fc_2 function_call [1]\n    ~ arguments.city: "Paris" → "Lyon"' in check.failure


def test_a_known_secret_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "emulator-key-0123456789")
    file = snapshot_file(tmp_path, update=True)
    with pytest.raises(SecretLeakError, match="value of OPENAI_API_KEY"):
        file.check([message(1, text="my key is emulator-key-0123456789")], "default")
    assert not file.options.path.exists()


def test_the_same_name_twice_in_one_test_is_an_error(tmp_path: Path) -> None:
    file = snapshot_file(tmp_path, update=True)
    file.check([message(1)], "history")
    with pytest.raises(SnapshotError, match="snapshot 'history' is asserted twice"):
        file.check([message(2)], "history")


# --- the assertion object ---------------------------------------------------------------------------


def test_unnamed_snapshots_are_numbered_in_order(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path, update=True))
    snapshot.assert_match([message(1)])
    assert [message(2)] == snapshot
    assert list(read_snapshots(tmp_path / "test_history.snapshot.yaml")) == ["default", "default.2"]


def test_indexing_and_calling_name_a_snapshot(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path, update=True))
    assert [message(1)] == snapshot["first"]
    assert [message(2)] == snapshot(name="second")
    assert list(read_snapshots(tmp_path / "test_history.snapshot.yaml")) == ["first", "second"]


def test_numbers_name_snapshots_too_zero_included(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path, update=True))
    for turn in range(3):
        snapshot[turn].assert_match([message(turn)])
    assert list(read_snapshots(tmp_path / "test_history.snapshot.yaml")) == ["0", "1", "2"]
    again = SnapshotAssertion(snapshot_file(tmp_path))
    for turn in range(3):
        again[turn].assert_match([message(turn)])


def test_items_changed_after_their_assertion_do_not_change_the_stored_snapshot(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path, update=True))
    items = [message(1, text="original")]
    snapshot["before"].assert_match(items)
    items[0]["content"][0]["text"] = "changed"
    snapshot["after"].assert_match(items)
    stored = read_snapshots(tmp_path / "test_history.snapshot.yaml")
    assert stored["before"][0]["content"][0]["text"] == "original 1"
    assert stored["after"][0]["content"][0]["text"] == "changed"


def test_a_declared_secret_in_a_long_line_is_found_though_it_has_spaces(tmp_path: Path) -> None:
    """YAML would fold a long line at a space and split the value; the writer never folds."""
    passphrase = "correct horse battery staple"
    file = snapshot_file(tmp_path, update=True, secrets=(passphrase,))
    for padding in range(4070, 4100, 3):
        with pytest.raises(SecretLeakError):
            file.check([message(1, text="x " * (padding // 2) + passphrase)], f"long{padding}")
    assert not file.options.path.exists()


def test_assert_match_raises_snapshot_mismatch(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path))
    with pytest.raises(SnapshotMismatch, match="has no snapshot 'default'"):
        snapshot.assert_match([message(1)])


def test_failed_equality_explains_itself(tmp_path: Path) -> None:
    snapshot = SnapshotAssertion(snapshot_file(tmp_path))
    assert not snapshot == [message(1)]  # noqa: SIM201  (the == is what is tested)
    assert "has no snapshot 'default'" in snapshot.explanation()[0]


# --- the session ------------------------------------------------------------------------------------


def written(tmp_path: Path, name: str, *snapshot_names: str) -> Path:
    path = tmp_path / f"{name}.snapshot.yaml"
    path.write_text(snapshots_yaml({snapshot: [message(1)] for snapshot in snapshot_names}))
    return path


def test_names_no_passing_test_asked_for_are_unused(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = SnapshotSession()
    session.record(SnapshotCheck(path, "kept", SnapshotState.MATCHED))
    session.finish_test(path, passed=True)
    assert [(u.names, u.whole_file) for u in find_unused(session)] == [(("stale",), False)]


def test_names_of_a_failed_test_are_not_judged(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "kept", "stale")
    session = SnapshotSession()
    session.finish_test(path, passed=False)
    assert find_unused(session) == []


def test_an_unclaimed_file_of_a_complete_folder_is_unused(tmp_path: Path) -> None:
    orphan = written(tmp_path, "test_gone", "default")
    session = SnapshotSession()
    session.claim(
        tmp_path / "test_a.snapshot.yaml", folder=tmp_path, complete=True, selected=True, shared=False
    )
    assert [(u.path, u.whole_file) for u in find_unused(session)] == [(orphan, True)]


def test_a_partly_selected_folder_is_not_searched_for_unclaimed_files(tmp_path: Path) -> None:
    written(tmp_path, "test_gone", "default")
    session = SnapshotSession()
    session.claim(
        tmp_path / "test_a.snapshot.yaml", folder=tmp_path, complete=True, selected=True, shared=False
    )
    session.claim(
        tmp_path / "test_b.snapshot.yaml", folder=tmp_path, complete=False, selected=False, shared=False
    )
    assert find_unused(session) == []


@pytest.mark.parametrize(("selected", "complete"), [(False, False), (True, False)], ids=["-k", "node id"])
def test_a_shared_file_is_not_judged_when_one_of_its_owners_may_not_have_run(
    tmp_path: Path, selected: bool, complete: bool
) -> None:
    shared = written(tmp_path, "shared", "name1", "name2")
    session = SnapshotSession()
    session.claim(shared, folder=tmp_path, complete=complete, selected=True, shared=True)
    session.claim(shared, folder=tmp_path, complete=complete, selected=selected, shared=True)
    session.record(SnapshotCheck(shared, "name1", SnapshotState.MATCHED))
    session.finish_test(shared, passed=True)
    assert find_unused(session) == []


def test_merged_workers_add_counts_and_need_every_owner_to_pass(tmp_path: Path) -> None:
    path = written(tmp_path, "test_a", "default")
    first, second, controller = SnapshotSession(), SnapshotSession(), SnapshotSession()
    first.record(SnapshotCheck(path, "default", SnapshotState.NEW, written=True))
    first.finish_test(path, passed=True)
    second.record(SnapshotCheck(path, "other", SnapshotState.CHANGED, failure="differs"))
    second.finish_test(path, passed=False)
    controller.merge(first.to_data())
    controller.merge(second.to_data())
    assert (controller.counts.checked, controller.counts.written, controller.counts.failed) == (2, 1, 1)
    assert controller.owners_passed == {str(path): False}


def test_node_ids_on_the_command_line_narrow_their_module(tmp_path: Path) -> None:
    args = ["tests/test_a.py::test_x", "tests/test_b.py"]
    assert narrowed_modules(args, tmp_path) == {(tmp_path / "tests/test_a.py").resolve()}


# --- convreplay diff ----------------------------------------------------------------------------------


def test_convreplay_diff_compares_two_snapshot_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.snapshot.yaml"
    new = tmp_path / "new.snapshot.yaml"
    old.write_text(snapshots_yaml({"default": [call(1)]}))
    new.write_text(snapshots_yaml({"default": [call(1, city="Lyon")]}))
    assert convreplay(["diff", str(old), str(new), "--no-color"]) == 1
    assert '~ arguments.city: "Paris" → "Lyon"' in capsys.readouterr().out


def test_with_renumbered_ids_one_inserted_message_fails_as_one_added_item(tmp_path: Path) -> None:
    conversation = [message(n) for n in range(10)]
    snapshot_file(tmp_path, update=True, renumber_ids=True).check(conversation, "default")
    inserted = [*conversation[:3], message(99), *conversation[3:]]
    check = snapshot_file(tmp_path, renumber_ids=True).check(inserted, "default")
    assert check.failure is not None
    assert "10 → 11 items: +1 −0 ↕0 ~0" in check.failure  # noqa: RUF001


def test_emoji_keep_a_multi_line_text_a_readable_block() -> None:
    written = "sunny 🌞\nsee you 👋 \U00020000"  # plane 1 emoji and a plane 2 ideograph
    text = snapshots_yaml({"default": [message(1, text=written)]})
    assert "sunny 🌞\n" in text
    assert "\\U" not in text
    assert parse_snapshots(text, Path("x"))["default"][0]["content"][0]["text"] == f"{written} 1"


def test_a_mismatch_message_never_prints_a_known_value_or_a_key_pattern(tmp_path: Path) -> None:
    declared, key = "declared-value-0123456789", "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789"
    snapshot_file(tmp_path, update=True).check([message(1)], "default")
    patterns = RedactionRules.default().patterns
    file = snapshot_file(tmp_path, secrets=(declared,), patterns=patterns)
    failure = file.check([message(1, text=f"{declared} and {key}")], "default").failure
    assert failure is not None
    assert "content[0].text" in failure
    assert declared not in failure
    assert key not in failure


def test_a_mask_naming_a_field_its_item_type_does_not_have_warns(tmp_path: Path) -> None:
    def options(*masks: str) -> SnapshotOptions:
        settings = Settings(cassette_path=tmp_path / "c.yaml", snapshot_path=tmp_path / "c.snapshot.yaml")
        return SnapshotOptions.from_settings(replace(settings, masks=parse_masks(masks)), test=TEST)

    with pytest.warns(
        MaskWarning, match=r"'reasoning.sumary': reasoning items have no field 'sumary' \(they have"
    ):
        options("reasoning.sumary")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        options("reasoning.summary", "*.anything", "brand_new_type.field")  # known, untyped, unknown type
