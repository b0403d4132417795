"""The one write path: serialize → gate → atomic write, for every file the plugin writes.

Cassettes, snapshot files, HTML reports and ``convreplay redact`` all write through
:func:`prepare_write`, so what the gate sees is exactly what reaches the disk, the same way for
each of them: the contents, and the file's name (its lock and temporary files derive from it),
which the naming rule passes once more with every value known at the moment of writing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.paths import hide_secrets_in_path
from ..errors import CassetteError, ConvreplayError, shown_path
from ..gate import Finding, Gate, leak_error
from .atomic import write_atomic
from .yaml_io import dump_yaml


@dataclass(frozen=True, slots=True)
class Rendered:
    """A document its own renderer has turned into text (an HTML report): the gate judges both
    ``data``, the values it shows (their field paths name a finding; escaping cannot hide one),
    and ``text``, exactly what is written."""

    data: Any
    text: str


def serialize(path: Path, document: Any, *, header: str = "") -> str:
    """The file's text: YAML (``|`` blocks, never folded), JSON for a ``.json`` file, or the text
    of a :class:`Rendered` document as it is."""
    if isinstance(document, Rendered):
        return header + document.text
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
    error a file that cannot be written raises (CassetteError, SnapshotError). A secret the file
    name shows (a test id holding a value learned while the test ran) is hidden by the naming rule,
    so the write goes to that name: a test is never failed for its id."""
    path = hide_secrets_in_path(path, gate.secret_spans)
    text = serialize(path, document, header=header)
    data = document.data if isinstance(document, Rendered) else document
    findings = tuple(gate.findings(data, text, path=shown_path(path)))
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
