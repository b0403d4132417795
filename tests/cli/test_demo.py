"""`convreplay demo` is the README's first command: it must work with and without the openai SDK."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.processes import ctrl_c_delivered

from pytest_convreplay.cli.main import main


def test_demo_records_replays_offline_and_shows_the_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "with openai" in out
    assert "no secret in the cassette" in out
    assert "identical to the live listing: yes" in out
    assert "limit=7 order=desc answered from limit=10 asc pages, identical: yes" in out
    assert "+1 \u22121" in out  # one item added, one removed


def test_demo_keep_writes_into_a_new_folder_and_overwrites_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept"
    assert main(["demo", "--keep", str(kept)]) == 0
    assert sorted(path.name for path in kept.iterdir()) == [
        "conversation-rerecorded.yaml",
        "conversation.yaml",
    ]
    before = (kept / "conversation.yaml").read_bytes()
    capsys.readouterr()

    assert main(["demo", "--keep", str(kept)]) == 2
    assert main(["demo", "--keep", str(kept / "conversation.yaml")]) == 2

    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("give a new or empty folder (the demo overwrites nothing)")
    assert err[1].endswith("conversation.yaml: that is a file; give a folder (it is created)")
    assert (kept / "conversation.yaml").read_bytes() == before


def test_serve_runs_the_emulator_in_the_foreground_until_stopped() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "pytest_convreplay.cli", "serve", "--seed-mixed"],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_delivered,
    )
    try:
        assert server.stdout is not None
        lines = dict(server.stdout.readline().split(":", 1) for _ in range(3))
        base_url, api_key, conversation = (
            lines[key].strip() for key in ("base_url", "api_key", "conversation")
        )
        page = httpx.get(
            f"{base_url}/conversations/{conversation}/items", headers={"authorization": f"Bearer {api_key}"}
        )
        assert page.status_code == 200
        assert page.json()["object"] == "list"
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0
