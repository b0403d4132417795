"""The sdist builds with the oldest setuptools the build requirements allow, and the project's own
tests pass from it: it ships the tests, their helpers and the cassettes they replay."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
import venv
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, built without isolation by the lowest setuptools ``build-system.requires`` allows."""
    work = tmp_path_factory.mktemp("sdist")
    (requirement,) = tomllib.loads((PROJECT / "pyproject.toml").read_text())["build-system"]["requires"]
    lowest = re.fullmatch(r"setuptools>=([\d.]+)", requirement)
    assert lowest, f"expected a setuptools lower bound, got {requirement!r}"
    venv.create(work / "venv", with_pip=True)
    python = str(work / "venv" / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"setuptools~={lowest.group(1)}.0"],
        check=True,
        timeout=600,
    )
    built = subprocess.run(
        [python, "-c", f"from setuptools import build_meta; print(build_meta.build_sdist({str(work)!r}))"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return work / built.stdout.strip().splitlines()[-1]


def test_the_sdist_ships_the_tests_and_the_cassettes_they_replay(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "tests/conftest.py" in names
    assert "tests/support/files.py" in names
    assert any(name.startswith("cassettes/tests/examples/") for name in names)
    assert {".ci/run", "README.md", "pyproject.toml"} <= names
    assert not any("__pycache__" in name for name in names)


def test_the_example_tests_pass_from_the_unpacked_sdist(sdist: Path, tmp_path: Path) -> None:
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (root,) = tmp_path.iterdir()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/examples"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
