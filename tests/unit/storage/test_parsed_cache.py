"""Parsed cassettes kept by content: the YAML stays the one source of truth, an edited file is
never answered from an old entry, and anything an entry cannot keep exactly is parsed each time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_convreplay.errors import CassetteError, SnapshotError
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.parsed import SUFFIX, NotKept, ParsedCache, _decode, _encode
from pytest_convreplay.storage.snapshots import read_snapshots

CASSETTE = """version: 1
interactions:
- request:
    method: GET
    uri: https://api.openai.com/v1/conversations/conv_1/items?limit=2
    body: ''
    headers: {}
  response:
    status: {code: 200, message: OK}
    headers:
      content-type: [application/json]
    body:
      string: '{"object": "list", "data": [], "first_id": null, "has_more": false, "pad": "%s"}'
"""


def write(path: Path, pad: str = "x" * 300) -> Path:
    path.write_text(CASSETTE % pad)
    return path


def test_a_second_load_comes_from_the_cache_and_equals_the_first(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache")
    path = write(tmp_path / "c.yaml")
    first = load_cassette(path, cache=cache)
    assert len(list((tmp_path / "cache").glob(f"*{SUFFIX}"))) == 1
    second = load_cassette(path, cache=cache)
    assert second.interactions == first.interactions == load_cassette(path).interactions


def test_an_edited_cassette_is_parsed_again_whatever_its_times_say(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache")
    path = write(tmp_path / "c.yaml", "a" * 300)
    load_cassette(path, cache=cache)
    stat = path.stat()
    write(path, "b" * 300)
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time, other bytes
    body = load_cassette(path, cache=cache).interactions[0]["response"]["body"]["string"]
    assert "b" * 300 in body


def test_a_damaged_entry_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache")
    path = write(tmp_path / "c.yaml")
    expected = load_cassette(path, cache=cache).interactions
    (entry,) = (tmp_path / "cache").glob(f"*{SUFFIX}")
    entry.write_bytes(entry.read_bytes()[:-40])
    assert load_cassette(path, cache=cache).interactions == expected
    assert load_cassette(path, cache=cache).interactions == expected


def test_a_cached_cassette_is_validated_like_a_parsed_one(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache")
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\ninteractions:\n- request: {method: GET}\n  response: {}\n")
    for _ in range(2):
        with pytest.raises(CassetteError, match="interaction 0"):
            load_cassette(path, cache=cache)


def test_an_invalid_cassette_is_never_kept(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache")
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\ninteractions:\n- request: {method: GET}\n  response: {}\n")
    with pytest.raises(CassetteError):
        load_cassette(path, cache=cache)
    assert not list((tmp_path / "cache").glob(f"*{SUFFIX}"))


def test_an_entry_keeps_which_json_answers_parse_and_a_broken_one_stays_unvouched(tmp_path: Path) -> None:
    """The verdict of replay's JSON check is kept with the entry, so a hit need not parse every
    answer again; an answer that does not parse is left to be reported when it is replayed."""
    cache = ParsedCache(tmp_path / "cache")
    path = write(tmp_path / "c.yaml")
    broken = CASSETTE.replace('string: \'{"object"', 'string: \'{"object" ,,') % ("x" * 300)
    path.write_text(path.read_text() + broken.partition("interactions:\n")[2])
    without_cache = load_cassette(path)
    assert without_cache.sound_bodies == frozenset()  # checked when replayed, as before
    cold, warm = load_cassette(path, cache=cache), load_cassette(path, cache=cache)
    assert cold.sound_bodies == warm.sound_bodies == frozenset({0})
    assert warm.interactions == cold.interactions == without_cache.interactions


def test_values_an_entry_cannot_keep_exactly_are_not_kept() -> None:
    for value in ({"at": dt.datetime(2024, 1, 1)}, {"body": b"\xff"}, {1: "a"}, {"\x00": [0, 1]}):
        with pytest.raises(NotKept):
            _encode(value)


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=400),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(PLAIN)
def test_an_entry_gives_back_exactly_what_was_kept(value: object) -> None:
    try:
        encoded = _encode(value)
    except NotKept:
        return
    decoded = _decode(encoded)
    assert decoded == value
    assert repr(decoded) == repr(value)  # True stays True, 1 stays 1, 1.0 stays 1.0


def test_an_entry_holds_no_readable_text_of_its_cassette(tmp_path: Path) -> None:
    """A cassette redacted, renamed or deleted since leaves its entry behind: what it held must not
    be readable there (the seal's key comes from the old bytes only)."""
    cache = ParsedCache(tmp_path / "cache")
    secret = "sk-proj-" + "Q" * 40
    path = write(tmp_path / "c.yaml", f"{secret} {'y' * 300}")
    load_cassette(path, cache=cache)
    write(path, "<REDACTED:openai-key> " + "y" * 300)
    load_cassette(path, cache=cache)
    entries = list((tmp_path / "cache").glob(f"*{SUFFIX}"))
    assert len(entries) == 2
    for entry in entries:
        data = entry.read_bytes()
        assert b"sk-proj-" not in data
        assert b"REDACTED" not in data
        assert b"conversations" not in data


SNAPSHOT = """# pytest-convreplay snapshots of t.py::t
version: 1
snapshots:
  default:
  - id: msg_1
    type: message
    text: '%s'
"""


def test_a_snapshot_file_is_kept_by_content_apart_from_cassettes(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache", kind="snapshot")
    path = tmp_path / "t.snapshot.yaml"
    path.write_text(SNAPSHOT % ("a" * 300))
    first = read_snapshots(path, cache)
    assert read_snapshots(path, cache) == first == read_snapshots(path)
    assert len(list((tmp_path / "cache").glob(f"*{SUFFIX}"))) == 1
    path.write_text(SNAPSHOT % ("b" * 300))  # edited: a new key
    assert read_snapshots(path, cache)["default"][0]["text"] == "b" * 300
    with pytest.raises(CassetteError):  # the same bytes as a cassette: not the snapshot's entry
        load_cassette(path, cache=ParsedCache(tmp_path / "cache"))


def test_an_invalid_snapshot_file_is_never_kept(tmp_path: Path) -> None:
    cache = ParsedCache(tmp_path / "cache", kind="snapshot")
    path = tmp_path / "t.snapshot.yaml"
    path.write_text("version: 1\nsnapshots:\n  default: [{id: msg_1}]\n")
    for _ in range(2):
        with pytest.raises(SnapshotError, match="must be a list of items with a 'type'"):
            read_snapshots(path, cache)
    assert not list((tmp_path / "cache").glob(f"*{SUFFIX}"))
