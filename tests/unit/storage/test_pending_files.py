"""Pending snapshot files: named so that nothing reading committed files takes one for a committed
file (the CLI's cassette globs, the sdist), accepted and rejected name by name through the gate."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from support.files import NO_SECRETS
from support.snapshots import message

import pytest_convreplay
from pytest_convreplay.cli.main import main as convreplay
from pytest_convreplay.errors import SecretLeakError
from pytest_convreplay.gate import Gate, KnownSecrets
from pytest_convreplay.storage import pending
from pytest_convreplay.storage.snapshots import read_snapshots

ROOT = Path(pytest_convreplay.__file__).parents[1]


def test_a_pending_file_is_the_snapshot_file_s_name_plus_pending(tmp_path: Path) -> None:
    committed = tmp_path / "test_x.snapshot.yaml"
    path = pending.pending_path(committed)
    assert path.name == "test_x.snapshot.yaml.pending"
    assert pending.is_pending_file(path)
    assert not pending.is_pending_file(committed)
    assert pending.committed_path(path) == committed


def test_accepting_one_name_keeps_the_other_pending_and_the_committed_header(tmp_path: Path) -> None:
    committed = tmp_path / "test_x.snapshot.yaml"
    committed.write_text("# my header\nversion: 1\nsnapshots:\n  kept: []\n")
    for name in ("one", "two"):
        pending.propose(
            committed, name, [message(1, name)], NO_SECRETS, test="t.py::test_x", renumber_ids=False
        )

    pending.accept(pending.pending_path(committed), ["one"], NO_SECRETS)

    assert committed.read_text().startswith("# my header\n")
    assert list(read_snapshots(committed)) == ["kept", "one"]
    assert list(pending.read_pending(pending.pending_path(committed)).snapshots) == ["two"]
    pending.reject(pending.pending_path(committed), ["two"], NO_SECRETS)
    assert not pending.pending_path(committed).exists()


def test_a_pending_snapshot_holding_a_secret_is_never_written(tmp_path: Path) -> None:
    committed = tmp_path / "test_x.snapshot.yaml"
    known = KnownSecrets()
    known.add("sk-live-0123456789abcdefghij", "a declared secret")
    gate = Gate(known)
    with pytest.raises(SecretLeakError):
        pending.propose(
            committed,
            "default",
            [message(1, "sk-live-0123456789abcdefghij")],
            gate,
            test="t",
            renumber_ids=False,
        )
    assert not pending.pending_path(committed).exists()


def test_the_cli_s_cassette_globs_skip_pending_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = ROOT / "cassettes" / "tests" / "examples" / "test_example_replay"
    folder = tmp_path / "cassettes"
    shutil.copytree(example, folder)
    snapshot = next(folder.glob("*.snapshot.yaml"))
    pending.propose(snapshot, "default", [message(1)], NO_SECRETS, test="t", renumber_ids=False)

    assert convreplay(["verify", str(folder)]) == 0

    checked = [line for line in capsys.readouterr().out.splitlines() if line.startswith("ok")]
    assert len(checked) == 1
    assert not checked[0].endswith(".pending")


def test_the_sdist_leaves_pending_files_out(tmp_path: Path) -> None:
    """Even one lying among package data a glob ships (``templates/*``)."""
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    copy = tmp_path / "project"
    for name in filter(None, tracked):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    stray = [
        copy / "pytest_convreplay" / "report" / "templates" / "x.snapshot.yaml.pending",
        copy / "cassettes" / "tests" / "x.snapshot.yaml.pending",
    ]
    for path in stray:
        path.write_text("version: 1\nsnapshots: {}\n")
    build = "from setuptools import build_meta; print(build_meta.build_sdist('dist'))"
    name = (
        subprocess.run([sys.executable, "-c", build], cwd=copy, capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )

    with tarfile.open(copy / "dist" / name) as archive:
        names = archive.getnames()
    assert any(n.endswith("templates/report.html.j2") for n in names)  # the templates ship …
    assert [n for n in names if n.endswith(".pending")] == []  # … pending files never
