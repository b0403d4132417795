"""The HTML report opened in a real browser (Chromium through Playwright): what it shows is the
diff, its filters work, nothing leaves the page and no script error occurs. A screenshot is kept
in test-artifacts/. Locally a missing browser skips these tests; with CI set it fails them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import artifacts, launch, missing_browser

from pytest_convreplay.config.options import running_in_ci
from pytest_convreplay.diff import ItemChange, Verdict
from pytest_convreplay.gate import Gate, KnownSecrets
from pytest_convreplay.report.html import write_report
from pytest_convreplay.report.model import Comparison, ComparisonKind
from pytest_convreplay.rules.masks import DEFAULT_MASKS

IN_CI = running_in_ci()  # read at import: the suite's autouse fixture unsets CI for each test


def message(n: int, text: str, role: str = "user") -> dict[str, Any]:
    part = {"type": "input_text" if role == "user" else "output_text", "text": text}
    return {"id": f"msg_{n}", "type": "message", "role": role, "status": "completed", "content": [part]}


def call(n: int, city: str, created_at: int) -> dict[str, Any]:
    arguments = json.dumps({"city": city, "units": "metric"})
    return {"id": f"fc_{n}", "type": "function_call", "call_id": f"call_{n}", "name": "get_weather",
            "arguments": arguments, "status": "completed", "created_at": created_at}  # fmt: skip


LONG = "The forecast says " + "sunny and mild, " * 30
OLD = [
    message(1, "What is the weather?"),
    call(2, "Paris", 1),
    message(3, LONG, "assistant"),
    message(4, "Thanks"),
]
NEW = [
    message(1, "What is the weather?"),
    call(2, "Lyon", 2),  # arguments.city changed; created_at changed too, but it is masked
    message(4, "Thanks"),
    message(3, LONG + "!", "assistant"),  # moved and changed
    message(5, "And tomorrow?"),
]
COMPARISONS = [
    Comparison(
        "tests/test_weather.py::test_forecast",
        ComparisonKind.CONVERSATION,
        "conv_1",
        OLD,
        NEW,
        "cassettes/a.yaml",
        "drift/cassettes/a.yaml",
        masks=tuple(mask.selector for mask in DEFAULT_MASKS),
    ),
    Comparison(
        "tests/test_weather.py::test_greeting",
        ComparisonKind.SNAPSHOT,
        "default",
        [message(1, "Hello")],
        [message(1, "Hello there"), message(9, "<masked>")],
        "cassettes/b.yaml",
        premasked=True,
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing_browser()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI is set but the browser test cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    write_report(path, COMPARISONS, Gate(KnownSecrets()), title="drift report", source="a test run")
    return path


@pytest.fixture
def page(browser: Any, report: Path) -> Iterator[Any]:
    """The report opened from disk; every request and every console error is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
    )
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready=true]", state="attached")
    yield page
    context.close()


def visible_items(page: Any) -> list[str]:
    return page.eval_on_selector_all("article.item:not([hidden])", "els => els.map(e => e.id)")


def test_verdicts_items_and_field_paths_shown_are_the_diff(page: Any) -> None:
    for comparison in COMPARISONS:
        diff = comparison.diff
        section = page.locator("section.list", has_text=comparison.label)
        assert section.locator("h3 .header").inner_text() == _header(diff)
        changes = [entry for entry in diff.entries if isinstance(entry, ItemChange)]
        shown = section.locator("article.item")
        assert shown.count() == len(changes)
        for index, change in enumerate(changes):
            item = shown.nth(index)
            assert item.get_attribute("data-verdict") == change.verdict.value
            assert item.locator("code.key").inner_text() == change.key
            paths = item.locator("code.path").evaluate_all("els => els.map(e => e.title)")
            assert paths == [field.path for field in change.fields]


def _header(diff: Any) -> str:
    from pytest_convreplay.diff.render import header

    return header(diff)


def test_a_path_into_a_json_string_and_a_masked_value_are_marked(page: Any) -> None:
    arguments = page.locator("article.item", has=page.locator("code.key", has_text="fc_2"))
    assert arguments.locator("code.path .json-tag").inner_text() == "JSON"
    assert arguments.locator("code.path").inner_text().replace("JSON", "|") == "arguments|.city"
    assert page.locator(".masked-value").count() >= 1


def test_long_values_are_collapsed(page: Any) -> None:
    moved = page.locator("article.item", has=page.locator("code.key", has_text="msg_3"))
    assert moved.get_attribute("data-verdict") == "changed"
    assert moved.locator("td.words .w-folded").count() >= 1  # the long text shows its edit, folded


def test_verdict_type_and_test_filters(page: Any) -> None:
    everything = visible_items(page)
    page.uncheck('input[name="verdict"][value="changed"]')
    assert all(
        page.locator(f"#{anchor}").get_attribute("data-verdict") != "changed"
        for anchor in visible_items(page)
    )
    assert 0 < len(visible_items(page)) < len(everything)
    page.check('input[name="verdict"][value="changed"]')
    assert visible_items(page) == everything

    page.select_option("#f-type", "function_call")
    assert [page.locator(f"#{a}").get_attribute("data-type") for a in visible_items(page)] == [
        "function_call"
    ]
    page.select_option("#f-type", "")

    page.select_option("#f-test", label="tests/test_weather.py::test_greeting")
    assert page.locator("section.test:not([hidden])").count() == 1
    assert len(visible_items(page)) == len(COMPARISONS[1].diff.verdicts)
    assert (
        page.locator("#shown").inner_text()
        == f"showing {len(visible_items(page))} of {len(everything)} items"
    )


def test_an_anchor_lands_on_its_item_even_when_filtered_out(page: Any) -> None:
    target = page.locator("article.item[data-verdict=added]").first.get_attribute("id")
    page.uncheck('input[name="verdict"][value="added"]')
    page.evaluate(f"location.hash = '#{target}'")
    page.wait_for_function(f"!document.getElementById('{target}').hidden")


def test_no_request_leaves_the_page_and_no_script_error_occurs(page: Any, report: Path) -> None:
    page.select_option("#f-type", "message")
    page.locator("details.body summary").first.click()
    assert page.requests == [report.as_uri()]
    assert page.errors == []
    page.select_option("#f-type", "")
    page.screenshot(path=str(artifacts() / "report-in-chromium.png"), full_page=True)


def test_the_page_declares_a_policy_that_allows_no_connection(report: Path) -> None:
    text = report.read_text()
    assert "default-src 'none'" in text
    assert '<link rel="stylesheet"' not in text and 'src="http' not in text  # noqa: PT018


def test_verdict_names_are_the_diff_s(page: Any) -> None:
    boxes = page.eval_on_selector_all('input[name="verdict"]', "els => els.map(e => e.value)")
    assert boxes == [verdict.value for verdict in Verdict]
