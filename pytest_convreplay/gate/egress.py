"""Messages leave the process through here: what the plugin prints, raises or warns is masked.

Files pass the gate on the write path (:mod:`..storage.write`); messages are checked where they
leave: the report hook (terminal, JUnit XML, xdist), the warning hook, the session summary and the
CLI's output streams. Early stages build their messages freely and never import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TextIO

from ..config.options import merge_options
from ..rules.redaction import RedactionRules
from .findings import Gate
from .known import KnownSecrets


def message_gate(*layers: Mapping[str, Any]) -> Callable[[str], str]:
    """A mask for messages outside a test: the environment's secrets (read now), the secrets the
    converted option ``layers`` declare (the project's ini) and the secret patterns in force."""
    merged = merge_options(layers)
    rules = RedactionRules.from_options(
        patterns=merged.get("redact_patterns", ()),
        extend_defaults=merged.get("redact_defaults", True),
        disable=merged.get("redact_disable", ()),
    )
    known = KnownSecrets.from_env(names=merged.get("secret_env", ()), values=merged.get("secrets", ()))
    return Gate(known, rules.patterns).mask


class MaskedStream:
    """A text stream whose every write is masked first (the CLI's stdout and stderr); whole lines
    are masked at once, so a secret printed in two writes is still seen whole."""

    def __init__(self, stream: TextIO, mask: Callable[[str], str]) -> None:
        self._stream = stream
        self._mask = mask
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        complete, newline, rest = self._pending.rpartition("\n")
        if newline:
            self._stream.write(self._mask(complete + newline))
            self._pending = rest
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._mask(self._pending))
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def close(self) -> None:
        self.flush()
        self._stream.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
