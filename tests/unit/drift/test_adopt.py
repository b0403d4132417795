"""Adopting a drift run writes where its manifest says, so a manifest edited by anyone (a
downloaded CI artifact) may only replace YAML files inside the project by files of its folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.files import NO_SECRETS, snapshots_yaml
from support.snapshots import message

from pytest_convreplay.drift import DriftEntry, Scratch
from pytest_convreplay.drift.adopt import adopt
from pytest_convreplay.errors import ConvreplayError


@pytest.fixture
def scratch(tmp_path: Path) -> Scratch:
    scratch = Scratch(tmp_path / "drift", tmp_path / "project")
    (scratch.root / "cassettes").mkdir(parents=True)
    (scratch.root / "cassettes" / "t.snapshot.yaml").write_text(snapshots_yaml({"default": [message(1)]}))
    scratch.rootdir.mkdir()
    return scratch


@pytest.mark.parametrize(
    "target",
    ["../outside.snapshot.yaml", "/tmp/elsewhere.snapshot.yaml", "cassettes/t.snapshot.sh"],
    ids=["up-and-out", "absolute", "not-yaml"],
)
def test_a_manifest_cannot_aim_a_write_outside_the_project(scratch: Scratch, target: str) -> None:
    entry = DriftEntry("t.py::test_x", passed=True, snapshot=(target, "cassettes/t.snapshot.yaml"))
    with pytest.raises(ConvreplayError, match="refusing to adopt"):
        adopt(entry, scratch, NO_SECRETS)
    assert not (scratch.rootdir / target).exists()


def test_a_manifest_cannot_take_its_new_file_from_outside_its_folder(
    scratch: Scratch, tmp_path: Path
) -> None:
    (tmp_path / "planted.snapshot.yaml").write_text(snapshots_yaml({"default": [message(2)]}))
    entry = DriftEntry("t", passed=True, snapshot=("cassettes/t.snapshot.yaml", "../planted.snapshot.yaml"))
    with pytest.raises(ConvreplayError, match="refusing to adopt"):
        adopt(entry, scratch, NO_SECRETS)


def test_an_entry_inside_the_project_is_adopted(scratch: Scratch) -> None:
    entry = DriftEntry("t", passed=True, snapshot=("cassettes/t.snapshot.yaml", "cassettes/t.snapshot.yaml"))
    assert adopt(entry, scratch, NO_SECRETS) == [str(scratch.rootdir / "cassettes" / "t.snapshot.yaml")]
