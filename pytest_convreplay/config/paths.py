"""Where a test's files go: the cassette and snapshot paths derived from the test's location.

``<rootdir>/<cassette_dir>/<test module path without .py>/<test name>.yaml``, the snapshot file
beside it; a name a user gives is resolved inside the test module's cassette folder.

One naming rule (:func:`file_name`) makes every name safe to create and to show: characters a
filesystem refuses become ``_`` plus a short hash of the name, a secret in a test id (a known
value or a secret pattern) becomes ``redacted-<hash8>``, and a name longer than MAX_NAME_BYTES is
cut at a character boundary and ends in a hash of the whole. A name that needed none of this keeps
its form, so committed cassettes are still found. Lock and temporary files derive from the result.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ..errors import shown_path
from ..rules.credentials import MIN_SECRET_LENGTH, env_secret_values
from ..rules.redaction import DEFAULT_HASH_KEY, PatternRule

MAX_NAME_BYTES: Final = 230
"""The longest file name written: NAME_MAX (255 bytes) less the 25 a temporary file adds
(``.<name>.<8 hex>.convreplay-tmp``), so every name that works today keeps its form."""

SecretSpans = Callable[[str], Iterable[tuple[int, int]]]
"""(start, end) of each secret in a text: what the naming rule hides."""

SNAPSHOT_SUFFIX: Final = ".snapshot.yaml"
_SUFFIXES: Final = (SNAPSHOT_SUFFIX, ".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class TestLocation:
    """Where a test lives, which decides where its files go by default."""

    __test__ = False  # a "Test…" name pytest must not collect

    rootdir: Path
    module_path: Path  # the test file
    test_name: str  # the test's name, with its class and parameters (``TestX.test_y[1]``)


@dataclass(frozen=True, slots=True)
class NameSecrets:
    """The secrets a file name must not show, as known when a path is chosen: declared values,
    the environment's credential variables and the secret patterns in force. (While writing, the
    gate's knowledge, learned from what clients sent too, checks the name once more.)"""

    values: tuple[str, ...] = ()
    patterns: tuple[PatternRule, ...] = ()

    @classmethod
    def of(
        cls, values: Iterable[str], env_names: Iterable[str], patterns: Iterable[PatternRule]
    ) -> NameSecrets:
        environment = (value for _, value in env_secret_values(env_names))
        unique = {
            value.strip() for value in (*values, *environment) if len(value.strip()) >= MIN_SECRET_LENGTH
        }
        unique |= {form for value in unique for form in id_forms(value).values()}
        return cls(tuple(sorted(unique, key=len, reverse=True)), tuple(patterns))

    def __call__(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for value in self.values:
            start = text.find(value)
            while start >= 0:
                found.append((start, start + len(value)))
                start = text.find(value, start + 1)
        for rule in self.patterns:
            found.extend(rule.secret_span(match) for match in rule.regex.finditer(text))
        return found


def id_forms(value: str) -> dict[str, str]:
    """form name -> how ``value`` shows in a test id and in a file name made of one: pytest writes
    a non-ASCII parameter by its escapes (``p\\xe4sswort``), which the naming rule writes with
    ``_`` (``p_xe4sswort``). Empty for a value that neither changes. The naming rule (for values
    known when a name is chosen) and the gate (for those learned while the test ran) hide these."""
    escaped = value.encode("unicode_escape").decode("ascii")
    forms = {
        "backslash-escaped": escaped,
        "backslash-escaped, as a file name shows it": _UNSAFE.sub("_", escaped),
    }
    return {form: needle for form, needle in forms.items() if needle != value}


def default_cassette_path(
    location: TestLocation, cassette_dir: str, secrets: SecretSpans | None = None
) -> Path:
    """``<rootdir>/<cassette_dir>/<test module path without .py>/<test name>.yaml``."""
    return _named(location, cassette_dir, ".yaml", secrets)


def default_snapshot_path(
    location: TestLocation, cassette_dir: str, secrets: SecretSpans | None = None
) -> Path:
    """``<test name>.snapshot.yaml`` beside the default cassette: one file per test, also when tests
    share a cassette, so their snapshots never overwrite each other."""
    return _named(location, cassette_dir, SNAPSHOT_SUFFIX, secrets)


def _named(location: TestLocation, cassette_dir: str, suffix: str, secrets: SecretSpans | None) -> Path:
    path = _module_folder(location, cassette_dir) / file_name(location.test_name, suffix, secrets)
    return path if path.exists() else _written_as(path, location.test_name, suffix)


def _written_as(path: Path, name: str, suffix: str) -> Path:
    """The file ``name`` was written to when the write path hid a secret in it that was learned
    only while the test ran (``monkeypatch.setenv`` in a fixture): a ``redacted-<hash8>`` name
    of the folder whose hidden parts, taken from ``name``, have those very hashes."""
    # the write renamed this very file (its stem already made safe: p_xe4sswort), or the test's name
    sources = dict.fromkeys((path.name[: -len(suffix)] if path.name.endswith(suffix) else name, name))
    for candidate in _hiding_names(path.parent):
        if not candidate.endswith(suffix):
            continue
        stem = candidate[: -len(suffix)].rpartition("-")[0]  # the name changed, so it ends in a hash
        pattern = re.compile(
            "".join(
                "(.+?)" if hidden else re.escape(piece).replace("_", _ANY_UNSAFE)
                for hidden, piece in _alternate(_HIDDEN.split(stem))
            ),
            re.DOTALL,
        )
        for source in sources:
            found = pattern.fullmatch(source)
            if found is None:
                continue
            spans = [found.span(group) for group in range(1, (found.re.groups or 0) + 1)]
            if (
                file_name(source, suffix, _constant(spans)) == candidate
            ):  # the hashes are those of these parts
                return path.with_name(candidate)
    return path


_HIDDEN = re.compile(r"redacted-[0-9a-f]{8}")
_ANY_UNSAFE = r'[_\\/:*?"<>|\x00-\x1f]'
_listings: dict[Path, tuple[int, tuple[str, ...]]] = {}


def _constant(spans: list[tuple[int, int]]) -> SecretSpans:
    return lambda _: spans


def _alternate(pieces: list[str]) -> Iterable[tuple[bool, str]]:
    """The pieces of a split on redacted-<hash8>, each said to be a hidden part (True) or not."""
    for index, piece in enumerate(pieces):
        if index:
            yield True, ""
        yield False, piece


def _hiding_names(folder: Path) -> tuple[str, ...]:
    """The names in ``folder`` that hide a secret, listed again only when the folder changed."""
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return ()
    cached = _listings.get(folder)
    if cached is None or cached[0] != stamp:
        try:
            names = tuple(name for name in os.listdir(folder) if "redacted-" in name)
        except OSError:
            names = ()
        cached = _listings[folder] = (stamp, names)
    return cached[1]


def _module_folder(location: TestLocation, cassette_dir: str) -> Path:
    base = Path(cassette_dir)
    base = base if base.is_absolute() else location.rootdir / base
    return base / _module_part(location.module_path, location.rootdir).with_suffix("")


def _module_part(module: Path, rootdir: Path) -> Path:
    """The test file's path below the rootdir. A file outside it keeps its path from the rootdir,
    each ``..`` written ``_up`` (``../sdk_a/test_sdk.py`` → ``_up/sdk_a/test_sdk.py``), so two
    folders that each hold a ``test_sdk.py`` never share files and the cassette folder is never
    left; on another drive, the folder's name and a short hash of its path stand in."""
    try:
        return module.relative_to(rootdir)
    except ValueError:
        pass
    try:
        relative = Path(os.path.relpath(module, rootdir))
    except ValueError:  # Windows: another drive has no path from the rootdir
        digest = hashlib.sha256(str(module.parent).encode()).hexdigest()[:8]
        return Path("_outside", f"{module.parent.name}-{digest}", module.name)
    return Path(*("_up" if part == ".." else part for part in relative.parts))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(
    name: str, suffix: str, secrets: SecretSpans | None = None, *, replace_unsafe: bool = True
) -> str:
    """``name + suffix`` as a file name anyone may see and any filesystem accepts (see the module);
    a name the user chose keeps its characters (``replace_unsafe=False``)."""
    readable = hide_secrets(name, secrets) if secrets is not None else name
    safe = _UNSAFE.sub("_", readable) if replace_unsafe else readable
    if safe != name:  # a changed name keeps a file of its own: x/y and x:y differ
        safe = f"{safe}-{_digest(readable)}"
    if _size(safe + suffix) <= MAX_NAME_BYTES:
        return safe + suffix
    room = MAX_NAME_BYTES - _size(suffix) - 9  # "-" and 8 hex digits
    cut = safe.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")
    return f"{cut}-{_digest(safe)}{suffix}"


def hide_secrets_in_path(path: Path, secrets: SecretSpans) -> Path:
    """``path`` with its file name through the naming rule again, now knowing ``secrets`` (the
    write path's: every value known at the moment of writing); unchanged when it shows none."""
    suffix = next((end for end in _SUFFIXES if path.name.endswith(end)), "")
    stem = path.name[: len(path.name) - len(suffix)]
    if hide_secrets(stem, secrets) == stem:
        return path
    return path.with_name(file_name(stem, suffix, secrets))  # named as if known when it was chosen


def hide_secrets(name: str, secrets: SecretSpans) -> str:
    """Each secret in ``name`` as ``redacted-<hash8>`` (a keyed hash: stable, so it is found again)."""
    pieces: list[str] = []
    last = 0
    for start, end in sorted(secrets(name)):
        if start < last or end <= start:
            continue
        secret = name[start:end].encode("utf-8", "surrogatepass")
        digest = hmac.new(DEFAULT_HASH_KEY, secret, hashlib.sha256).hexdigest()[:8]
        pieces += (name[last:start], f"redacted-{digest}")
        last = end
    return "".join(pieces) + name[last:] if pieces else name


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _size(name: str) -> int:
    return len(name.encode("utf-8", "surrogatepass"))


def resolve_file_option(
    value: object,
    location: TestLocation,
    cassette_dir: str,
    suffix: str,
    secrets: SecretSpans | None = None,
) -> Path | None:
    """A user-given file name: absolute as is, otherwise inside the test module's cassette folder;
    its last part goes through the naming rule like a test's own name."""
    if value is None:
        return None
    path = Path(str(value))
    if path.name.lower().endswith((".yaml", ".yml")):
        stem, dot, given_suffix = path.name.rpartition(".")
        path = path.with_name(file_name(stem, dot + given_suffix, secrets, replace_unsafe=False))
    else:  # "gpt-4.1" is a name, not a suffix
        path = path.with_name(file_name(path.name, suffix, secrets, replace_unsafe=False))
    # normpath: "../other_test/x" must not need the module's own folder to exist first
    return Path(
        os.path.normpath(path if path.is_absolute() else _module_folder(location, cassette_dir) / path)
    )


def nearest_existing(path: Path) -> Path:
    """``path`` or the closest of its parents that exists (a dangling link counts): where a write
    would start making the missing folders, or what stands in their way when it is no folder."""
    for part in (path, *path.parents):
        if os.path.lexists(part):
            return part
    return path


def cassette_folder_problem(cassette_dir: str, rootdir: Path) -> str | None:
    """Why ``cassette_dir`` (relative to the rootdir) cannot hold cassettes, or None; a folder that
    does not exist yet is fine, recording makes it."""
    if "\x00" in cassette_dir:
        return f"{cassette_dir!r} holds a NUL character"
    folder = rootdir / cassette_dir
    existing = nearest_existing(folder)
    if existing.is_dir():
        return None
    shown = "it" if existing == folder else shown_path(existing)
    return f"{cassette_dir!r} cannot be the cassette folder: {shown} is not a folder"
