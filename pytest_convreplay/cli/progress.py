"""What the command line shows while it works: a status line on a terminal, the count of files read
at the end, colour where the terminal supports it, plain text where it does not (pipes, CI logs,
``NO_COLOR``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

_COLOURS = {"ok": "\x1b[32m", "fail": "\x1b[31m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


def supports_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text: str, colour: str, stream: TextIO | None = None) -> str:
    return f"{_COLOURS[colour]}{text}{_RESET}" if supports_colour(stream or sys.stdout) else text


class Progress:
    """One command's progress: ``[3/12] cassettes/x.yaml 120/400 interactions`` rewritten in place on
    a terminal (nothing on a pipe), then ``convreplay redact: 12 files read, 3 changes``."""

    def __init__(self, command: str, stream: TextIO | None = None) -> None:
        self.command = command
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.read = 0
        self.total = 0
        self._current = ""

    def files(self, files: list[Path]) -> list[Path]:
        self.total = len(files)
        return files

    def start(self, path: Path) -> None:
        self.read += 1
        self._current = f"[{self.read}/{self.total or '?'}] {path}"
        self._show(self._current)

    def step(self, done: int, total: int, what: str = "interactions") -> None:
        self._show(f"{self._current} {done}/{total} {what}")

    def _show(self, text: str) -> None:
        if self.live:
            self.stream.write(f"\r\x1b[K{paint(text, 'dim', self.stream)}")
            self.stream.flush()

    def clear(self) -> None:
        """Take the status line away before a line of output is printed."""
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def finish(self, *counts: str) -> None:
        """Clear the status line and say what was read and found."""
        self.clear()
        noun = "file" if self.read == 1 else "files"
        print(", ".join([f"convreplay {self.command}: {self.read} {noun} read", *counts]), file=self.stream)
