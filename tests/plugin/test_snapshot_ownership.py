"""Unused snapshots are judged only where every test that may own a file was collected and ran:
no way of narrowing a run (``--lf``, ``--sw``, ``--deselect``, ``-m``, ``-k``, node ids, a conftest
that drops tests, pytest-split, xdist) and no ``snapshot_file`` a fixture decides costs a passed
test its snapshots."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support.files import snapshots_yaml

from pytest_convreplay.storage.snapshots import read_snapshots, snapshot_header

SUITE = """
    import os
    import pytest


    def items(text):
        return [{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                 "content": [{"type": "input_text", "text": text}]}]


    def test_a(conv_snapshot):
        conv_snapshot.assert_match(items("a"))


    @pytest.mark.slow
    def test_b(conv_snapshot):
        conv_snapshot.assert_match(items("b"))
        assert not os.environ.get("FAIL_B"), "test_b fails on request"


    def test_c(conv_snapshot):
        conv_snapshot.assert_match(items("c"))
"""
TESTS = ("test_a", "test_b", "test_c")
SLOW_MARKER = "[pytest]\nmarkers =\n    slow: a slow test\n"


def folder(pytester: pytest.Pytester) -> Path:
    return pytester.path / "cassettes" / "test_plain"


def files(pytester: pytest.Pytester) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder(pytester).glob("*.snapshot.yaml"))}


@pytest.fixture
def recorded(pytester: pytest.Pytester) -> dict[str, str]:
    """The three tests' snapshots written, plus the file of a test that no longer exists; returns
    every file's text as written."""
    pytester.makeini(SLOW_MARKER)
    pytester.makepyfile(test_plain=textwrap.dedent(SUITE))
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=3)
    gone = folder(pytester) / "test_gone.snapshot.yaml"
    gone.write_text(
        snapshots_yaml(
            read_snapshots(folder(pytester) / "test_a.snapshot.yaml"),
            header=snapshot_header("test_plain.py::test_gone"),
        )
    )
    return files(pytester)


