"""One naming rule: unsafe characters, secrets in test ids and long names, names legal today kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_convreplay.config.paths import (
    MAX_NAME_BYTES,
    NameSecrets,
    TestLocation,
    default_cassette_path,
    default_snapshot_path,
    file_name,
    hide_secrets_in_path,
)
from pytest_convreplay.rules.redaction import RedactionRules
from pytest_convreplay.storage.atomic import LOCK_SUFFIX, TEMP_SUFFIX

SECRETS = NameSecrets.of(["org-AttackOrgIdentifier0042"], [], RedactionRules.default().patterns)


@pytest.mark.parametrize("name", ["test_x", "TestA.test_b[1-gpt-4.1]", "test_y[" + "a" * 200 + "]"])
def test_names_that_are_legal_today_keep_their_form(name: str) -> None:
    assert file_name(name, ".yaml", SECRETS) == name + ".yaml"


def test_unsafe_characters_keep_the_existing_rule() -> None:
    assert (
        file_name("test_x[a/b]", ".yaml")
        == "test_x[a_b]-" + file_name("test_x[a/b]", ".yaml")[12:20] + ".yaml"
    )
    assert file_name("test_x[a/b]", ".yaml") != file_name("test_x[a:b]", ".yaml")


def test_a_secret_in_an_id_becomes_a_stable_hash_and_the_rest_stays_readable() -> None:
    name = file_name("test_x[org-AttackOrgIdentifier0042-gpt]", ".yaml", SECRETS)
    assert "AttackOrg" not in name
    assert name.startswith("test_x[redacted-")
    assert name.endswith("-gpt]-" + name[-13:-5] + ".yaml")
    assert name == file_name("test_x[org-AttackOrgIdentifier0042-gpt]", ".yaml", SECRETS)


def test_a_non_ascii_secret_is_hidden_in_the_escaped_form_pytest_gives_its_id() -> None:
    """Found by an attack on main: pytest shows ``pässwort`` in an id as ``p\\xe4sswort``, which the
    file name then showed as ``p_xe4sswort``."""
    secrets = NameSecrets.of(["pässwort-Geheimnis-4711"], [], ())
    name = file_name("test_id[p\\xe4sswort-Geheimnis-4711]", ".yaml", secrets)
    assert name.startswith("test_id[redacted-")
    assert "sswort" not in name


def test_a_pattern_secret_is_hidden_without_being_declared() -> None:
    assert "sk-proj" not in file_name("test_k[sk-proj-abcdefghijklmnopqrstuvwxyz0123]", ".yaml", SECRETS)


@pytest.mark.parametrize("suffix", [".yaml", ".snapshot.yaml"])
def test_long_names_are_cut_at_a_character_boundary_and_lock_and_temporary_names_fit(suffix: str) -> None:
    name = file_name("test_ja[" + "日本語のプロンプト" * 30 + "]", suffix)
    assert len(name.encode()) <= MAX_NAME_BYTES
    name.encode().decode()  # whole characters only
    assert len(f".{name}{LOCK_SUFFIX}".encode()) <= 255
    assert len(f".{name}.12345678{TEMP_SUFFIX}".encode()) <= 255
    assert name != file_name("test_ja[" + "日本語のプロンプト" * 31 + "]", suffix)


def test_the_write_path_hides_a_secret_learned_late(tmp_path: Path) -> None:
    path = tmp_path / "test_x[late-secret-value-123].snapshot.yaml"
    hidden = hide_secrets_in_path(path, lambda text: [(text.find("late"), text.find("late") + 22)])
    assert hidden.name.endswith(".snapshot.yaml")
    assert "late-secret" not in hidden.name


def test_the_default_cassette_path_uses_the_rule(tmp_path: Path) -> None:
    location = TestLocation(tmp_path, tmp_path / "test_m.py", "test_x[org-AttackOrgIdentifier0042]")
    assert "AttackOrg" not in str(default_cassette_path(location, "cassettes", SECRETS))


@pytest.mark.parametrize("default_path", [default_cassette_path, default_snapshot_path])
def test_a_non_ascii_secret_learned_while_the_test_ran_is_hidden_and_found_again(
    tmp_path: Path, default_path: Callable[[TestLocation, str], Path]
) -> None:
    """Found by an attack on main: a value the recording learned (a credential header the client
    sent) was not hidden in the name made of pytest's escapes of it (``p_xe4sswort``)."""
    from pytest_convreplay.gate.known import KnownSecrets

    location = TestLocation(tmp_path, tmp_path / "test_m.py", "test_id[p\\xe4sswort-Geheimnis-4711]")
    chosen = default_path(location, "cassettes")  # nothing known yet: p_xe4sswort-…
    learned = KnownSecrets.from_env({}, values=["pässwort-Geheimnis-4711"])
    written = hide_secrets_in_path(chosen, learned.spans)
    assert "sswort" not in written.name
    written.parent.mkdir(parents=True)
    written.touch()
    assert default_path(location, "cassettes") == written  # the next run replays from it
