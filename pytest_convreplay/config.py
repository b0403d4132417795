"""One typed settings object per test, merged from ini, command line, ``convreplay_config`` and marker.

Options arrive as loose strings and dicts from four places; they are validated here once, with
errors that name the option, where it came from and the accepted values, so that every other
module works with a frozen, typed :class:`Settings`.
"""

from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .redact import PatternRule, pattern_rules


class RecordMode(StrEnum):
    """When the network may be used and what is written (vcrpy's modes, same names)."""

    NONE = "none"  # replay only; any request the cassette lacks fails; nothing leaves the machine
    ONCE = "once"  # record when the cassette is missing, otherwise replay only
    NEW_EPISODES = "new_episodes"  # replay what is there, record what is not
    ALL = "all"  # re-record everything


class Expiry(StrEnum):
    """What to do with a cassette older than ``max_age``."""

    WARN = "warn"
    FAIL = "fail"
    RERECORD = "rerecord"


class RepeatPolicy(StrEnum):
    """How identical repeated requests are answered when the cassette holds fewer answers."""

    REPEAT_LAST = "repeat_last"  # answers in recorded order, then the last one again
    ERROR = "error"  # answers in recorded order, then an unmatched-request error


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that decides how one test records, redacts, replays and snapshots."""

    cassette_path: Path
    snapshot_path: Path
    record_mode: RecordMode = RecordMode.NONE
    strict: bool = False
    repeat: RepeatPolicy = RepeatPolicy.REPEAT_LAST
    keep_retries: bool = False
    check_pagination: bool = True
    max_age: dt.timedelta | None = None
    on_expired: Expiry = Expiry.WARN
    allowed_hosts: tuple[str, ...] = ()
    max_cassette_bytes: int = 64 * 1024 * 1024
    redact_headers: tuple[str, ...] = ()
    redact_query_params: tuple[str, ...] = ()
    redact_body_paths: tuple[str, ...] = ()
    redact_patterns: tuple[PatternRule, ...] = ()
    redact_callables: tuple[Callable[..., Any], ...] = ()
    redact_defaults: bool = True
    allow_undecodable: bool = False
    secrets: tuple[str, ...] = ()
    secret_env: tuple[str, ...] = ()
    snapshot: bool = False
    masks: tuple[str, ...] = ()
    mask_defaults: bool = True
    renumber_ids: bool = False
    update_snapshots: bool = False
    ci: bool = False


# Option name -> how to turn a user's value into the field's type.
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


def _strings(value: object) -> tuple[str, ...]:
    """Names and paths: a list, or text separated by commas, spaces or lines (also in a list)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(part for item in value for part in re.split(r"[\s,]+", str(item)) if part)


