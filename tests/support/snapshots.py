"""Items and snapshot files for the snapshot tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_convreplay.snapshot.file import SnapshotFile
from pytest_convreplay.snapshot.options import SnapshotOptions
from support.files import snapshots_yaml

Item = dict[str, Any]


TEST = "tests/test_history.py::test_history"


def message(n: int, text: str = "hello") -> Item:
    return {
        "status": "completed",
        "content": [{"text": f"{text} {n}", "annotations": [], "type": "output_text"}],
        "role": "assistant",
        "type": "message",
        "id": f"msg_{n}",
    }


def call(n: int, city: str = "Paris") -> Item:
    return {
        "type": "function_call",
        "id": f"fc_{n}",
        "call_id": f"call_{n}",
        "name": "get_weather",
        "arguments": json.dumps({"city": city}),
        "status": "completed",
        "created_at": 1700000000 + n,
    }


def snapshot_file(tmp_path: Path, **options: Any) -> SnapshotFile:
    return SnapshotFile(SnapshotOptions(path=tmp_path / "test_history.snapshot.yaml", test=TEST, **options))


def written(tmp_path: Path, name: str, *snapshot_names: str) -> Path:
    path = tmp_path / f"{name}.snapshot.yaml"
    path.write_text(snapshots_yaml({snapshot: [message(1)] for snapshot in snapshot_names}))
    return path
