"""Tests in files outside the rootdir get folders of their own: two folders that each hold a
``test_sdk.py`` never share a cassette or a snapshot file, and nothing is written outside the
cassette folder."""

from __future__ import annotations

import pytest

from pytest_convreplay.storage.snapshots import read_snapshots

SDK_TEST = """
def test_history(conv_snapshot):
    conv_snapshot.assert_match(
        [{{"id": "msg_1", "type": "message", "role": "user", "status": "completed",
           "content": [{{"type": "input_text", "text": "{text}"}}]}}]
    )
"""


@pytest.fixture
def two_folders(pytester: pytest.Pytester) -> list[str]:
    """``project/pytest.ini`` is the rootdir; ``sdk_a`` and ``sdk_b`` beside it each hold a test_sdk.py."""
    (pytester.path / "project").mkdir()
    (pytester.path / "project" / "pytest.ini").write_text("[pytest]\n")
    for name in ("sdk_a", "sdk_b"):
        (pytester.path / name).mkdir()
        (pytester.path / name / "test_sdk.py").write_text(SDK_TEST.format(text=name))
    return ["-c", "project/pytest.ini", "--import-mode=importlib", "sdk_a/test_sdk.py", "sdk_b/test_sdk.py"]


def test_two_test_files_of_one_name_outside_the_rootdir_keep_separate_snapshots(
    pytester: pytest.Pytester, two_folders: list[str]
) -> None:
    pytester.runpytest(*two_folders, "--convreplay-update").assert_outcomes(passed=2)

    pytester.runpytest(*two_folders).assert_outcomes(passed=2)

    cassettes = pytester.path / "project" / "cassettes"
    for name in ("sdk_a", "sdk_b"):
        path = cassettes / "_up" / name / "test_sdk" / "test_history.snapshot.yaml"
        assert read_snapshots(path)["default"][0]["content"][0]["text"] == name


def test_files_outside_the_rootdir_are_written_inside_the_cassette_folder(
    pytester: pytest.Pytester, two_folders: list[str]
) -> None:
    pytester.runpytest(*two_folders, "--convreplay-update").assert_outcomes(passed=2)

    written = sorted(p.relative_to(pytester.path) for p in pytester.path.rglob("*.snapshot.yaml"))
    assert [str(p.parts[:2]) for p in written] == [str(("project", "cassettes"))] * 2
