"""The adversarial corpus: no secret reaches the disk (decoded and normalized, file names included)
or the output, whatever a loopback server answers or a test id holds (cases in support.attacks)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from string import Template

import pytest
from support.attacks import CASES, Case
from support.corpus import AttackServer, leaks

from pytest_convreplay.cli import main


def _cassettes(root: Path) -> list[Path]:
    return list((root / "cassettes").rglob("*.yaml")) if (root / "cassettes").exists() else []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_secret_reaches_the_disk_or_the_output(
    case: Case, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    for relative, text in case.files.items():
        target = pytester.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if case.ini:
        pytester.makepyprojecttoml("[tool.pytest.ini_options]\n" + "\n".join(case.ini) + "\n")
    outputs: list[str] = []
    outcomes: list[dict[str, int]] = []
    with AttackServer(case.answers) as server:
        if case.source:
            pytester.makepyfile(test_attack=Template(case.source).substitute(url=server.url))

        def run(*args: str) -> None:
            result = pytester.runpytest(*args)
            outputs.append(result.stdout.str() + result.stderr.str())
            outcomes.append(result.parseoutcomes())

        for args in case.runs:
            run(*args)
        for command in case.cli:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                main(list(command))
            outputs.append(printed.getvalue())
        if case.replay_after:
            run()
    inputs = [] if case.replay_after else list(case.files)  # a file redact rewrote is checked
    assert leaks(case.secrets, pytester.path, "\n".join(outputs), inputs=inputs) == []
    for expected in case.output_has:
        assert expected in "\n".join(outputs)
    if case.replay_after:  # before and after the upgrade, the old cassette replays
        assert all(outcome.get("passed") and not outcome.get("failed") for outcome in outcomes)
    if case.outcome == "recorded":
        assert outcomes[-1].get("passed")
        assert not outcomes[-1].get("errors")
        assert not outcomes[-1].get("failed")
        assert _cassettes(pytester.path)
    elif case.outcome == "refused":
        assert "refusing to write" in outputs[-1]
        assert not _cassettes(pytester.path)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