def _values(value: object) -> tuple[str, ...]:
    """Secret values: a string is one value (it may hold spaces and commas), a list is several."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(str(part) for part in value)
    raise ValueError(f"expected a string or a list of strings, got {value!r}")


def _patterns(value: object) -> tuple[PatternRule, ...]:
    """Regexes (text, ``label=regex`` text or compiled, flags kept), or ``{label: regex}`` for
    placeholders named ``<REDACTED:label:…>``."""
    if not isinstance(value, Mapping | str | re.Pattern | Sequence):
        raise ValueError(f"expected regular expressions or a {{label: regex}} mapping, got {value!r}")
    try:
        return tuple(pattern_rules([value] if isinstance(value, str | re.Pattern) else value))
    except ConfigError as error:
        raise ValueError(str(error)) from None


def _callables(value: object) -> tuple[Callable[..., Any], ...]:
    items = [value] if callable(value) else value
    if not isinstance(items, Sequence) or not all(callable(item) for item in items):
        raise ValueError("expected a callable or a list of callables")
    return tuple(items)


def _positive_int(value: object) -> int:
    number = int(str(value))
    if number <= 0:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return number


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


CONVERTERS: dict[str, Callable[[object], Any]] = {
    "record_mode": _choice(RecordMode),
    "strict": _flag,
    "repeat": _choice(RepeatPolicy),
    "keep_retries": _flag,
    "check_pagination": _flag,
    "max_age": parse_duration,
    "on_expired": _choice(Expiry),
    "allowed_hosts": _strings,
    "max_cassette_bytes": _positive_int,
    "redact_headers": _strings,
    "redact_query_params": _strings,
    "redact_body_paths": _values,  # a selector may quote a key holding spaces or commas
    "redact_patterns": _patterns,
    "redact_callables": _callables,
    "redact_defaults": _flag,
    "allow_undecodable": _flag,
    "secrets": _values,
    "secret_env": _strings,
    "snapshot": _flag,
    "masks": _strings,
    "mask_defaults": _flag,
    "renumber_ids": _flag,
}
# Options that are not Settings fields of the same name but are accepted from users.
PATH_OPTIONS = ("cassette", "snapshot_file")
OPTION_NAMES = tuple(sorted((*CONVERTERS, *PATH_OPTIONS)))
# Options that make sense in pyproject's [tool.pytest.ini_options] as convreplay_<name>, with the
# ini type that lets TOML lists and booleans through as they are (pytest warns on a list given to a
# plain string option): flags are bools, names lists, regexes and secret values one per line.
_INI_TYPES: dict[Callable[[object], Any], str] = {
    _flag: "bool",
    _strings: "linelist",
    _patterns: "linelist",
    _values: "linelist",
}
INI_OPTIONS: dict[str, str] = {
    name: _INI_TYPES.get(convert, "string")
    for name, convert in CONVERTERS.items()
    if name != "redact_callables"
}


# Lists that add up across ini, convreplay_config and marker instead of replacing each other, so
# a folder's or a test's extra rules never drop the project's redaction rules, secrets or masks.
ADDITIVE_OPTIONS = frozenset(
    {
        "redact_headers",
        "redact_query_params",
        "redact_body_paths",
        "redact_patterns",
        "redact_callables",
        "secrets",
        "secret_env",
        "masks",
        "allowed_hosts",
    }
)


def convert_options(options: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Validate one source's options into typed values; errors name the option and the source."""
    converted: dict[str, Any] = {}
    for name, value in options.items():
        if name in PATH_OPTIONS:
            converted[name] = value
            continue
        convert = CONVERTERS.get(name)
        if convert is None:
            raise ConfigError(
                f"{source}: unknown convreplay option {name!r}; accepted options: {', '.join(OPTION_NAMES)}"
            )
        try:
            converted[name] = convert(value)
        except (ValueError, TypeError) as error:
            raise ConfigError(f"{source}: option {name!r}: {error}") from None
    return converted


@dataclass(frozen=True, slots=True)
class TestLocation:
    """Where a test lives, which decides where its files go by default."""

    rootdir: Path
    module_path: Path  # the test file
    test_name: str  # the test's name, with its class and parameters (``TestX.test_y[1]``)


def default_cassette_path(location: TestLocation, cassette_dir: str) -> Path:
    """``<rootdir>/<cassette_dir>/<test module path without .py>/<test name>.yaml``."""
    return _module_folder(location, cassette_dir) / f"{_safe_name(location.test_name)}.yaml"


def default_snapshot_path(location: TestLocation, cassette_dir: str) -> Path:
    """``<test name>.snapshot.yaml`` beside the default cassette: one file per test, also when tests
    share a cassette, so their snapshots never overwrite each other."""
    return _module_folder(location, cassette_dir) / f"{_safe_name(location.test_name)}.snapshot.yaml"


def _module_folder(location: TestLocation, cassette_dir: str) -> Path:
    try:
        relative = location.module_path.relative_to(location.rootdir)
    except ValueError:
        relative = Path(location.module_path.name)
    base = Path(cassette_dir)
    base = base if base.is_absolute() else location.rootdir / base
    return base / relative.with_suffix("")


