"""The cassette file: vcrpy's YAML format, validated on load so a hand edit fails with its file's name.

Cassettes are committed and edited by hand, so loading checks the structure of everything replay
reads; errors name the file, the interaction and what to do. They are written through
:func:`~pytest_convreplay.storage.write.write_document`, the one write path.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from ..errors import CassetteError
from ..model.interactions import Interaction, RecordedResponse, header_values, origin_of
from .parsed import ParsedCache, collection_paused
from .reading import FileTooLarge, UnreadableFile, read_regular_file
from .yaml_io import DEFAULT_MAX_NODES, load_plain_yaml, yaml_problem

CASSETTE_VERSION = 1
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
RERECORD_HINT = "re-record it with --convreplay-record-mode=all, or fix or delete the file"


@dataclass(slots=True)
class CassetteFile:
    """What a cassette holds once loaded: interactions in recorded order, plus metadata, and the
    positions whose JSON answer is known to parse (checked when the cassette was cached; others
    are checked when first replayed)."""

    path: Path
    interactions: list[Interaction]
    metadata: dict[str, Any] = field(default_factory=dict)
    sound_bodies: frozenset[int] = frozenset()


def load_cassette(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
    cache: ParsedCache | None = None,
) -> CassetteFile:
    """Read and validate a cassette; every problem becomes one CassetteError naming the file.
    FileNotFoundError (a dangling symbolic link too) means there is no cassette yet. With a
    ``cache``, a file whose bytes were parsed and validated before is neither parsed nor checked
    again (see :mod:`.parsed`): the entry holds what validation made of it and its verdicts."""
    data = _read_cassette_bytes(path, max_bytes)
    with collection_paused():
        if cache is not None:
            try:
                return _from_entry(path, cache.load(data, max_nodes))
            except KeyError:
                pass
        text = _utf8(data, path)
        try:
            loaded = load_plain_yaml(text, max_nodes=max_nodes)
        except yaml.YAMLError as error:
            raise CassetteError(f"{path}: {yaml_problem(error, text)}; {RERECORD_HINT}", path=path) from None
        interactions, metadata = validate_cassette(loaded, path)
        if cache is None:
            return CassetteFile(path, interactions, metadata)
        sound = frozenset(
            position
            for position, interaction in enumerate(interactions)
            if json_body_problem(interaction["response"]) is None
        )
        cache.store(data, max_nodes, {"cassette": loaded, "sound_bodies": sorted(sound)})
        return CassetteFile(path, interactions, metadata, sound)


def _from_entry(path: Path, entry: Any) -> CassetteFile:
    """A cache entry as stored by :func:`load_cassette`: KeyError for any other shape (an entry of
    another kind), so the file is parsed instead."""
    try:
        cassette, sound = entry["cassette"], entry["sound_bodies"]
        return CassetteFile(path, cassette["interactions"], cassette.get("metadata") or {}, frozenset(sound))
    except (TypeError, AttributeError) as error:
        raise KeyError("not a cassette entry") from error


def read_cassette_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of a committed file (a cassette, or any file ``convreplay scan`` reads): a regular
    file, UTF-8, at most ``max_bytes``; FileNotFoundError when there is none, else CassetteError."""
    return _utf8(_read_cassette_bytes(path, max_bytes), path)


def _read_cassette_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        return read_regular_file(path, max_bytes)
    except FileTooLarge as error:
        raise CassetteError(
            f"{path}: the file is {error.size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit; "
            "raise the convreplay option max_cassette_bytes if it is meant to be this large",
            path=path,
        ) from None
    except UnreadableFile as error:
        raise CassetteError(f"{path}: cannot be read ({error})", path=path) from None


