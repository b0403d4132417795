"""The options pipeline: every option validated once, where it arrives, each error naming its source.

Options come from four places, weakest first: the project's ini (``pyproject.toml``, ``pytest.ini``
… or ``-o``), a ``convreplay_config`` fixture, the marker, and the command line's record mode,
which beats all. Each value is converted to its type here (rules and masks parsed), so a bad value
fails with the place it was written: ``-o convreplay_record_mode``, ``[tool.pytest.ini_options]
convreplay_masks in pyproject.toml``, ``convreplay_config in tests/conftest.py``,
``@pytest.mark.convreplay on tests/test_x.py::test_y``. Lists of rules, secrets, masks and hosts add
up across the sources instead of replacing each other, so a folder cannot drop the project's rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import ConfigError, shown_path
from ..rules.defaults import check_disabled
from ..rules.masks import Mask
from ..rules.redaction import BodyPathRule, HeaderRule, QueryRule, RedactionRules, pattern_rules
from .paths import (
    NameSecrets,
    TestLocation,
    default_cassette_path,
    default_snapshot_path,
    resolve_file_option,
)
from .settings import Expiry, RecordMode, RepeatPolicy, Settings

# --- where options come from ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where a set of options was written, as messages name it."""

    where: (
        str  # "convreplay_config in tests/conftest.py", "@pytest.mark.convreplay on tests/test_x.py::test_y"
    )

    def of(self, name: str) -> str:
        """The place one option was written."""
        return f"{self.where}: option {name!r}"


@dataclass(frozen=True, slots=True)
class IniSource(Source):
    """The project's pytest configuration: the file pytest read (``config.inipath``), or ``-o``."""

    section: str = ""  # "[tool.pytest.ini_options]", "[pytest]" …; empty when no file was read
    overridden: frozenset[str] = frozenset()  # options given with -o / --override-ini

    def of(self, name: str) -> str:
        key = f"convreplay_{name}"
        if name in self.overridden:
            return f"-o {key}"
        return f"{self.section} {key} in {self.where}" if self.section else f"ini option {key}"


def ini_source(inipath: os.PathLike[str] | str | None, overridden: frozenset[str] = frozenset()) -> IniSource:
    """The ini source for the file pytest read: ``[tool.pytest.ini_options] … in pyproject.toml``."""
    if inipath is None:
        return IniSource("the command line", overridden=overridden)
    return IniSource(shown_path(Path(inipath)), _section_of(inipath), overridden)


def _section_of(inipath: os.PathLike[str] | str) -> str:
    name = os.path.basename(inipath)
    if name == "setup.cfg":
        return "[tool:pytest]"
    if name == "pyproject.toml":
        return _pyproject_table(inipath)
    return "[pytest]"


def _pyproject_table(inipath: os.PathLike[str] | str) -> str:
    """pytest 9 reads a native ``[tool.pytest]`` table as well as ``[tool.pytest.ini_options]``."""
    import tomllib

    try:
        with open(inipath, "rb") as handle:
            pytest_table = tomllib.load(handle).get("tool", {}).get("pytest", {})
    except (OSError, ValueError):
        pytest_table = {}
    return (
        "[tool.pytest.ini_options]" if "ini_options" in pytest_table or not pytest_table else "[tool.pytest]"
    )


# --- converting one value ----------------------------------------------------------------------


def _choice(enum: type[Enum]) -> Callable[[object], Any]:
    def convert(value: object) -> Any:
        try:
            return enum(str(value.value if isinstance(value, Enum) else value).lower())
        except ValueError:
            accepted = ", ".join(member.value for member in enum)
            raise ValueError(f"expected one of {accepted}, got {value!r}") from None

    return convert


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _entries(value: object) -> list[Any]:
    """A list's entries; a string is one entry (in an ini, one per line), never split further."""
    if isinstance(value, str | re.Pattern) or callable(value):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def _each(parse: Callable[[str], Any]) -> Callable[[object], tuple[Any, ...]]:
    """A list option whose entries are parsed one by one (header names, selectors, masks)."""

    def convert(value: object) -> tuple[Any, ...]:
        entries = _entries(value)
        if not all(isinstance(entry, str) for entry in entries):
            raise ValueError(f"expected strings, got {value!r}")
        return tuple(parse(entry.strip()) for entry in entries if entry.strip())

    return convert


def _name(kind: str, pattern: str) -> Callable[[str], str]:
    regex = re.compile(pattern)

    def check(entry: str) -> str:
        if not regex.fullmatch(entry):
            raise ValueError(f"{entry!r} is not {kind} (one per list entry or ini line)")
        return entry

    return check


def _values(value: object) -> tuple[str, ...]:
    """Secret values: a string is one value (it may hold spaces and commas), a list is several."""
    return tuple(str(part) for part in _entries(value))


