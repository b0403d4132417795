"""`convreplay scan` and `redact` read the project's configuration exactly as pytest does: the same
file wins, section-less files count, and -o overrides apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_convreplay.cli import main

SECRET = "correct-horse-battery-staple-42"


def scan_finds_the_secret(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> bool:
    """Whether ``convreplay scan`` run in ``folder`` knows SECRET, which only configuration declares."""
    (folder / "leak.yaml").write_text(f"note: {SECRET}\n")
    monkeypatch.chdir(folder)
    code = main(["scan", "leak.yaml"])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return code == 1


def declares(file: Path, text: str) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    return file


PYPROJECT = f'[tool.pytest.ini_options]\nconvreplay_secrets = ["{SECRET}"]\n'


def test_the_project_s_pyproject_secrets_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pyproject.toml", PYPROJECT)
    assert scan_finds_the_secret(tmp_path, monkeypatch, capsys)


def test_a_section_less_pytest_ini_in_a_subfolder_is_the_configuration_as_for_pytest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pyproject.toml", PYPROJECT)
    declares(tmp_path / "sub" / "pytest.ini", "")  # pytest stops here: the parent's options do not apply
    assert not scan_finds_the_secret(tmp_path / "sub", monkeypatch, capsys)


def test_pytest_ini_beats_pyproject_in_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pyproject.toml", PYPROJECT)
    declares(tmp_path / "pytest.ini", "[pytest]\n")
    assert not scan_finds_the_secret(tmp_path, monkeypatch, capsys)


def test_a_pyproject_without_a_pytest_table_is_passed_over_for_setup_cfg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    declares(tmp_path / "setup.cfg", f"[tool:pytest]\nconvreplay_secrets = {SECRET}\n")
    assert scan_finds_the_secret(tmp_path, monkeypatch, capsys)


def test_an_override_in_pytest_addopts_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pytest.ini", "[pytest]\n")
    monkeypatch.setenv("PYTEST_ADDOPTS", f"-o convreplay_secrets={SECRET}")
    assert scan_finds_the_secret(tmp_path, monkeypatch, capsys)


@pytest.mark.skipif(pytest.version_tuple < (9,), reason="pytest.toml is read from pytest 9 on")
def test_pytest_toml_beats_pytest_ini(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pytest.ini", "[pytest]\n")
    declares(tmp_path / "pytest.toml", f'[pytest]\nconvreplay_secrets = ["{SECRET}"]\n')
    assert scan_finds_the_secret(tmp_path, monkeypatch, capsys)


def test_a_bad_value_in_the_configuration_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(
        tmp_path / "pyproject.toml", '[tool.pytest.ini_options]\nconvreplay_redact_headers = ["bad header"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "."]) == 2
    err = capsys.readouterr().err
    assert (
        "[tool.pytest.ini_options] convreplay_redact_headers in pyproject.toml: header rule 'bad header'"
        in err
    )
    assert "Traceback" not in err


def test_the_project_s_conftest_is_not_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The machine running ``convreplay`` may lack the test dependencies a conftest.py imports."""
    declares(tmp_path / "pyproject.toml", PYPROJECT)
    declares(tmp_path / "conftest.py", "import a_test_dependency_not_installed\n")
    declares(tmp_path / "tests" / "conftest.py", "raise SystemExit('imported')\n")
    assert scan_finds_the_secret(tmp_path, monkeypatch, capsys)


def test_a_plugin_that_fails_to_load_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    declares(tmp_path / "pyproject.toml", PYPROJECT)
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p a_plugin_not_installed")
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "."]) == 2
    err = capsys.readouterr().err
    assert "the project's pytest configuration cannot be read" in err
    assert "a_plugin_not_installed" in err
    assert "Traceback" not in err
