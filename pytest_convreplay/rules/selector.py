"""The one selector grammar: where a redaction rule, a mask or a report points inside JSON.

::

    data[*].content[*].text     the text of every content part of every item
    **.api_key                  an ``api_key`` field at any depth, the top level included
    metadata["x-trace"]         a key that is not a plain name, quoted as a JSON string
    *                           one key or one index;  [*] one index;  [3] the index 3

Names are letters, digits and ``_ $ @ -``; any other key is quoted (``["a.b"]``, ``['a b']``,
JSON escapes inside double quotes). Whatever the plugin prints as a path (a diff's field, a gate
finding, a redaction report) is written by :func:`format_path` in this same grammar, so it can be
pasted back as a selector: ``Selector.parse(format_path(p)).steps == p`` for every path.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Final

from ..errors import ConfigError

JsonPath = tuple[str | int, ...]
"""A concrete place in a JSON document: object keys and list indices, from the top."""


class Wildcard(enum.Enum):
    """Selector steps that stand for more than one concrete key or index."""

    ANY = "*"  # one key or one index
    ANY_INDEX = "[*]"  # one index
    DEEP = "**"  # zero or more steps


Step = str | int | Wildcard

NAME: Final = re.compile(r"[A-Za-z0-9_$@\-]+")
_STEP_RE: Final = re.compile(
    rf"""(?P<dot>\.)?(?:(?P<deep>\*\*)|(?P<any>\*)|(?P<name>{NAME.pattern}))
       |\[(?:(?P<any_index>\*)|(?P<index>[0-9]+)|(?P<dq>"(?:[^"\\]|\\.)*")|'(?P<sq>[^']*)')\]""",
    re.VERBOSE,
)
_EXPECTED: Final = "expected '.name', '[n]', '[*]', '[\"key\"]', '*' or '**'"


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector: ``steps`` are keys, indices and wildcards, from the top of the document."""

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, text: str, *, what: str = "selector") -> Selector:
        """Parse ``text``; a ConfigError names ``what`` (``mask``, ``body path``) and the column."""
        steps: list[Step] = []
        pos = 0
        while pos < len(text):
            match = _STEP_RE.match(text, pos)
            if match is None and text.startswith(".", pos):
                raise selector_error(what, text, pos + 1, "expected a name, '*' or '**' after '.'")
            if match is None:
                raise selector_error(what, text, pos, _EXPECTED)
            if steps and match["dot"] is None and _is_bare(match):
                raise selector_error(what, text, pos, "expected '.' before a name, '*' or '**'")
            steps.append(_step_of(match, what, text))
            pos = match.end()
        if not steps:
            raise selector_error(what, text, 0, "empty selector")
        return cls(text, tuple(steps))

    def matches(self, path: JsonPath) -> bool:
        return _matches(self.steps, 0, path, 0)

    @property
    def last_name(self) -> str | None:
        names = [step for step in self.steps if isinstance(step, str)]
        return names[-1] if names else None

    def __str__(self) -> str:
        return self.text


def _is_bare(match: re.Match[str]) -> bool:
    """A name, ``*`` or ``**`` step written without its leading dot (only allowed first)."""
    return match["deep"] is not None or match["any"] is not None or match["name"] is not None


def _step_of(match: re.Match[str], what: str, text: str) -> Step:
    if match["deep"] is not None:
        return Wildcard.DEEP
    if match["any"] is not None:
        return Wildcard.ANY
    if match["any_index"] is not None:
        return Wildcard.ANY_INDEX
    if match["index"] is not None:
        return int(match["index"])
    if match["dq"] is not None:
        try:
            return str(json.loads(match["dq"]))
        except ValueError:
            raise selector_error(what, text, match.start("dq"), "not a valid JSON string") from None
    for group in ("name", "sq"):
        if match[group] is not None:
            return match[group]
    raise AssertionError("unreachable: every alternative of _STEP_RE sets a group")


def selector_error(what: str, text: str, pos: int, problem: str) -> ConfigError:
    """Columns count from 1, and the caret points at the character the parser stopped at."""
    return ConfigError(f"{what} {text!r}: {problem} at column {pos + 1}\n    {text}\n    {' ' * pos}^")


def _matches(steps: tuple[Step, ...], si: int, path: JsonPath, pi: int) -> bool:
    while si < len(steps):
        step = steps[si]
        if step is Wildcard.DEEP:
            return any(_matches(steps, si + 1, path, later) for later in range(pi, len(path) + 1))
        if pi == len(path):
            return False
        here = path[pi]
        if step is Wildcard.ANY_INDEX:
            fits = isinstance(here, int)
        elif step is not Wildcard.ANY:
            fits = type(step) is type(here) and step == here
        else:
            fits = True
        if not fits:
            return False
        si += 1
        pi += 1
    return pi == len(path)


def join_path(prefix: str, key: str | int) -> str:
    """``prefix`` extended by one key or index, as :func:`format_path` writes it."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if NAME.fullmatch(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key, ensure_ascii=False)}]"


def format_path(path: JsonPath) -> str:
    """``data[2].content[0].text``; keys that are not plain names are quoted (``["a.b"]``)."""
    text = ""
    for step in path:
        text = join_path(text, step)
    return text