def _patterns(value: object) -> tuple[Any, ...]:
    """Regexes (text, ``label=regex`` text or compiled, flags kept), or ``{label: regex}`` for
    placeholders named ``<REDACTED:label:…>``."""
    return tuple(pattern_rules(value if isinstance(value, Mapping) else _entries(value)))


def _callables(value: object) -> tuple[Callable[..., Any], ...]:
    items = _entries(value)
    if not all(callable(item) for item in items):
        raise ValueError("expected a callable or a list of callables")
    return tuple(items)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?b?\s*$", re.IGNORECASE)
_UNIT_BYTES = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


def parse_size(value: object) -> int:
    """A size in bytes: a whole number, or text with a unit like the README's ``64 MiB``
    (``512kB``, ``128MiB``, ``1GB``; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)."""
    match = None if isinstance(value, bool) else _SIZE.match(str(value))
    if match is not None:
        number, unit = match.group(1), (match.group(2) or "").lower()
        size = round(float(number) * _UNIT_BYTES[unit])
        if size >= 1 and (unit or number.isdigit()):  # a fraction only of a unit: 1.5GiB, not 1.5 bytes
            return size
    raise ValueError(f"expected a size in bytes such as 67108864, '512KiB', '64MiB' or '1GB', got {value!r}")


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> dt.timedelta | None:
    """``max_age`` as a timedelta: seconds, a timedelta, or text like ``30d`` / ``12h``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"expected a duration like 3600, '12h', '30d' or '2w', got {value!r}")
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _file_option(value: object, suffix: str) -> str:
    """A name or path that names a file: not empty, not a folder (``.``, ``..``, ``x/``), no NUL."""
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str):
        raise ValueError(f"expected a file name or path, got {value!r}")
    if not text.strip():
        problem = "is empty"
    elif "\x00" in text:
        problem = "holds a NUL character"
    elif Path(text).name in ("", ".", "..") or text.endswith(("/", os.sep)):
        problem = "names a folder, not a file"
    else:
        return text
    raise ValueError(
        f"{text!r} {problem}; give a file name like 'paging' (paging{suffix} in the test module's "
        "cassette folder) or a path to one"
    )


@dataclass(frozen=True, slots=True)
class Option:
    """One option users can set: how its value is converted, and how the ini spells it."""

    convert: Callable[[object], Any]
    ini_type: str | None = "string"  # pytest's ini type; None: not settable in the ini
    additive: bool = False  # adds up across sources instead of replacing


_LIST = "linelist"  # one entry per line in an ini file, a list in pyproject.toml
OPTIONS: dict[str, Option] = {
    "record_mode": Option(_choice(RecordMode)),
    "strict": Option(_flag, "bool"),
    "repeat": Option(_choice(RepeatPolicy)),
    "keep_retries": Option(_flag, "bool"),
    "check_pagination": Option(_flag, "bool"),
    "max_age": Option(parse_duration),
    "on_expired": Option(_choice(Expiry)),
    "allowed_hosts": Option(_each(_name("a host name", r"[^\s,/]+")), _LIST, additive=True),
    "max_cassette_bytes": Option(parse_size),
    "redact_headers": Option(_each(HeaderRule.parse), _LIST, additive=True),
    "redact_query_params": Option(_each(QueryRule.parse), _LIST, additive=True),
    "redact_body_paths": Option(_each(BodyPathRule.parse), _LIST, additive=True),
    "redact_patterns": Option(_patterns, _LIST, additive=True),
    "redact_callables": Option(_callables, None, additive=True),
    "redact_defaults": Option(_flag, "bool"),
    "redact_disable": Option(_each(lambda entry: check_disabled([entry])[0]), _LIST, additive=True),
    "allow_undecodable": Option(_flag, "bool"),
    "secrets": Option(_values, _LIST, additive=True),
    "secret_env": Option(
        _each(_name("an environment variable name", r"[A-Za-z_][A-Za-z0-9_]*")), _LIST, True
    ),
    "snapshot": Option(_flag, "bool"),
    "masks": Option(_each(Mask.parse), _LIST, additive=True),
    "mask_defaults": Option(_flag, "bool"),
    "renumber_ids": Option(_flag, "bool"),
}
FILE_OPTIONS = {"cassette": ".yaml", "snapshot_file": ".snapshot.yaml"}
"""Per-test file names (and the suffix a bare name gets): from the fixture and the marker, not the ini."""
OPTION_NAMES = tuple(sorted((*OPTIONS, *FILE_OPTIONS)))
INI_OPTIONS: dict[str, str] = {name: o.ini_type for name, o in OPTIONS.items() if o.ini_type is not None}
"""Option name -> the ini type pytest is told, for ``convreplay_<name>``."""


def convert_options(options: Mapping[str, Any], source: Source) -> dict[str, Any]:
    """Validate one source's options into typed values; errors name the option and its source."""
    converted: dict[str, Any] = {}
    for name, value in options.items():
        option = OPTIONS.get(name)
        if option is None and name not in FILE_OPTIONS:
            import difflib  # only a misspelt name pays for it, not every start-up

            close = difflib.get_close_matches(name, OPTION_NAMES, n=1) if isinstance(name, str) else []
            raise ConfigError(
                f"{source.where}: unknown convreplay option {name!r}"
                + (f" (did you mean {close[0]!r}?)" if close else "")
                + f"; accepted options: {', '.join(OPTION_NAMES)}",
                option=name,
                source=source.where,
            )
        try:
            converted[name] = option.convert(value) if option else _file_option(value, FILE_OPTIONS[name])
        except (ConfigError, ValueError, TypeError) as error:
            raise ConfigError(f"{source.of(name)}: {error}", option=name, source=source.of(name)) from None
    return converted


