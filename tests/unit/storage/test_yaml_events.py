"""The fast event-based loader gives yaml.safe_load's values, or hands the text to the full loader."""

from __future__ import annotations

import pytest
import yaml
from support.files import cassette_yaml

from pytest_convreplay.storage.yaml_events import MAX_DEPTH, NotPlainData, load_plain
from pytest_convreplay.storage.yaml_io import load_plain_yaml

PLAIN = [
    "a: 1",
    "",
    "- 1\n- 2.5\n- true\n- null\n- ~\n- 2001-12-14\n- '1'\n- !!str 3\n- !!binary aGVsbG8=\n- ! x",
    "{a: [1, {b: c}], 'd': \"e\\n\", f: !!map {g: h}, i: !!seq [j]}",
    "x: 0o17\ny: 0x1F\nz: 1_000\nw: .inf\nv: yes\nu: 2001-12-14t21:59:43.10-05:00\nt: 1:20",
    "a: 1\na: 2",
    "'<<': quoted merge-like key",
]

NOT_PLAIN = [
    "a: &x [1]\nb: *x",
    "a: &x 1",
    "<<: {a: 1}",
    "--- 1\n--- 2",
    "? [1]\n: 2",
    "!!python/object:os.system {}",
    "a: !foo 1",
    "a: =",
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "x: 2024-02-30",
    "x: !!bool maybe",
    "x: !!set {a}",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_data_loads_as_the_safe_loader_does(text: str) -> None:
    assert load_plain(text, max_nodes=1000) == yaml.safe_load(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_goes_to_the_full_loader(text: str) -> None:
    with pytest.raises(NotPlainData):
        load_plain(text, max_nodes=1000)


def test_the_node_budget_is_handed_over_too() -> None:
    with pytest.raises(NotPlainData):
        load_plain("[" + ", ".join(["1"] * 50) + "]", max_nodes=10)


def test_scanner_errors_propagate() -> None:
    with pytest.raises(yaml.YAMLError):
        load_plain("a: [1", max_nodes=1000)


def test_a_dumped_cassette_round_trips_through_the_fast_path() -> None:
    interaction = {
        "request": {"method": "GET", "uri": "http://x/v1/a?limit=20", "body": "", "headers": {"a": ["1"]}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-length": ["12"], "x": ["2026-01-01", "true", "null"]},
            "body": {"string": '{\n  "a": "é\\u2028\\t"\n}' * 500},
        },
    }
    text = cassette_yaml([interaction], {"recorded_at": "2026-01-01T00:00:00+00:00"})
    assert load_plain(text, max_nodes=1000) == yaml.safe_load(text) == load_plain_yaml(text)
