"""``--convreplay-report=PATH`` in an ordinary run: the snapshots that did not match, in one HTML
file, also when xdist workers took them."""

from __future__ import annotations

import pytest
from support.suites import snapshot_suite


@pytest.fixture(autouse=True)
def _committed(pytester: pytest.Pytester) -> None:
    snapshot_suite(pytester, a="a", b="b")
    pytester.runpytest("--convreplay-update").assert_outcomes(passed=2)
    snapshot_suite(pytester, a="changed", b="b")


@pytest.mark.parametrize("workers", [(), ("-p", "xdist", "-n", "2")], ids=["one-process", "xdist"])
def test_the_report_holds_the_snapshots_that_did_not_match(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    result = pytester.runpytest_subprocess("--convreplay-report=out/report.html", *workers)

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["convreplay report: *out/report.html"])
    html = (pytester.path / "out" / "report.html").read_text()
    assert "test_plain.py::test_a" in html
    assert "test_plain.py::test_b" not in html  # it matched
    assert 'title="content[0].text"' in html
    assert "changed" in html


def test_a_report_path_is_written_only_when_asked(pytester: pytest.Pytester) -> None:
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    assert list(pytester.path.rglob("*.html")) == []
