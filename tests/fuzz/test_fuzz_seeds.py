"""Every fuzz target keeps its contract on its whole seed corpus, without atheris: the malformed
and real files, and every input a fuzz run once crashed on (``regression-*``), run on each ``pytest``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
TARGETS = sorted(path.stem for path in (FUZZ / "targets").glob("[!_]*.py"))
SEEDS = [(target, seed) for target in TARGETS for seed in sorted((FUZZ / "corpus" / target).iterdir())]


def target(name: str) -> ModuleType:
    sys.path.insert(0, str(FUZZ / "targets"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(FUZZ / "targets"))


def test_every_target_has_seeds() -> None:
    assert TARGETS == ["cassette_loader", "diff", "gate", "matching", "redaction", "snapshot_loader"]
    assert all(any(name == target for name, _ in SEEDS) for target in TARGETS)


@pytest.mark.parametrize(("name", "seed"), SEEDS, ids=[f"{name}/{seed.name}" for name, seed in SEEDS])
def test_the_target_keeps_its_contract_on_the_seed(name: str, seed: Path) -> None:
    target(name).check(seed.read_bytes())
