"""`convreplay scan` and `redact` on cassettes the plugin recorded, with the project's own rules."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

from pytest_convreplay.cli.main import main


def write_vcrpy_cassette(path: Path, response_text: str, gzip_body: bool = False) -> None:
    body: str | bytes = gzip.compress(response_text.encode()) if gzip_body else response_text
    interaction = {
        "request": {"method": "GET", "uri": "https://api.openai.com/v1/x", "body": None, "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-encoding": ["gzip"]} if gzip_body else {},
            "body": {"string": body},
        },
    }
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [interaction]}), encoding="utf-8")


def test_scan_finds_a_planted_key_and_passes_a_clean_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    clean = tmp_path / "clean" / "ok.yaml"
    write_vcrpy_cassette(clean, json.dumps({"data": [{"text": "hello"}]}))
    assert main(["scan", str(clean.parent)]) == 0

    planted = tmp_path / "dirty" / "leak.yaml"
    write_vcrpy_cassette(planted, json.dumps({"data": [{"text": "key sk-proj-Abc123Def456Ghi789Jkl012Mno"}]}))
    assert main(["scan", str(planted.parent)]) == 1
    out = capsys.readouterr().out
    assert f"{planted}:" in out
    assert "sk-proj-Abc123Def456Ghi789Jkl012Mno" not in out


def test_scan_finds_the_environment_key_inside_a_gzip_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "live-key-without-a-known-prefix-123456")
    planted = tmp_path / "cassettes" / "zipped.yaml"
    write_vcrpy_cassette(planted, "echo live-key-without-a-known-prefix-123456", gzip_body=True)
    assert main(["scan", str(planted)]) == 1


def test_redact_cleans_an_existing_cassette_in_place(tmp_path: Path) -> None:
    planted = tmp_path / "old.yaml"
    write_vcrpy_cassette(planted, json.dumps({"note": "sk-proj-Abc123Def456Ghi789Jkl012Mno"}))
    assert main(["redact", str(planted)]) == 0
    assert "sk-proj-" not in planted.read_text()
    assert main(["scan", str(planted)]) == 0


def test_redact_reports_the_places_it_redacted_not_the_length_that_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = tmp_path / "old.yaml"
    text = json.dumps({"note": "sk-proj-Abc123Def456Ghi789Jkl012Mno"})
    write_vcrpy_cassette(planted, text)
    data = yaml.safe_load(planted.read_text())
    data["interactions"][0]["response"]["headers"]["Content-Length"] = [str(len(text))]
    planted.write_text(yaml.safe_dump(data))
    assert main(["redact", str(planted)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{planted}: interaction 0 response body note"]


@pytest.mark.parametrize(
    ("file", "content"),
    [
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\nconvreplay_redact_patterns = ["ticket=TCK-[0-9]{6}"]\n'
            'convreplay_secrets = ["hunter2hunter2"]\n',
        ),
        (
            "pytest.ini",
            "[pytest]\nconvreplay_redact_patterns =\n    ticket=TCK-[0-9]{6}\n"
            "convreplay_secrets = hunter2hunter2\n",
        ),
    ],
)
def test_scan_and_redact_use_the_project_s_own_rules_and_secrets(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: str,
    content: str,
) -> None:
    (tmp_path / file).write_text(content)
    cassette_path = tmp_path / "cassettes" / "c.yaml"
    write_vcrpy_cassette(cassette_path, json.dumps({"ticket": "TCK-123456", "note": "hunter2hunter2"}))
    monkeypatch.chdir(tmp_path / "cassettes")  # the project's configuration is found from below too
    assert main(["scan", "."]) == 1
    out = capsys.readouterr().out
    assert "secret pattern 'ticket'" in out
    assert "value of a declared secret" in out
    assert main(["redact", "."]) == 2  # the declared value has no rule to remove it: nothing is written
    assert "TCK-123456" in cassette_path.read_text()
