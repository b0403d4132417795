"""The README's first hour, run as a newcomer would: its first command in a fresh copy of the
project (a new virtual environment, packages from the registry), then the walk-through from
nothing to a recorded and replayed test of their own. The commands and the test file are read
from the README, so the README cannot drift from what works."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest
from support.processes import ctrl_c_delivered

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
EMULATOR_PORT = "8321"


def block(name: str) -> str:
    """The fenced block after ``<!-- walkthrough: NAME -->`` in the README."""
    match = re.search(rf"<!-- walkthrough: {re.escape(name)} -->\n```\w*\n(.*?)```", README, re.DOTALL)
    assert match, f"the README has no walkthrough block {name!r}"
    return match.group(1)


def commands(name: str, port: str) -> str:
    """A block's shell lines (comments dropped), on a free port instead of the README's."""
    lines = [line for line in block(name).splitlines() if line.strip() and not line.startswith("#")]
    return "\n".join(line.replace(EMULATOR_PORT, port) for line in lines)


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def shell(
    script: str, cwd: Path, env: dict[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"$ {script}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    """A copy of the project set up by the README's first command; returns the copy, the
    environment and the command's output."""
    root = tmp_path_factory.mktemp("newcomer")
    clone = root / "pytest-convreplay"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, clone / name)
    shutil.copytree(
        PROJECT / "pytest_convreplay",
        clone / "pytest_convreplay",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "VIRTUAL_ENV", "PYTEST"))
    }
    env.pop("CI", None)
    output = shell(block("setup"), clone, env).stdout
    env["PATH"] = f"{clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    env["VIRTUAL_ENV"] = str(clone / ".venv")
    return clone, env, output


def test_the_first_command_installs_only_the_runtime_dependencies_and_runs_the_demo(
    newcomer: tuple[Path, dict[str, str], str],
) -> None:
    clone, env, output = newcomer
    assert "identical to the live listing: yes" in output
    assert "with httpx" in output  # the openai SDK is not needed for the demo
    assert "deleted item [3]" in output
    assert "appended one message" in output
    assert "convreplay demo --keep DIR" in output
    installed = shell("pip list --format=freeze", clone, env).stdout.lower()
    for test_only in ("openai", "hypothesis", "pytest-xdist"):
        assert test_only not in installed


def test_a_newcomer_records_and_replays_a_test_of_their_own_from_the_readme(
    newcomer: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    _, env, _ = newcomer
    project = tmp_path / "myproject"
    project.mkdir()
    shell(commands("install", ""), project, env)
    test_file = project / "tests" / "test_first_history.py"
    test_file.parent.mkdir()
    test_file.write_text(block("file tests/test_first_history.py"), encoding="utf-8")
    port = free_port()
    serve = subprocess.Popen(
        ["bash", "-c", f"exec {commands('serve', port)}"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_delivered,
    )
    try:
        assert serve.stdout is not None
        printed = "".join(serve.stdout.readline() for _ in range(3))
        expected = "\n".join(line.removeprefix("# ") for line in block("serve").splitlines()[1:4])
        assert printed.strip() == expected.replace(EMULATOR_PORT, port).strip()  # the README's ids are true
        recorded = shell(commands("record", port), project, env)
        assert "1 passed" in recorded.stdout
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=30)

    same_terminal = [line for line in commands("record", port).splitlines() if line.startswith("export ")]
    replayed = shell("\n".join([*same_terminal, commands("replay", port)]), project, env)

    assert "1 passed" in replayed.stdout
    assert "convreplay snapshots: 1 checked, 0 written, 0 updated, 0 failed, 0 unused" in replayed.stdout
    cassette = project / "cassettes" / "tests" / "test_first_history" / "test_first_history.yaml"
    assert cassette.exists()
    assert "sk-emulator" not in cassette.read_text()
    assert cassette.with_suffix(".snapshot.yaml").exists()
