"""One test's snapshot file and the assertion, without pytest in the loop."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import pytest
from support.snapshots import TEST, call, message, snapshot_file

from pytest_convreplay.config.settings import Settings
from pytest_convreplay.errors import MaskWarning, SecretLeakError, SnapshotError, SnapshotMismatch
from pytest_convreplay.rules.masks import parse_masks
from pytest_convreplay.rules.redaction import RedactionRules
from pytest_convreplay.snapshot.assertion import SnapshotAssertion
from pytest_convreplay.snapshot.check import SnapshotCheck, SnapshotState
from pytest_convreplay.snapshot.options import SnapshotOptions
from pytest_convreplay.storage.snapshots import (
    read_snapshots,
)


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
