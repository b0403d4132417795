"""The one write path: serialize → gate → atomic write, for every file the plugin writes.

Cassettes, snapshot files and ``convreplay redact`` all write through :func:`prepare_write`, so
what the gate sees is exactly what reaches the disk, the same way for each of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CassetteError, ConvreplayError, shown_path
from ..gate import Finding, Gate, leak_error
from .atomic import write_atomic
from .yaml_io import dump_yaml


def serialize(path: Path, document: Any, *, header: str = "") -> str:
    """The file's text: YAML (``|`` blocks, never folded), or JSON for a ``.json`` cassette."""
    if path.suffix.lower() == ".json":
        return header + json.dumps(document, indent=4, ensure_ascii=False) + "\n"
    return header + dump_yaml(document)


@dataclass(frozen=True, slots=True)
class PreparedWrite:
    """A document serialized and judged by the gate, not yet written."""

    path: Path
    text: str
    findings: tuple[Finding, ...]
    hint: str = ""
    error: type[ConvreplayError] = CassetteError

    def commit(self) -> None:
        """Write it atomically, or raise SecretLeakError (nothing written) when the gate objected;
        an OS error (a full disk) is raised as ``error``, the previous file intact."""
        if self.findings:
            raise leak_error(self.findings, shown_path(self.path), hint=self.hint)
        write_atomic(self.path, self.text, error=self.error)


def prepare_write(
    path: Path,
    document: Any,
    gate: Gate,
    *,
    header: str = "",
    hint: str = "",
    error: type[ConvreplayError] = CassetteError,
) -> PreparedWrite:
    """Serialize ``document`` for ``path`` and let the gate judge the structure and the exact text;
    ``hint`` is added to a refusal (what to change for this kind of file), ``error`` is the kind of
    error a file that cannot be written raises (CassetteError, SnapshotError)."""
    text = serialize(path, document, header=header)
    findings = tuple(gate.findings(document, text, path=shown_path(path)))
    return PreparedWrite(path, text, findings, hint, error)


def write_document(
    path: Path,
    document: Any,
    gate: Gate,
    *,
    header: str = "",
    hint: str = "",
    error: type[ConvreplayError] = CassetteError,
) -> None:
    """serialize → gate → atomic write; nothing is written when the gate objects."""
    prepare_write(path, document, gate, header=header, hint=hint, error=error).commit()
