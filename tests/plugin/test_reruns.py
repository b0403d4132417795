"""A rerun (pytest-rerunfailures) is a new attempt of the same test: it asserts the same snapshot
names again, its outcome replaces the failed attempt's, and an update writes no duplicate name."""

from __future__ import annotations

import textwrap

import pytest

from pytest_convreplay.storage.snapshots import read_snapshots

FLAKY = """
    from pathlib import Path

    import pytest

    ATTEMPTS = Path("attempts")


    def items(text):
        return [{{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                  "content": [{{"type": "input_text", "text": text}}]}}]


    def attempt():
        ATTEMPTS.write_text(ATTEMPTS.read_text() + "x" if ATTEMPTS.exists() else "x")
        return len(ATTEMPTS.read_text())


    def test_flaky(conv_snapshot):
        first = attempt() == 1
        conv_snapshot.assert_match(items({first_items}))
        conv_snapshot["named"].assert_match(items("named"))
        assert not ({fail_after} and first), "flaky on the first attempt"
"""


def flaky_suite(pytester: pytest.Pytester, *, first_items: str, fail_after: bool) -> None:
    pytester.makepyfile(
        test_flaky=textwrap.dedent(FLAKY).format(first_items=first_items, fail_after=fail_after)
    )


def snapshot(pytester: pytest.Pytester) -> dict[str, list[dict[str, object]]]:
    return read_snapshots(pytester.path / "cassettes" / "test_flaky" / "test_flaky.snapshot.yaml")


def record(pytester: pytest.Pytester) -> None:
    flaky_suite(pytester, first_items='"stored"', fail_after=False)
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=1)
    (pytester.path / "attempts").unlink()


def test_a_rerun_asserts_the_same_snapshot_again_and_passes(pytester: pytest.Pytester) -> None:
    record(pytester)
    flaky_suite(pytester, first_items='"drifted" if first else "stored"', fail_after=False)

    result = pytester.runpytest("--reruns", "1")

    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    result.stdout.fnmatch_lines(["convreplay snapshots: 2 checked, 0 written, 0 updated, 0 failed, 0 unused"])


def test_a_rerun_that_fails_again_shows_the_real_diff(pytester: pytest.Pytester) -> None:
    record(pytester)
    flaky_suite(pytester, first_items='"drifted"', fail_after=False)

    result = pytester.runpytest("--reruns", "1")

    assert result.parseoutcomes() == {"failed": 1, "rerun": 1}
    assert "snapshot 'default' of test_flaky.py::test_flaky" in result.stdout.str()
    assert "default.2" not in result.stdout.str()


def test_an_update_with_reruns_writes_each_name_once(pytester: pytest.Pytester) -> None:
    flaky_suite(pytester, first_items='"stored"', fail_after=True)

    result = pytester.runpytest("--reruns", "1", "--convreplay-update")

    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    assert sorted(snapshot(pytester)) == ["default", "named"]
    result.stdout.fnmatch_lines(["convreplay snapshots: 2 checked, 2 written, 0 updated, 0 failed, 0 unused"])


def test_a_test_that_passed_on_its_rerun_has_its_unused_names_judged(pytester: pytest.Pytester) -> None:
    record(pytester)
    flaky_suite(pytester, first_items='"stored"', fail_after=True)

    result = pytester.runpytest("--reruns", "1", "--convreplay-delete-unused")

    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    assert sorted(snapshot(pytester)) == ["default", "named"]
