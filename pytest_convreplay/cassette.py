"""The cassette file: vcrpy's YAML format, loaded defensively and written atomically.

Cassettes are committed and edited by hand, so loading trusts nothing: a safe YAML loader, a
size cap, no anchors/aliases (a YAML bomb is refused before it can expand), and a structural
check whose errors name the file, the interaction and what to do. Writing goes through
:func:`pytest_convreplay.atomic.write_atomic`, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from .atomic import write_atomic
from .errors import CassetteError
from .interactions import Headers, Interaction, RecordedRequest, RecordedResponse
from .yaml_events import NotPlainData, TooManyNodes, load_plain

CASSETTE_VERSION = 1
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_NODES = 1_000_000
"""About 20,000 interactions; a flood of tiny nodes this large still loads in about 3 s."""
RERECORD_HINT = "re-record it with --convreplay-record-mode=all, or fix or delete the file"

try:  # libyaml is an order of magnitude faster on multi-megabyte cassettes
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(slots=True)
class CassetteFile:
    """What a cassette holds once loaded: interactions in recorded order, plus metadata."""

    path: Path
    interactions: list[Interaction]
    metadata: dict[str, Any] = field(default_factory=dict)


def load_cassette(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_nodes: int = DEFAULT_MAX_NODES
) -> CassetteFile:
    """Read and validate a cassette; every problem becomes one CassetteError naming the file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise
    except OSError as error:
        raise CassetteError(f"{path}: cannot be read ({error.strerror})") from None
    if size > max_bytes:
        raise CassetteError(
            f"{path}: the file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit; "
            "raise the convreplay option max_cassette_bytes if it is meant to be this large"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CassetteError(
            f"{path}: not UTF-8 text (byte {error.start} is invalid); {RERECORD_HINT}"
        ) from None
    except OSError as error:
        raise CassetteError(f"{path}: cannot be read ({error.strerror})") from None
    return parse_cassette(text, path, max_nodes=max_nodes)


def parse_cassette(text: str, path: Path, *, max_nodes: int = DEFAULT_MAX_NODES) -> CassetteFile:
    """Parse cassette text; ``path`` only names the source in error messages."""
    try:
        data = load_plain_yaml(text, max_nodes=max_nodes)
    except yaml.YAMLError as error:
        raise CassetteError(f"{path}: {yaml_problem(error, text)}; {RERECORD_HINT}") from None
    return CassetteFile(path, *_validate(data, path))


def load_plain_yaml(text: str, *, max_nodes: int = DEFAULT_MAX_NODES) -> Any:
    """One YAML document of plain data, loaded safely; any problem is a ``yaml.YAMLError``.

    Shared by every reader of files people commit and edit (cassettes, snapshots), so all of
    them refuse object tags, aliases, merge keys and node floods the same way.
    """
    try:  # the common case, ~4x faster; it hands anything unusual to the hardened loader below
        return load_plain(text, max_nodes=max_nodes)
    except TooManyNodes:
        raise _too_many_nodes(max_nodes) from None
    except (NotPlainData, yaml.YAMLError):
        pass
    loader = _PlainDataLoader(text, max_nodes)
    try:
        return loader.get_single_data()
    except RecursionError:  # PyYAML builds without a nesting limit recurse once per level
        raise _Refused("nested too deeply") from None
    finally:
        loader.dispose()


def yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """What is wrong with ``text`` and where, in words, for an error of :func:`load_plain_yaml`."""
    if isinstance(error, _Refused):
        return str(error)
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        return f"invalid YAML at line {line} (character U+{code:04X} is not allowed: {error.reason})"
    where = getattr(error, "problem_mark", None)
    at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
    problem = getattr(error, "problem", None) or type(error).__name__
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.rsplit(" ", 1)[-1]
        problem = f"the tag {tag} builds objects; only plain data is loaded"
    return f"invalid YAML{at} ({problem})"


class _Refused(yaml.YAMLError):
    """Something plain data files never contain, stopped before it could cost memory or time."""


def _too_many_nodes(max_nodes: int) -> _Refused:
    return _Refused(
        f"holds more than {max_nodes:,} YAML nodes, which would take minutes to load "
        "(a cassette needs about 50 per interaction)"
    )


_MERGE_TAG = "tag:yaml.org,2002:merge"
_NO_ALIASES = (
    "committed files never contain anchors, aliases or merge keys (a 'YAML bomb' is built from them)"
)


class _PlainDataLoader(_Loader):
    """The safe (libyaml) loader, refusing while it reads what would make loading explode.

    Aliases share one node however often they are used, so a bomb composes in linear time; what
    explodes is what is done with the result. Hence a node that would be constructed a second
    time (an alias) or merged into a mapping (``<<``) is refused during construction, before any
    copy is made, and a node budget bounds the work a flood of tiny nodes would cause.
    """

    def __init__(self, text: str, max_nodes: int) -> None:
        super().__init__(text)
        self._nodes_left = max_nodes
        self._max_nodes = max_nodes

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Called once per node while composing, before the node is built: the budget check."""
        self._nodes_left -= 1
        if self._nodes_left < 0:
            raise _too_many_nodes(self._max_nodes)
        super().descend_resolver(current_node, current_index)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Refused(
                f"the node at line {node.start_mark.line + 1} is used a second time through an alias; "
                + _NO_ALIASES
            )
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: Any) -> None:
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise _Refused(f"uses a merge key (<<) at line {key_node.start_mark.line + 1}; {_NO_ALIASES}")
        super().flatten_mapping(node)


def _validate(data: object, path: Path) -> tuple[list[Interaction], dict[str, Any]]:
    if not isinstance(data, dict):
        raise CassetteError(f"{path}: expected a mapping with 'version' and 'interactions'; {RERECORD_HINT}")
    version = data.get("version")
    if version != CASSETTE_VERSION:
        raise CassetteError(
            f"{path}: cassette format version {version!r} is not supported "
            f"(this plugin reads version {CASSETTE_VERSION}); {RERECORD_HINT}"
        )
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise CassetteError(f"{path}: 'interactions' must be a list; {RERECORD_HINT}")
    meta = data.get("metadata") or {}
    if not isinstance(meta, dict):
        raise CassetteError(f"{path}: 'metadata' must be a mapping; {RERECORD_HINT}")
    for index, interaction in enumerate(interactions):
        problem = _interaction_problem(interaction)
        if problem:
            raise CassetteError(f"{path}: interaction {index}: {problem}; {RERECORD_HINT}")
    return cast(list[Interaction], interactions), meta


def _interaction_problem(interaction: object) -> str | None:
    """The first structural problem of one interaction, in words, or None.

    Checks everything replay reads, so a hand-edited value fails here with the file's name
    instead of deep inside vcrpy or httpx in the middle of a test.
    """
    if not isinstance(interaction, dict):
        return "expected a mapping with 'request' and 'response'"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "missing 'request' or 'response'"
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str):
            return f"request.{key} must be a string"
    if not isinstance(request.get("body"), str | bytes | None):
        return "request.body must be text, binary or null"
    status = response.get("status")
    if not isinstance(status, dict) or not _is_status_code(status.get("code")):
        return "response.status.code must be an HTTP status code (an integer from 100 to 599)"
    if not isinstance(status.get("message", ""), str | None):
        return "response.status.message must be a string"
    for side, part in (("request", request), ("response", response)):
        headers = part.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(values, list) and all(isinstance(value, str) for value in values)
            for values in headers.values()
        ):
            return f"{side}.headers must map names to lists of strings"
    body = response.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("string", ""), str | bytes):
        return "response.body.string must be text"
    return None


def _is_status_code(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def dump_cassette(interactions: Iterable[Interaction], metadata: Mapping[str, Any]) -> str:
    """Serialize in vcrpy's format with a stable key order, so re-recording gives the same file."""
    document: dict[str, Any] = {"version": CASSETTE_VERSION, "interactions": list(interactions)}
    if metadata:
        document["metadata"] = dict(metadata)
    return dump_yaml(document)


def dump_yaml(document: Any) -> str:
    """YAML text for plain data as cassettes and snapshots store it (see ``TextDumper``). Lines are
    never folded (width -1): a value folded at a space would hide a secret from the text scans."""
    text = yaml.dump(document, Dumper=TextDumper, sort_keys=False, allow_unicode=True, width=-1)
    if _ESCAPED_ASTRAL.search(text):  # libyaml escapes emoji and other non-BMP text; PyYAML does not
        text = yaml.dump(document, Dumper=PyTextDumper, sort_keys=False, allow_unicode=True, width=-1)
    return text


_ESCAPED_ASTRAL = re.compile(r"\\U[0-9A-F]{8}")


class TextDumper(_Dumper):
    """Multi-line text (JSON bodies, long messages) as ``|`` blocks, so that a changed field is a
    one-line git diff; and every value in full, even one object shared by several interactions (a
    headers dict the redaction reused), because an alias in the file would make the loader refuse it.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


class PyTextDumper(yaml.SafeDumper):
    """``TextDumper`` on PyYAML's own emitter: slower, but it writes emoji as they are, where
    libyaml would turn a whole multi-line message into one escaped line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: yaml.representer.SafeRepresenter, text: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself where a block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


TextDumper.add_representer(str, _represent_text)
PyTextDumper.add_representer(str, _represent_text)


def save_cassette(
    path: Path,
    interactions: list[Interaction],
    metadata: Mapping[str, Any],
    *,
    check: Callable[[list[Interaction], str], None] = lambda interactions, text: None,
) -> None:
    """Serialize, let ``check`` veto the exact text (the secret gate), then write atomically."""
    text = dump_cassette(interactions, metadata)
    check(interactions, text)
    write_atomic(path, text)


def recording_metadata(interactions: Iterable[Interaction], record_mode: str) -> dict[str, Any]:
    """Facts that explain a cassette later: when, with what, against which server."""
    base_urls = sorted({_origin(i["request"]["uri"]) for i in interactions})
    return {
        "recorded_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "record_mode": record_mode,
        "base_urls": base_urls,
        "versions": {
            "pytest-convreplay": _version("pytest-convreplay"),
            "openai": _version("openai"),
            "vcrpy": _version("vcrpy"),
            "python": platform.python_version(),
        },
    }


def recorded_at(metadata: Mapping[str, Any]) -> dt.datetime | None:
    """When the cassette was recorded, if its metadata says so (plain vcrpy cassettes do not)."""
    value = metadata.get("recorded_at")
    if isinstance(value, dt.datetime):  # YAML turns unquoted timestamps into datetimes
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _origin(uri: str) -> str:
    """Scheme, host and port: an origin has no userinfo, where a token is often put."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _version(distribution: str) -> str | None:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return None


# --- conversion between vcrpy's in-memory objects and the on-disk shape -------------------------


def text_or_bytes(value: object) -> Any:
    """Bodies are stored as text when they are UTF-8, which keeps cassettes reviewable in git."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    return value


def _headers_of(raw: object) -> Headers:
    """vcrpy keeps request headers as a case-insensitive str->str map; the file keeps name->[values]."""
    if isinstance(raw, Mapping):
        return {
            str(name): [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for name, value in raw.items()
        }
    return {}


# Headers that change with every run or machine and that no client reads back on replay. They are
# not recorded, so re-recording the same conversation gives the same file (and a smaller one):
# the SDK's x-stainless-* platform headers, transport headers, and the API's timing/edge headers.
VOLATILE_REQUEST_HEADERS = frozenset(
    {"user-agent", "connection", "host", "accept-encoding", "content-length"}
)
VOLATILE_RESPONSE_HEADERS = frozenset(
    {"date", "openai-processing-ms", "cf-ray", "cf-cache-status", "alt-svc", "x-envoy-upstream-service-time"}
)
VOLATILE_PREFIXES = ("x-stainless-",)


def _stable(headers: Headers, volatile: frozenset[str]) -> Headers:
    return {
        name: values
        for name, values in headers.items()
        if name.lower() not in volatile and not name.lower().startswith(VOLATILE_PREFIXES)
    }


def to_interaction(request: Any, response: Mapping[str, Any]) -> Interaction:
    """The on-disk form of a vcrpy ``Request`` and response dict (no secrets removed yet)."""
    body = request.body
    recorded_request: RecordedRequest = {
        "method": str(request.method),
        "uri": str(request.uri),
        "body": text_or_bytes(body) if body is not None else None,
        "headers": _stable(_headers_of(request.headers), VOLATILE_REQUEST_HEADERS),
    }
    status = response.get("status") or {}
    recorded_response: RecordedResponse = {
        "status": {"code": int(status.get("code", 0)), "message": str(status.get("message") or "")},
        "headers": _stable(_headers_of(response.get("headers") or {}), VOLATILE_RESPONSE_HEADERS),
        "body": {"string": text_or_bytes((response.get("body") or {}).get("string", b""))},
    }
    return {"request": recorded_request, "response": recorded_response}


def response_for_vcr(response: RecordedResponse) -> dict[str, Any]:
    """A response dict as vcrpy's stubs expect it: bytes body, list-valued headers."""
    body: Any = response["body"].get("string", "")
    return {
        "status": {"code": response["status"]["code"], "message": response["status"].get("message", "")},
        "headers": response.get("headers", {}),
        "body": {"string": body.encode("utf-8") if isinstance(body, str) else body},
    }