def fail_test_b_once(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    """A run in which test_b fails, so --lf and --sw have a failure to start from."""
    monkeypatch.setenv("FAIL_B", "1")
    assert pytester.runpytest(*args).ret in (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.INTERRUPTED)
    monkeypatch.delenv("FAIL_B")


NARROWED = {
    "-k": ["-k", "test_a"],
    "-m": ["-m", "not slow"],
    "--deselect": ["--deselect", "test_plain.py::test_b"],
    "node id": ["test_plain.py::test_a"],
    "pytest-split": ["--splits", "2", "--group", "1"],
    "xdist -k": ["-n", "2", "-k", "test_a or test_c"],
}


@pytest.mark.parametrize("selection", NARROWED.values(), ids=NARROWED.keys())
def test_a_narrowed_run_deletes_no_snapshot_of_a_test_it_did_not_run(
    pytester: pytest.Pytester, recorded: dict[str, str], selection: list[str]
) -> None:
    result = pytester.runpytest(*selection, "--convreplay-delete-unused")

    assert result.ret == 0
    assert files(pytester) == recorded


def test_last_failed_deletes_none_of_the_tests_it_filtered_out(
    pytester: pytest.Pytester, recorded: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--lf drops a module's passed tests while collecting it, without deselecting them."""
    fail_test_b_once(pytester, monkeypatch)

    result = pytester.runpytest("--lf", "--convreplay-delete-unused")

    result.assert_outcomes(passed=1)
    assert files(pytester) == recorded
    assert "convreplay snapshots: 1 checked, 0 written, 0 updated, 0 failed, 0 unused" in result.outlines


def test_last_failed_under_xdist_deletes_nothing_either(
    pytester: pytest.Pytester, recorded: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_test_b_once(pytester, monkeypatch)

    pytester.runpytest("-n", "2", "--lf", "--convreplay-delete-unused").assert_outcomes(passed=1)

    assert files(pytester) == recorded


def test_stepwise_deletes_none_of_the_tests_it_skipped(
    pytester: pytest.Pytester, recorded: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_test_b_once(pytester, monkeypatch, "--sw")

    result = pytester.runpytest("--sw", "--convreplay-delete-unused")

    result.assert_outcomes(passed=2, deselected=1)
    assert files(pytester) == recorded


def test_a_conftest_that_drops_tests_without_deselecting_them_deletes_nothing(
    pytester: pytest.Pytester, recorded: dict[str, str]
) -> None:
    pytester.makeconftest(
        """
        def pytest_collection_modifyitems(items):
            items[:] = [item for item in items if item.name != "test_b"]
        """
    )

    pytester.runpytest("--convreplay-delete-unused").assert_outcomes(passed=2)

    assert files(pytester) == recorded


def test_a_node_id_into_one_class_leaves_the_file_s_other_classes_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_classes="""
        def items(text):
            return [{"id": "msg_1", "type": "message", "role": "user", "content": []}]

        class TestOne:
            def test_x(self, conv_snapshot):
                conv_snapshot.assert_match(items("one"))

        class TestTwo:
            def test_x(self, conv_snapshot):
                conv_snapshot.assert_match(items("two"))
        """
    )
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    written = sorted((pytester.path / "cassettes" / "test_classes").iterdir())

    pytester.runpytest("test_classes.py::TestOne", "--convreplay-delete-unused").assert_outcomes(passed=1)

    assert sorted((pytester.path / "cassettes" / "test_classes").iterdir()) == written


def test_a_full_green_run_still_deletes_the_file_of_a_test_that_is_gone(
    pytester: pytest.Pytester, recorded: dict[str, str]
) -> None:
    result = pytester.runpytest("--convreplay-delete-unused")

    result.assert_outcomes(passed=3)
    assert sorted(files(pytester)) == [f"{test}.snapshot.yaml" for test in TESTS]


# --- a snapshot_file decided by a convreplay_config fixture -------------------------------------------

SHARED_BY_FIXTURE = """
    import pytest


    @pytest.fixture
    def convreplay_config():
        return {"snapshot_file": "shared"}


    def items(text):
        return [{"id": "msg_1", "type": "message", "role": "user", "content": []}]


    def test_a(conv_snapshot):
        conv_snapshot["a"].assert_match(items("a"))


    def test_b(conv_snapshot):
        conv_snapshot["b"].assert_match(items("b"))
"""


@pytest.fixture
def shared(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(test_fixture_file=textwrap.dedent(SHARED_BY_FIXTURE))
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    path = pytester.path / "cassettes" / "test_fixture_file" / "shared.snapshot.yaml"
    assert sorted(read_snapshots(path)) == ["a", "b"]
    return path


def test_a_fixture_s_snapshot_file_keeps_the_names_of_a_deselected_test(
    pytester: pytest.Pytester, shared: Path
) -> None:
    pytester.runpytest("-k", "test_a", "--convreplay-delete-unused").assert_outcomes(passed=1, deselected=1)

    assert sorted(read_snapshots(shared)) == ["a", "b"]


def test_a_fixture_s_snapshot_file_written_by_hand_is_not_judged_either(
    pytester: pytest.Pytester, shared: Path
) -> None:
    shared.write_text(snapshots_yaml(read_snapshots(shared)))  # no header naming who wrote it

    pytester.runpytest("-k", "test_a", "--convreplay-delete-unused").assert_outcomes(passed=1, deselected=1)

    assert sorted(read_snapshots(shared)) == ["a", "b"]


def test_a_full_run_judges_a_fixture_s_snapshot_file(pytester: pytest.Pytester, shared: Path) -> None:
    shared.write_text(snapshots_yaml({**read_snapshots(shared), "stale": read_snapshots(shared)["a"]}))

    result = pytester.runpytest("--convreplay-delete-unused")

    result.assert_outcomes(passed=2)
    assert sorted(read_snapshots(shared)) == ["a", "b"]


def test_the_header_of_a_shared_file_names_every_test_that_wrote_to_it(shared: Path) -> None:
    assert shared.read_text().startswith(
        "# pytest-convreplay snapshots of test_fixture_file.py::test_a\n"
        "# pytest-convreplay snapshots of test_fixture_file.py::test_b\n"
    )