def _safe_name(name: str) -> str:
    """Parametrized ids may hold characters no filesystem likes; keep the rest readable. A name that
    had to change gets a short hash of the original, so ``x/y`` and ``x:y`` keep separate files."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)
    if safe == name:
        return name
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def build_settings(
    location: TestLocation,
    *,
    ini: Mapping[str, Any],
    config_fixture: Mapping[str, Any],
    marker: Mapping[str, Any],
    cli_record_mode: str | None,
    update_snapshots: bool,
    ci: bool,
    cassette_dir: str = "cassettes",
) -> Settings:
    """Merge the sources, later ones winning: ini < convreplay_config < marker; the CLI's record mode
    wins over all of them, because re-recording a suite is a command-line decision."""
    merged: dict[str, Any] = {}
    for options, source in (
        (ini, "[tool.pytest.ini_options]"),
        (config_fixture, "convreplay_config fixture"),
        (marker, f"@pytest.mark.convreplay on {location.test_name}"),
    ):
        for name, value in convert_options(options, source).items():
            if name in ADDITIVE_OPTIONS and name in merged:
                value = tuple(dict.fromkeys((*merged[name], *value)))
            merged[name] = value
    explicit = cli_record_mode is not None
    if explicit:
        merged["record_mode"] = convert_options({"record_mode": cli_record_mode}, "--convreplay-record-mode")[
            "record_mode"
        ]
    if ci and not explicit and merged.get("record_mode", RecordMode.NONE) is not RecordMode.NONE:
        # CI never creates or rewrites cassettes unless the command line asks for it in so many words.
        merged["record_mode"] = RecordMode.NONE
    cassette_path = _resolve(merged.pop("cassette", None), location, cassette_dir, ".yaml")
    if cassette_path is None:
        cassette_path = default_cassette_path(location, cassette_dir)
    snapshot_path = _resolve(merged.pop("snapshot_file", None), location, cassette_dir, ".snapshot.yaml")
    if snapshot_path is None:
        snapshot_path = default_snapshot_path(location, cassette_dir)
    fields = {f.name for f in dataclasses.fields(Settings)}
    return Settings(
        cassette_path=cassette_path,
        snapshot_path=snapshot_path,
        update_snapshots=update_snapshots,
        ci=ci,
        **{name: value for name, value in merged.items() if name in fields},
    )


def _resolve(value: object, location: TestLocation, cassette_dir: str, suffix: str) -> Path | None:
    """A user-given file name: absolute as is, otherwise inside the test module's cassette folder."""
    if value is None:
        return None
    path = Path(str(value))
    if not path.name.lower().endswith((".yaml", ".yml")):  # "gpt-4.1" is a name, not a suffix
        path = path.with_name(path.name + suffix)
    # normpath: "../other_test/x" must not need the module's own folder to exist first
    return Path(
        os.path.normpath(path if path.is_absolute() else _module_folder(location, cassette_dir) / path)
    )


# pytest's own order of configuration files within one folder, and where each keeps its options.
_INI_FILES = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", "tool.pytest.ini_options"),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)


def project_ini_options(start: Path) -> tuple[dict[str, Any], str | None]:
    """The ``convreplay_<name>`` options of the project's pytest configuration (the first file
    pytest would use, from ``start`` upwards), for the command line's scan and redact, and the
    file's name; ``({}, None)`` when there is none."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name, section in _INI_FILES:
            file = folder / name
            if file.is_file() and (values := _section(file, section)) is not None:
                names = {f"convreplay_{option}": option for option in INI_OPTIONS}
                options = {
                    names[key]: _ini_value(value, INI_OPTIONS[names[key]])
                    for key, value in values.items()
                    if key in names
                }
                return options, str(file)
    return {}, None


def _section(file: Path, section: str) -> dict[str, Any] | None:
    if file.suffix == ".toml":
        data: Any = tomllib.loads(file.read_text(encoding="utf-8"))
        for part in section.split("."):
            data = data.get(part) if isinstance(data, dict) else None
        return data if isinstance(data, dict) else None
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(file, encoding="utf-8")
    return dict(parser[section]) if parser.has_section(section) else None


def _ini_value(value: Any, ini_type: str) -> Any:
    """As pytest hands it over: a ``linelist`` written as text is one entry per line."""
    if ini_type == "linelist" and isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value
