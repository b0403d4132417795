"""What every target shares: instrumented imports, the one exception a target may let escape, and
plain-data equality for round trips.

A target is a module with ``check(data: bytes) -> None``: it raises AssertionError (or any other
exception) when the contract is broken, and returns otherwise. ``main`` hands it to atheris; the
test suite feeds it the seed corpus without atheris (tests/unit/test_fuzz_corpus.py).
"""

from __future__ import annotations

import contextlib
import importlib
import math
import pkgutil
import sys
from collections.abc import Callable, Iterator
from typing import Any

try:
    import atheris
except ImportError:  # the test suite runs the seeds without it
    atheris = None


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Import the whole plugin with coverage instrumentation (when fuzzing): the stages import each
    other lazily, so every module is imported here, inside the hook."""
    hook = atheris.instrument_imports(include=["pytest_convreplay"]) if atheris else contextlib.nullcontext()
    with hook:
        import pytest_convreplay

        for module in pkgutil.walk_packages(pytest_convreplay.__path__, "pytest_convreplay."):
            if not module.name.endswith("__main__") and not module.name.startswith(
                "pytest_convreplay.plugin"
            ):
                importlib.import_module(module.name)
        yield


def main(check: Callable[[bytes], None]) -> None:
    """Run ``check`` under atheris with the command line's libFuzzer flags."""
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]'")
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


def text_of(data: bytes) -> str | None:
    """The input as text a file could hold (UTF-8), or None."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def same(left: Any, right: Any) -> bool:
    """Plain-data equality where NaN equals NaN and types must match (``1`` is not ``True``)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if isinstance(left, dict):  # keys by repr: a NaN key is equal to no other object, not even itself
        by_repr = {repr(key): value for key, value in right.items()}
        return len(left) == len(by_repr) == len(right) and all(
            repr(key) in by_repr and same(value, by_repr[repr(key)]) for key, value in left.items()
        )
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
