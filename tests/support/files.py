"""File text and writes the tests build from the package's own primitives (no test-only code in it)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_convreplay.errors import SecretLeakError
from pytest_convreplay.gate import Gate, KnownSecrets
from pytest_convreplay.model.interactions import Interaction
from pytest_convreplay.rules.redaction import PatternRule, RedactionRules
from pytest_convreplay.storage.cassette import cassette_document
from pytest_convreplay.storage.snapshots import snapshot_document
from pytest_convreplay.storage.write import write_document
from pytest_convreplay.storage.yaml_io import dump_yaml

NO_SECRETS = Gate(KnownSecrets())
DEFAULTS = RedactionRules.default().patterns


def cassette_yaml(interactions: Sequence[Interaction], metadata: Mapping[str, Any] | None = None) -> str:
    """A cassette's text as the plugin writes it."""
    return dump_yaml(cassette_document(interactions, metadata or {}))


def snapshots_yaml(snapshots: Mapping[str, Sequence[dict[str, Any]]], *, header: str = "") -> str:
    """A snapshot file's text as the plugin writes it."""
    return header + dump_yaml(snapshot_document(snapshots))


def save_cassette(path: Path, interactions: Sequence[Interaction], metadata: Mapping[str, Any]) -> None:
    """A cassette written through the plugin's one write path (gate, then atomic write)."""
    write_document(path, cassette_document(interactions, metadata), NO_SECRETS)


def save_checked(
    name: str,
    interactions: Sequence[Interaction],
    known: KnownSecrets,
    patterns: Sequence[PatternRule] = DEFAULTS,
) -> str:
    """Save ``interactions`` as cassette ``name`` in a fresh folder through the write path and
    return what was written; SecretLeakError when the gate refuses (then nothing is written)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        try:
            write_document(path, cassette_document(interactions, {}), Gate(known, tuple(patterns)))
        except SecretLeakError:
            assert not path.exists()
            raise
        return path.read_text(encoding="utf-8")
