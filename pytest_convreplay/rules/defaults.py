"""The built-in redaction rules, each with a stable name, so one option turns named ones off.

Names: ``header:<name>``, ``query:<name>``, ``body:<selector>``, ``pattern:<label>`` and
``credential-names`` (headers, query parameters and JSON keys that read like credentials, see
:func:`~.credentials.is_credential_name`). ``redact_disable=["header:openai-project",
"pattern:jwt"]`` drops those; a glob (``"query:*"``) drops several; ``redact_defaults=False``
drops them all.

Every built-in pattern runs in time linear in its input (Python's backtracking engine included):
a fixed literal comes first so the engine scans for it, every repetition is one character class
followed by a fixed literal or nothing, and lookbehinds are of fixed width (``bench/bench_patterns.py``).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable
from typing import Final

from ..errors import ConfigError
from .credentials import COOKIE_HEADERS, CREDENTIAL_HEADERS, CREDENTIAL_QUERY_PARAMS, HOST_QUERY_PARAMS

DEFAULT_HEADERS: Final = (*CREDENTIAL_HEADERS, *COOKIE_HEADERS)
DEFAULT_QUERY_PARAMS: Final = CREDENTIAL_QUERY_PARAMS
DEFAULT_HOST_QUERY_PARAMS: Final = HOST_QUERY_PARAMS
DEFAULT_BODY_PATHS: Final = (
    "**.api_key",
    "**.client_secret",
    "**.password",
    "**.access_token",
    "**.refresh_token",
    "**.authorization",
)
CREDENTIAL_NAMES: Final = "credential-names"

_TOKEN = r"[A-Za-z0-9._~+/-]"


def _starts(word: str, literal: str) -> str:
    """``literal`` (fixed width) where no ``word`` character comes before it, or one that ends a
    JSON escape (``\\n``, ``\\t``, ``\\u00e9``): in escaped text (raw JSON, YAML) a key after a
    newline follows an ``n``. The literal comes first so that the regex engine can scan for it."""
    return rf"{literal}(?:(?<!{word}{literal})|(?<=\\[nrtbf]{literal})|(?<=\\u[0-9A-Fa-f]{{4}}{literal}))"


_PEM_LABEL = r"[A-Z0-9 ]{0,40}PRIVATE KEY-----"

DEFAULT_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("openai-key", _starts("[A-Za-z0-9]", "sk-") + "[A-Za-z0-9_-]{20,}"),
    ("openai-session", _starts("[A-Za-z0-9]", "sess-") + "[A-Za-z0-9]{16,}"),
    ("openai-ephemeral-key", _starts("[A-Za-z0-9]", "ek_") + "[A-Za-z0-9]{20,}"),
    # Only the token is replaced; it must contain a digit so that prose ("bearer authentication")
    # survives: a run without digits, one digit, then the rest, so no position is tried twice.
    (
        "bearer",
        "(?i)"
        + _starts(r"\w", "bearer")
        + rf"\s+(?P<secret>(?={_TOKEN}{{8}})[A-Za-z._~+/-]*[0-9]{_TOKEN}*=*)",
    ),
    ("aws-access-key-id", _starts("[A-Z0-9]", "A[KS]IA") + "[A-Z0-9]{16}(?![A-Z0-9])"),
    ("github-token", _starts("[A-Za-z0-9]", "gh[pousr]_") + "[A-Za-z0-9]{36,}"),
    ("jwt", _starts("[A-Za-z0-9_-]", "eyJ") + r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # A key without its END line (cut by a stream, a log, a length limit) is still a key: the base64
    # body is taken up to the first character that is not base64, a line break or an escape.
    ("private-key", rf"-----BEGIN {_PEM_LABEL}[A-Za-z0-9+/=\s\\]*(?:-----END {_PEM_LABEL})?"),
)
"""label → regex of the built-in secret patterns."""


def default_rule_names() -> tuple[str, ...]:
    """Every built-in rule's stable name, in the order the rules apply."""
    return (
        *(f"header:{name}" for name in DEFAULT_HEADERS),
        *(f"query:{name}" for name in DEFAULT_QUERY_PARAMS),
        *(f"query:{name}" for name, _ in DEFAULT_HOST_QUERY_PARAMS),
        *(f"body:{path}" for path in DEFAULT_BODY_PATHS),
        *(f"pattern:{label}" for label, _ in DEFAULT_PATTERNS),
        CREDENTIAL_NAMES,
    )


def check_disabled(entries: Iterable[str]) -> tuple[str, ...]:
    """``redact_disable`` entries, each naming at least one built-in rule (a name or a glob)."""
    names = default_rule_names()
    checked: list[str] = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if not fnmatch.filter(names, entry):
            near = difflib.get_close_matches(entry, names, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ConfigError(
                f"redact_disable: {entry!r} names no built-in rule{hint}; names are header:<name>, "
                f"query:<name>, body:<selector>, pattern:<label> and {CREDENTIAL_NAMES}, globs allowed "
                "('pattern:*'); the full list is in the README"
            )
        checked.append(entry)
    return tuple(checked)


def enabled(name: str, disabled: Iterable[str]) -> bool:
    """Whether the built-in rule ``name`` is in force given the ``redact_disable`` entries."""
    return not any(fnmatch.fnmatchcase(name, entry) for entry in disabled)
