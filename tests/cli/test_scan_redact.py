"""`convreplay scan` and `convreplay redact` over committed files: every form found, nothing printed."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
import yaml
from support.gate import API_KEY, OPAQUE, RULES, interaction, known

from pytest_convreplay.cli.scan import redact_files, scan_files
from pytest_convreplay.errors import CassetteError, ConfigError, SecretLeakError
from pytest_convreplay.gate.known import KnownSecrets
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.redact.interaction import redact_interaction


def cassette_text(*interactions: Interaction) -> str:
    return yaml.safe_dump({"version": 1, "interactions": list(interactions)}, sort_keys=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_scan_finds_a_planted_key_by_file_and_line(tmp_path: Path) -> None:
    clean = redact_interaction(interaction(), RULES)
    write(tmp_path / "clean" / "test_ok.yaml", cassette_text(clean))
    leaky = write(
        tmp_path / "leaky" / "test_leak.snapshot.yaml", f"items:\n- id: msg_1\n  text: hi {OPAQUE}\n"
    )
    findings = scan_files([tmp_path], known(), RULES.patterns)
    assert [str(finding) for finding in findings] == [f"{leaky}:3: value of MY_SERVICE_TOKEN"]


def test_scan_passes_a_clean_tree_and_ignores_other_files(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", cassette_text(redact_interaction(interaction(), RULES)))
    write(tmp_path / "notes.txt", API_KEY)
    write(tmp_path / ".hidden" / "b.yaml", API_KEY)
    assert scan_files([tmp_path], known(), RULES.patterns) == []


def test_scan_looks_inside_binary_bodies(tmp_path: Path) -> None:
    gz = gzip.compress(json.dumps({"data": [{"text": OPAQUE}]}).encode())
    stored = interaction(response_headers={"content-encoding": ["gzip"]}, body=gz)
    stored["request"]["headers"] = {}
    path = write(tmp_path / "vcr.yaml", yaml.safe_dump({"version": 1, "interactions": [stored]}))
    findings = scan_files([path], known())
    assert [str(f) for f in findings] == [
        f"{path}: value of MY_SERVICE_TOKEN in interaction 0 response body data[0].text"
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"arguments": "{\\"a\\": \\"x\\\\n' + API_KEY[:-2] + 'Zz"}',  # key after an escaped newline
        "<REDACTED:" + API_KEY[:-2] + "Zz>",  # shaped like a placeholder
    ],
    ids=["after-escape", "placeholder-lookalike"],
)
def test_scan_finds_a_key_after_a_json_escape_and_inside_a_placeholder_lookalike(
    tmp_path: Path, text: str
) -> None:
    path = write(tmp_path / "vcr.yaml", yaml.safe_dump({"version": 1, "interactions": [], "x": text}))
    findings = scan_files([path], KnownSecrets(), RULES.patterns)
    assert [f.what for f in findings] == ["text matching secret pattern 'openai-key'"]


def test_scan_of_a_missing_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        scan_files([tmp_path / "nope"], known())


def test_redact_files_rewrites_plain_vcrpy_cassettes_in_place(tmp_path: Path) -> None:
    body = gzip.compress(json.dumps({"data": [{"content": [{"text": f"k {API_KEY}"}]}]}).encode())
    leaky = interaction(
        response_headers={"set-cookie": ["__cf_bm=abc"], "content-encoding": ["gzip"]}, body=body
    )
    path = tmp_path / "cassette.yaml"
    path.write_text(
        yaml.safe_dump({"version": 1, "metadata": {"recorded_with": "x"}, "interactions": [leaky]})
    )
    os.chmod(path, 0o640)

    changes = redact_files([tmp_path], RULES, known())

    assert [str(change) for change in changes] == [
        f"{path}: interaction 0 response body decoded from gzip",
        f"{path}: interaction 0 request header authorization",
        f"{path}: interaction 0 response header set-cookie",
        f"{path}: interaction 0 response body data[0].content[0].text",
    ]
    saved = yaml.safe_load(path.read_text())
    assert saved["metadata"] == {"recorded_with": "x"}
    assert API_KEY not in path.read_text()
    assert (path.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cassette.yaml"]
    assert redact_files([tmp_path], RULES, known()) == []


def test_redact_files_writes_nothing_while_a_file_would_still_leak(tmp_path: Path) -> None:
    fixable = write(tmp_path / "a.yaml", cassette_text(interaction()))
    leaky = write(tmp_path / "b.yaml", cassette_text(interaction(response_headers={"x-debug": [OPAQUE]})))
    before = {path: path.read_text() for path in (fixable, leaky)}
    with pytest.raises(SecretLeakError) as error:
        redact_files([tmp_path], RULES, known())
    assert f"{leaky}: value of MY_SERVICE_TOKEN in interaction 0 response header x-debug" in str(error.value)
    assert OPAQUE not in str(error.value)
    assert {path: path.read_text() for path in before} == before


def test_redact_files_leaves_non_cassettes_alone_and_stops_on_broken_files(tmp_path: Path) -> None:
    snapshot = write(tmp_path / "a.snapshot.yaml", "items: []\n")
    assert redact_files([snapshot], RULES, known()) == []
    broken = write(tmp_path / "b.yaml", "interactions: [\n")
    with pytest.raises(CassetteError, match=r"b\.yaml: cannot be parsed"):
        redact_files([tmp_path], RULES, known())
    assert broken.read_text() == "interactions: [\n"


def test_redact_files_masks_a_secret_object_key_in_what_it_prints(tmp_path: Path) -> None:
    body = json.dumps({"metadata": {API_KEY: {"owner": "ci"}}})
    stored = interaction(body=body)
    stored["request"]["headers"] = {}
    path = write(tmp_path / "c.yaml", cassette_text(stored))
    changes = [str(change) for change in redact_files([path], RULES, KnownSecrets())]
    assert changes
    assert not any(API_KEY in change for change in changes)
    assert f'{path}: interaction 0 response body metadata["<key>"].owner' in changes
    assert API_KEY not in path.read_text()


def test_redact_files_handles_json_cassettes(tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", json.dumps({"version": 1, "interactions": [interaction()]}))
    changes = redact_files([path], RULES, known())
    assert [c.where for c in changes] == ["request header authorization"]
    assert json.loads(path.read_text())["interactions"][0]["request"]["headers"] == {
        "authorization": ["<REDACTED:authorization>"]
    }


def test_redact_files_refuses_a_yaml_bomb_like_replay_does(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    levels = [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb.write_text("\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]", *levels, "interactions: [*a8]"]))
    with pytest.raises(CassetteError, match=r"bomb\.yaml: cannot be parsed: .*alias"):
        redact_files([bomb], RULES, known())
