"""Prism (npm ``@stoplight/prism-cli``), a third-party mock server of the whole public OpenAI spec,
started on a free loopback port for the tests that record against it."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PRISM_VERSION = "5.16.0"  # the version .ci/run installs
_ROOT = Path(__file__).resolve().parents[2]
# shared/ lies beside the clone (in CI too); a worktree further down finds the workplace's copy.
SPEC = next(
    (
        candidate / "spec" / "openai-openapi.yaml"
        for candidate in (_ROOT.parent / "shared", Path("/work/shared"))
        if (candidate / "spec" / "openai-openapi.yaml").is_file()
    ),
    _ROOT.parent / "shared" / "spec" / "openai-openapi.yaml",
)
_STARTUP_SECONDS = 300  # the 3 MB spec takes 10-60 s to load on a busy two-core machine


def require_prism() -> str:
    """Prism's command; skips the test when it is missing, except in CI (where .ci/run installs
    it), where a missing Prism fails: a green CI must not hide a suite that never ran."""
    prism = shutil.which("prism")
    if prism is not None and SPEC.is_file():
        return prism
    missing = "the Prism mock server (npm @stoplight/prism-cli)" if prism is None else f"the spec {SPEC}"
    if os.environ.get("CI"):
        pytest.fail(f"{missing} is not installed, and CI is set: .ci/run must install it", pytrace=False)
    pytest.skip(f"{missing} is not installed: npm install -g @stoplight/prism-cli@{PRISM_VERSION}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrismServer:
    """One ``prism mock`` process; ``dynamic`` for generated answers (random ids) instead of the
    spec's examples."""

    def __init__(self, prism: str, log: Path, *, dynamic: bool = False) -> None:
        self.port = _free_port()
        self.log = log
        arguments = [prism, "mock", str(SPEC), "--host", "127.0.0.1", "--port", str(self.port)]
        self._process = subprocess.Popen(
            [*arguments, *(["--dynamic"] if dynamic else [])],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_listening(self, deadline: float) -> None:
        while b"Prism is listening" not in self.log.read_bytes():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"prism on port {self.port} did not start:\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


@contextlib.contextmanager
def prism_servers(folder: Path) -> Iterator[tuple[PrismServer, PrismServer]]:
    """A static and a dynamic Prism, started side by side (start-up is most of their cost)."""
    prism = require_prism()
    static = PrismServer(prism, folder / "prism-static.log")
    dynamic = PrismServer(prism, folder / "prism-dynamic.log", dynamic=True)
    try:
        deadline = time.monotonic() + _STARTUP_SECONDS
        static.wait_until_listening(deadline)
        dynamic.wait_until_listening(deadline)
        yield static, dynamic
    finally:
        static.stop()
        dynamic.stop()