def read_ini(getini: Callable[[str], Any], source: IniSource) -> dict[str, Any]:
    """Every ``convreplay_<name>`` the project sets, converted once (at start-up, in a pytest run).
    pytest itself converts the bool and linelist ones; its refusal is named like ours."""
    import pytest  # loaded already wherever an ini is read; the CLI's other paths never need it

    values: dict[str, Any] = {}
    for name in INI_OPTIONS:
        try:
            values[name] = getini(f"convreplay_{name}")
        except (ValueError, TypeError, pytest.UsageError) as error:
            raise ConfigError(f"{source.of(name)}: {error}", option=name, source=source.of(name)) from None
    return convert_options(
        {name: value for name, value in values.items() if value not in (None, "", [])}, source
    )


# --- merging into one Settings ----------------------------------------------------------------


def running_in_ci() -> bool:
    """CI systems set CI (GitHub, GitLab, CircleCI, Buildkite…); there cassettes are never created."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def record_mode_in_force(chosen: RecordMode, *, explicit: bool, ci: bool) -> RecordMode:
    """CI never creates or rewrites cassettes unless the command line asks for it in so many words."""
    return RecordMode.NONE if ci and not explicit else chosen


def merge_options(layers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Converted options, weakest first: later ones win, additive lists add up (first entry kept)."""
    merged: dict[str, Any] = {}
    for options in layers:
        for name, value in options.items():
            option = OPTIONS.get(name)
            if option is not None and option.additive and name in merged:
                value = tuple(dict.fromkeys((*merged[name], *value)))
            merged[name] = value
    return merged


_FIELDS = frozenset(field.name for field in dataclasses.fields(Settings))


def name_secrets(merged: Mapping[str, Any]) -> NameSecrets:
    """What a test's file names must not show, from its merged options: declared secrets, the
    environment's credential variables and the secret patterns in force."""
    rules = RedactionRules.shared(
        patterns=merged.get("redact_patterns", ()),
        extend_defaults=merged.get("redact_defaults", True),
        disable=merged.get("redact_disable", ()),
    )
    return NameSecrets.of(merged.get("secrets", ()), merged.get("secret_env", ()), rules.patterns)


def build_settings(
    location: TestLocation,
    layers: Sequence[Mapping[str, Any]],
    *,
    cli_record_mode: RecordMode | None = None,
    update_snapshots: bool = False,
    pending_snapshots: bool = False,
    ci: bool = False,
    cassette_dir: str = "cassettes",
    sources: Sequence[Source] = (),
    parsed_cache_dir: Path | None = None,
) -> Settings:
    """One test's Settings from converted option layers (ini, convreplay_config, marker); ``sources``
    name the layers, for the note that CI dropped a record mode one of them set."""
    merged = merge_options(layers)
    chosen = cli_record_mode or merged.get("record_mode", RecordMode.NONE)
    merged["record_mode"] = record_mode_in_force(chosen, explicit=cli_record_mode is not None, ci=ci)
    if merged["record_mode"] is not chosen:
        setters = [source for source, layer in zip(sources, layers, strict=False) if "record_mode" in layer]
        where = setters[-1].of("record_mode") if setters else "the configuration"
        merged["record_mode_dropped"] = (
            f"CI is set, so record mode {chosen.value} ({where}) is not used: in CI only "
            "--convreplay-record-mode records"
        )
    secrets = name_secrets(merged)
    cassette = resolve_file_option(merged.pop("cassette", None), location, cassette_dir, ".yaml", secrets)
    snapshot = resolve_file_option(
        merged.pop("snapshot_file", None), location, cassette_dir, ".snapshot.yaml", secrets
    )
    return Settings(
        cassette_path=cassette or default_cassette_path(location, cassette_dir, secrets),
        snapshot_path=snapshot or default_snapshot_path(location, cassette_dir, secrets),
        update_snapshots=update_snapshots,
        pending_snapshots=pending_snapshots,
        ci=ci,
        parsed_cache_dir=parsed_cache_dir,
        **{name: value for name, value in merged.items() if name in _FIELDS},
    )
