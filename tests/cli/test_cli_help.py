"""Every subcommand's --help says what each of its arguments is."""

from __future__ import annotations

import argparse

import pytest

from pytest_convreplay.cli.main import _parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    (commands,) = (action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction))
    return dict(commands.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_argument_of_every_subcommand_has_a_help_text(command: str) -> None:
    undescribed = [
        action.option_strings[0] if action.option_strings else action.dest
        for action in _subcommands()[command]._actions
        if not action.help
    ]
    assert undescribed == [], f"convreplay {command} --help does not say what these are"


def test_review_help_describes_its_paths_and_answers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["review", "--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "paths pending snapshot files, or folders to find them in (default: cassettes)" in shown
    assert "--accept-all accept everything, without asking" in shown
    assert "--drift [DIR] review a drift run's folder instead of pending snapshots" in shown
