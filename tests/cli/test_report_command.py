"""``convreplay report``: two folders (or files) compared file by file into one HTML report."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.files import snapshots_yaml
from support.snapshots import call, message

from pytest_convreplay.cli.main import main as convreplay


def folder(root: Path, city: str, extra: bool) -> Path:
    (root / "mod").mkdir(parents=True)
    items = [message(1), call(2, city), *([message(3)] if extra else [])]
    (root / "mod" / "test_x.snapshot.yaml").write_text(snapshots_yaml({"default": items}))
    return root


def test_two_folders_become_one_report_and_exit_1_when_they_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old, new = folder(tmp_path / "old", "Paris", False), folder(tmp_path / "new", "Lyon", True)

    status = convreplay(["report", str(old), str(new), "-o", "out.html"])

    assert status == 1
    assert "convreplay report: out.html (1 compared, 1 with differences)" in capsys.readouterr().out
    html = (tmp_path / "out.html").read_text()
    assert "mod/test_x.snapshot.yaml" in html
    assert 'title="arguments.city"' in html


def test_equal_folders_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old, new = folder(tmp_path / "old", "Paris", False), folder(tmp_path / "new", "Paris", False)
    assert convreplay(["report", str(old), str(new)]) == 0
    assert (tmp_path / "report.html").exists()


def test_one_side_only_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert convreplay(["report", str(tmp_path)]) == 2
    assert "give two folders or files" in capsys.readouterr().err


def test_a_folder_with_no_drift_run_says_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert convreplay(["report", "--drift", str(tmp_path)]) == 2
    assert "no drift run here; run pytest --convreplay-drift first" in capsys.readouterr().err
