"""`convreplay diff` reads cassettes through the project's parsed cache (pytest's cache folder),
found by content: it fills it, reads it back, and an edited cassette is never served stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.files import cassette_yaml
from support.pages import conversation, walk

from pytest_convreplay.cli.main import main

ENTRIES = Path(".pytest_cache", "d", "convreplay-parsed")


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """A project whose tests pytest has run (so it keeps a cache), with two recordings of a
    conversation that lost its item 4 in between; the working folder is the project's."""
    pytester.makefile(".ini", pytest="[pytest]\n")
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert (pytester.path / ".pytest_cache" / ".gitignore").is_file()
    items = conversation(30)
    cassettes = pytester.path / "cassettes"
    cassettes.mkdir()
    (cassettes / "old.yaml").write_text(cassette_yaml(walk(items, limit=10, order="asc")))
    (cassettes / "new.yaml").write_text(cassette_yaml(walk(items[:4] + items[5:], limit=10, order="asc")))
    return pytester.path


def entries(project: Path) -> dict[str, tuple[int, int]]:
    """Each entry of the parsed cache with its inode and modification time: an entry written
    again (atomically, so under a new inode) shows as changed."""
    folder = project / ENTRIES
    return {entry.name: (entry.stat().st_ino, entry.stat().st_mtime_ns) for entry in folder.iterdir()}


def diff(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["diff", "cassettes/old.yaml", "cassettes/new.yaml", "--no-color"])
    return code, capsys.readouterr().out


def test_diff_fills_the_project_s_cache_then_reads_it_instead_of_parsing_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = diff(capsys)
    assert first[0] == 1
    assert "- rs_0004" in first[1]
    filled = entries(project)
    assert len(filled) == 2  # one per cassette, in pytest's cache and nowhere else
    assert diff(capsys) == first
    assert entries(project) == filled  # both read back: neither was parsed and stored again


def test_an_edited_cassette_is_parsed_anew_and_its_change_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diff(capsys)
    filled = entries(project)
    new = project / "cassettes" / "new.yaml"
    new.write_text(new.read_text().replace("turn 7", "turn seven"))
    os.utime(new, ns=(0, 0))  # whatever the file times say: the key is the content
    code, out = diff(capsys)
    assert code == 1
    assert '~ content[0].text: "turn 7" → "turn seven"' in out
    assert len(entries(project)) == 3
    assert filled.items() <= entries(project).items()


def test_a_cache_the_project_s_configuration_moves_or_turns_off_is_left_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:cacheprovider")
    assert diff(capsys)[0] == 1
    monkeypatch.delenv("PYTEST_ADDOPTS")
    (project / "pytest.ini").write_text("[pytest]\ncache_dir = elsewhere\n")
    assert diff(capsys)[0] == 1
    (project / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    assert diff(capsys)[0] == 1
    assert not (project / ENTRIES).exists()
    assert not (project / "elsewhere").exists()


def test_without_a_pytest_cache_none_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    cassette = tmp_path / "cassettes" / "old.yaml"
    cassette.parent.mkdir()
    cassette.write_text(cassette_yaml(walk(conversation(3), order="asc")))
    (tmp_path / "cassettes" / "new.yaml").write_text(cassette.read_text())
    assert diff(capsys) == (0, "no differences\n")
    assert not (tmp_path / ".pytest_cache").exists()


def test_an_unwritable_cache_only_means_no_cache(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".pytest_cache" / "d").write_text("a file where pytest keeps folders")
    code, out = diff(capsys)
    assert code == 1
    assert "- rs_0004" in out


def test_the_cache_is_no_file_any_command_lists(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diff(capsys)
    assert main(["verify", "."]) == 0
    listed = [line.split()[-1] for line in capsys.readouterr().out.splitlines() if line.startswith("ok")]
    assert listed == ["cassettes/new.yaml", "cassettes/old.yaml"]
    assert main(["scan", "."]) == 0


def test_a_deleted_working_folder_only_means_no_cache(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path_factory.mktemp("gone")
    cassettes = project / "cassettes"
    os.chdir(gone)
    gone.rmdir()
    try:
        code = main(["diff", str(cassettes / "old.yaml"), str(cassettes / "new.yaml"), "--no-color"])
    finally:
        os.chdir(project)
    assert code == 1
    assert "- rs_0004" in capsys.readouterr().out
