"""`convreplay show`, `verify`, `scan`, `redact` and `diff` on malformed and hostile files: never a
traceback; a problem is one line on stderr and exit 2 (``verify`` reports it as a FAIL, exit 1)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from support.hostile import CASSETTE_CORPUS, HOSTILE_CONTENT, SNAPSHOT_CORPUS

from pytest_convreplay.cli.main import main

FILES: dict[str, tuple[str, bytes]] = {
    **{f"cassette {name}": (".yaml", content) for name, (content, _) in CASSETTE_CORPUS.items()},
    **{f"snapshot {name}": (".snapshot.yaml", content) for name, content in SNAPSHOT_CORPUS.items()},
    **HOSTILE_CONTENT,
}
COMMANDS = [["show"], ["verify"], ["scan"], ["redact"], ["diff", "--json"]]


def run(command: list[str], path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    arguments = [*command, str(path), str(path)] if command[0] == "diff" else [*command, str(path)]
    code = main(arguments)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
@pytest.mark.parametrize(("suffix", "content"), FILES.values(), ids=FILES.keys())
def test_a_malformed_or_hostile_file_is_one_line_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], suffix: str, content: bytes
) -> None:
    path = tmp_path / f"test_history{suffix}"
    path.write_bytes(content)
    code, out, err = run(command, path, capsys)
    assert "Traceback" not in out + err
    assert code in (0, 1, 2)
    if code == 2:
        problem = [line for line in err.splitlines() if not line.startswith("convreplay: redaction rules")]
        assert len(problem) == 1
        assert str(path) in problem[0]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices")
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_link_to_a_device_is_refused_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "test_history.yaml"
    os.symlink("/dev/zero", path)
    code, out, err = run(command, path, capsys)
    assert code == (1 if command == ["verify"] else 2)
    assert "it is a character device, not a regular file" in out + err


def test_redact_names_the_file_and_interaction_of_a_malformed_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix, content = HOSTILE_CONTENT["JSON cassette with a header value a number"]
    path = tmp_path / f"vcrpy{suffix}"
    path.write_bytes(content)
    code, _, err = run(["redact"], path, capsys)
    assert code == 2
    assert f"{path}: interaction 0: response.headers must map names to lists of strings" in err
