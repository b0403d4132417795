"""Committed folders are not trusted: links, devices, full disks and long names end in one error
naming the file, nothing is written outside the target's folder, and nothing is half-written."""

from __future__ import annotations

import errno
import os
import sys
import threading
from pathlib import Path

import pytest
from support.files import save_cassette
from support.hostile import cassette, interaction

from pytest_convreplay.errors import CassetteError, SnapshotError
from pytest_convreplay.storage.atomic import TEMP_SUFFIX, lock_path, locked, write_atomic
from pytest_convreplay.storage.cassette import load_cassette
from pytest_convreplay.storage.snapshots import read_snapshots

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, devices and FIFOs")

VALID = cassette()


def test_a_link_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "history.yaml"
    target.parent.mkdir()
    target.write_bytes(VALID)
    link = tmp_path / "test_history.yaml"
    link.symlink_to(target)
    assert len(load_cassette(link).interactions) == 1


@pytest.mark.parametrize(
    ("device", "kind"), [("/dev/zero", "a character device"), ("/dev/urandom", "a character device")]
)
def test_a_link_to_a_device_is_refused_before_it_is_read(tmp_path: Path, device: str, kind: str) -> None:
    link = tmp_path / "test_history.yaml"
    link.symlink_to(device)
    with pytest.raises(
        CassetteError, match=rf"test_history\.yaml: cannot be read \(it is {kind}, not a regular"
    ):
        load_cassette(link)
    snapshot = tmp_path / "test_history.snapshot.yaml"
    snapshot.symlink_to(device)
    with pytest.raises(SnapshotError, match=f"cannot be read \\(it is {kind}"):
        read_snapshots(snapshot)


def test_a_named_pipe_is_refused_instead_of_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "test_history.yaml"
    os.mkfifo(pipe)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, lambda: load_cassette(pipe)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "loading a FIFO blocked"
    assert isinstance(outcome[0], CassetteError)
    assert "it is a named pipe" in str(outcome[0])


def _catch(outcome: list[BaseException], call: object) -> None:
    try:
        call()  # type: ignore[operator]
    except BaseException as error:
        outcome.append(error)


def test_a_dangling_link_is_no_cassette_yet(tmp_path: Path) -> None:
    link = tmp_path / "test_history.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(FileNotFoundError):
        load_cassette(link)
    assert read_snapshots(link) == {}


def test_a_file_growing_past_the_limit_while_read_is_still_bounded(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    path.write_bytes(VALID)
    with pytest.raises(CassetteError, match="over the 0 MiB limit"):
        load_cassette(path, max_bytes=len(VALID) - 1)


def test_a_dangling_link_in_place_of_the_lock_file_creates_nothing_outside(tmp_path: Path) -> None:
    folder, outside = tmp_path / "cassettes", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    path = folder / "test_history.yaml"
    lock_path(path).symlink_to(outside / "planted")
    with pytest.raises(
        CassetteError, match=r"test_history\.yaml: not written: the lock file .* is a symbolic link"
    ):
        write_atomic(path, "version: 1\n")
    assert list(outside.iterdir()) == []
    assert not path.exists()


def test_the_target_is_never_written_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kept\n")
    path = tmp_path / "cassettes" / "test_history.yaml"
    path.parent.mkdir()
    path.symlink_to(outside)
    with pytest.raises(CassetteError, match="it is a symbolic link, and the plugin never writes through one"):
        save_cassette(path, [], {})
    assert outside.read_text() == "kept\n"
    assert path.is_symlink()


def test_a_link_planted_where_a_temporary_file_goes_is_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary's name is random: the link is planted under the name drawn, as it is drawn."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = tmp_path / "cassettes" / "test_history.yaml"
    path.parent.mkdir()
    drawn: list[str] = []

    def plant_then_draw(_: int) -> str:
        name = f"{len(drawn):08x}"
        if not drawn:
            (path.parent / f".{path.name}.{name}{TEMP_SUFFIX}").symlink_to(outside / "victim")
        drawn.append(name)
        return name

    monkeypatch.setattr("secrets.token_hex", plant_then_draw)
    write_atomic(path, "version: 1\n")
    assert path.read_text() == "version: 1\n"
    assert len(drawn) == 2
    assert list(outside.iterdir()) == []


def test_a_folder_where_the_cassette_goes_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    path.mkdir()
    with pytest.raises(CassetteError, match=r"test_history\.yaml: cannot be written \(Is a directory"):
        save_cassette(path, [], {})


def test_a_file_where_the_folder_goes_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "cassettes").write_text("not a folder")
    path = tmp_path / "cassettes" / "test_history.yaml"
    with pytest.raises(CassetteError, match=r"test_history\.yaml: cannot be written"):
        save_cassette(path, [], {})


@pytest.mark.parametrize("call", ["write", "replace"])
def test_a_full_disk_is_one_error_and_leaves_the_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """ENOSPC is raised where the operating system would raise it: ``os.write`` or ``os.replace``."""
    path = tmp_path / "test_history.yaml"
    save_cassette(path, [], {})
    before = path.read_bytes()

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, call, disk_full)
    with pytest.raises(
        CassetteError, match=r"test_history\.yaml: cannot be written \(No space left on device\)"
    ):
        save_cassette(path, [interaction()], {})  # type: ignore[list-item]
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_short_write_is_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    path = tmp_path / "test_history.yaml"
    save_cassette(path, [interaction()], {})  # type: ignore[list-item]
    monkeypatch.undo()
    assert len(load_cassette(path).interactions) == 1


def test_a_lone_surrogate_in_the_text_is_one_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "test_history.yaml"
    with pytest.raises(CassetteError, match=r"line 2 holds U\+D800, half of a UTF-16 surrogate pair"):
        write_atomic(path, "version: 1\nx: a\ud800b\n")
    assert not path.exists()


@pytest.mark.parametrize("name", ["x" * 250 + ".yaml", "会話" * 40 + ".yaml"])
def test_names_at_the_filesystem_limit_still_get_a_lock_and_a_temporary_file(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    assert len(path.name.encode()) <= 255
    with locked(path):
        assert len(lock_path(path).name.encode()) <= 255
        write_atomic(path, "version: 1\n")
    assert path.read_text() == "version: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]
