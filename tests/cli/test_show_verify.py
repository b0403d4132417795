"""`convreplay show` and `verify`: what a cassette holds, and whether it loads and paginates."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
import yaml
from support.tools import record

from pytest_convreplay.cli.main import main


def test_show_lists_conversations_pages_and_item_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    conversation_id = record(path, conversation_items=25, limit=10)
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 interactions (3 x 200)" in out
    assert f"{conversation_id}      3     25       yes" in out


def test_verify_passes_a_good_cassette_warns_of_inconsistent_ids_and_fails_a_broken_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    record(path)
    assert main(["verify", str(path)]) == 0

    document = yaml.safe_load(path.read_text())
    second_page = document["interactions"][1]["response"]["body"]
    body = json.loads(second_page["string"])
    body["first_id"] = "msg_not_the_first"
    second_page["string"] = json.dumps(body)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    capsys.readouterr()
    assert main(["verify", str(tmp_path)]) == 0  # harmless to replay of the exact requests
    out = capsys.readouterr().out
    assert "warning: " in out
    assert "page 2" in out
    assert "msg_not_the_first" in out

    second_page["string"] = "not a page"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {path}" in out
    assert "is not a list page" in out


def test_verify_fails_an_unloadable_file_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ninteractions: [\n")
    assert main(["verify", str(broken)]) == 1
    assert f"{broken}: invalid YAML" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["verify", "--max-age", "30 days", "."], "expected a duration like 3600, '12h', '30d' or '2w'"),
        (["verify", "empty"], "empty: no cassette (*.yaml, *.yml) below this folder"),
        (["show", "empty"], "empty: no cassette (*.yaml, *.yml) below this folder"),
        (["diff", "a.yaml", "test_x.snapshot.yaml"], "compare two cassettes or two snapshot files"),
    ],
    ids=["bad max-age", "verify empty folder", "show empty folder", "mixed diff"],
)
def test_cli_mistakes_exit_2_with_one_line_saying_what_is_wrong(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "test_x.snapshot.yaml").write_text("version: 1\nsnapshots: {}\n")
    (tmp_path / "a.yaml").write_text("version: 1\ninteractions: []\n")
    try:
        code = main(arguments)
    except SystemExit as usage_error:  # argparse rejects a bad option value itself
        code = usage_error.code
    error = capsys.readouterr().err
    assert code == 2
    assert message in error
    assert "Traceback" not in error


@pytest.mark.parametrize("command", [["show"], ["diff", "other.yaml"]])
def test_cli_reports_a_missing_cassette_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "missing.yaml"
    argv = [command[0], str(missing), *(str(tmp_path / name) for name in command[1:])]
    assert main(argv) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("package.json", '{"name": "x", "version": "1.0"}', "it has no 'interactions'"),
        ("settings.json", '{"name": "x"}', "it has no 'interactions' and no 'version'"),
        ("history.yaml", "version: 1\nsnapshots: {}\n", "this is a snapshot file (* *.snapshot.yaml)"),
        ("list.yaml", "- a\n- b\n", "the file holds a list, not a mapping"),
    ],
)
def test_a_file_that_is_no_cassette_is_said_to_be_none_and_what_a_cassette_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert main(["show", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert fnmatch.fnmatch(
        line,
        f"{path}: not a cassette: {said}*; a cassette is a mapping with 'version: 1' and 'interactions'*",
    ), line
    assert "version None" not in line