def _utf8(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CassetteError(
            f"{path}: not UTF-8 text (byte {error.start} is invalid); {RERECORD_HINT}", path=path
        ) from None


def parse_cassette(text: str, path: Path, *, max_nodes: int = DEFAULT_MAX_NODES) -> CassetteFile:
    """Parse cassette text; ``path`` only names the source in error messages."""
    try:
        data = load_plain_yaml(text, max_nodes=max_nodes)
    except yaml.YAMLError as error:
        raise CassetteError(f"{path}: {yaml_problem(error, text)}; {RERECORD_HINT}", path=path) from None
    return CassetteFile(path, *validate_cassette(data, path))


def validate_cassette(data: object, path: Path) -> tuple[list[Interaction], dict[str, Any]]:
    """The interactions and metadata of loaded cassette data, or a CassetteError naming ``path``,
    the interaction and what is wrong with it."""
    problem = _not_a_cassette(data)
    if problem is not None or not isinstance(data, dict):
        raise CassetteError(
            f"{path}: not a cassette: {problem}; a cassette is a mapping with 'version: 1' and "
            f"'interactions', as recording writes it; {RERECORD_HINT}",
            path=path,
        )
    version = data.get("version")
    if version != CASSETTE_VERSION:
        raise CassetteError(
            f"{path}: cassette format version {version!r} is not supported "
            f"(this plugin reads version {CASSETTE_VERSION}); {RERECORD_HINT}",
            path=path,
        )
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        raise CassetteError(f"{path}: 'interactions' must be a list; {RERECORD_HINT}", path=path)
    meta = data.get("metadata") or {}
    if not isinstance(meta, dict):
        raise CassetteError(f"{path}: 'metadata' must be a mapping; {RERECORD_HINT}", path=path)
    for index, interaction in enumerate(interactions):
        problem = _interaction_problem(interaction)
        if problem:
            raise CassetteError(f"{path}: interaction {index}: {problem}; {RERECORD_HINT}", path=path)
        _complete(interaction)
    return cast(list[Interaction], interactions), meta


def _not_a_cassette(data: object) -> str | None:
    """What a file that is no cassette holds instead (``convreplay show x.json``), or None."""
    if data is None:
        return "the file is empty"
    if not isinstance(data, dict):
        return f"the file holds a {type(data).__name__}, not a mapping"
    if "snapshots" in data and "interactions" not in data:
        return "this is a snapshot file (snapshot files are named *.snapshot.yaml)"
    if "interactions" not in data:
        return "it has no 'interactions'" + ("" if "version" in data else " and no 'version'")
    if "version" not in data:
        return "it has 'interactions' but no 'version'"
    return None


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
    try:
        urlsplit(request["uri"])
    except ValueError as error:  # the URI itself is not shown: a hand-edited one may hold a secret
        return f"request.uri is not a valid URL ({error})"
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
            isinstance(name, str) and isinstance(values, list) and all(isinstance(v, str) for v in values)
            for name, values in headers.items()
        ):
            return f"{side}.headers must map names to lists of strings"
    body = response.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("string", ""), str | bytes):
        return "response.body.string must be text"
    return None


def json_body_problem(response: RecordedResponse) -> str | None:
    """What is wrong with a response body whose content-type says JSON but that is not JSON (a hand
    edit that broke it), in words; None for a sound body or one of another type.

    JSON nested too deep for Python's parser, or with an integer longer than it converts (4300
    digits), is left alone: the server sent it so, and the client reads it on replay as it would
    have live.
    """
    media_types = [
        value.partition(";")[0].strip().lower()
        for value in header_values(response["headers"], "content-type")
    ]
    if not any(media == "application/json" or media.endswith("+json") for media in media_types):
        return None
    body: object = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        if header_values(response["headers"], "content-encoding"):
            return None  # compressed as recorded: the client decodes it
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as error:
            return f"byte {error.start} is not UTF-8"
    if not isinstance(body, str) or not body.strip():
        return None
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        return f"{error.msg} at line {error.lineno}, column {error.colno}"
    except (RecursionError, ValueError):
        return None
    return None


def _complete(interaction: dict[str, Any]) -> None:
    """Fill in what a hand-written cassette may leave out (vcrpy writes every one of them), so that
    every reader finds each field of the format."""
    request, response = interaction["request"], interaction["response"]
    request.setdefault("body", None)
    request.setdefault("headers", {})
    response.setdefault("headers", {})
    response["status"].setdefault("message", "")
    response["body"].setdefault("string", "")


def _is_status_code(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def cassette_document(interactions: Iterable[Interaction], metadata: Mapping[str, Any]) -> dict[str, Any]:
    """vcrpy's format with a stable key order, so re-recording gives the same file."""
    document: dict[str, Any] = {"version": CASSETTE_VERSION, "interactions": list(interactions)}
    if metadata:
        document["metadata"] = dict(metadata)
    return document


def recording_metadata(interactions: Iterable[Interaction], record_mode: str) -> dict[str, Any]:
    """Facts that explain a cassette later: when, with what, against which server."""
    base_urls = sorted({origin_of(i["request"]["uri"]) for i in interactions})
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


def _version(distribution: str) -> str | None:
    from importlib import metadata as importlib_metadata  # only recording asks: not loaded for reading

    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return None
