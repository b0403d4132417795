"""One exit-code rule for every command (0 clean, 1 findings or differences, 2 bad usage or
unreadable input, documented in --help), a count of the files read, progress on a terminal, and
globs that take in snapshot files."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support.files import snapshots_yaml
from support.snapshots import message

from pytest_convreplay.cli.main import main
from pytest_convreplay.cli.progress import Progress

COMMANDS = [["show"], ["verify"], ["scan"], ["redact"], ["diff", "missing-too.yaml"]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("OPENAI_API_KEY", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "cassettes" / "test_x"
    folder.mkdir(parents=True)
    (folder / "test_a.yaml").write_text("version: 1\ninteractions: []\n")
    (folder / "test_a.snapshot.yaml").write_text(snapshots_yaml({"default": [message(1)], "other": []}))
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_missing_path_exits_2_for_every_command(
    project: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main([command[0], "missing.yaml", *command[1:]]) == 2
    assert "missing.yaml: no such file or directory" in capsys.readouterr().err


def test_help_documents_the_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_convreplay.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "0  clean" in result.stdout
    assert "1  findings or differences" in result.stdout
    assert "2  bad usage or unreadable input" in result.stdout


@pytest.mark.parametrize("command", ["show", "verify"])
def test_a_glob_that_takes_in_snapshot_files_goes_through_all_of_them(
    project: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    files = sorted(str(path) for path in project.glob("*.yaml"))  # what `cassettes/test_x/*.yaml` gives

    assert main([command, *files]) == 0

    out, err = capsys.readouterr()
    assert all(file in out for file in files)
    assert f"convreplay {command}: 2 files read" in err


def test_show_summarizes_a_snapshot_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(project / "test_a.snapshot.yaml")]) == 0
    assert "snapshot file: 2 snapshots\n    default: 1 items\n    other: 0 items" in capsys.readouterr().out


def test_scan_of_a_folder_with_nothing_to_scan_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["scan", str(tmp_path / "empty")]) == 2
    assert "no file to scan" in capsys.readouterr().err


def test_scan_reports_a_key_two_patterns_match_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2
    (project / "leak.yaml").write_text(f"version: 1\ninteractions: []\nnote: 'Bearer {key}'\n")

    assert main(["scan", str(project)]) == 1

    out, err = capsys.readouterr()
    assert len([line for line in out.splitlines() if "leak.yaml:3" in line]) == 1
    assert "convreplay scan: 3 files read, 1 finding" in err


def test_progress_rewrites_one_status_line_on_a_terminal_and_prints_nothing_on_a_pipe() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress("redact", stream)
        progress.files([Path("a.yaml")])
        progress.start(Path("a.yaml"))
        progress.step(2, 4)
        progress.finish("0 changes")
    assert "\r\x1b[K" in terminal.getvalue()
    assert "[1/1] a.yaml 2/4 interactions" in terminal.getvalue()
    assert pipe.getvalue() == "convreplay redact: 1 file read, 0 changes\n"


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"the emulator cannot listen on 127.0.0.1:{port}: Address already in use; "
        "pick another --port (0 picks a free one) or --host"
    ]


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_what_is_not_a_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", port])
    assert exit_.value.code == 2
    assert "is not a port number (0 to 65535" in capsys.readouterr().err
