"""Reading what a client sent the emulator, validated as the API does, with its error bodies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..errors import EmulatorApiError
from ..model.listing import ListQuery

JSONBody = dict[str, Any]
_METADATA_LIMITS = (16, 64, 512)  # pairs, key length, value length
MAX_ITEMS_PER_REQUEST = 20


class ReceivedRequest(NamedTuple):
    """One request as the emulator saw it; header names are lower-cased."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]


def not_found(what: str, ident: str, param: str) -> EmulatorApiError:
    return EmulatorApiError(404, f"{what} with id '{ident}' not found.", param=param)


def missing(param: str) -> EmulatorApiError:
    return EmulatorApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def metadata_of(value: Any) -> dict[str, str]:
    pairs, key_len, value_len = _METADATA_LIMITS
    if value is None:
        return {}
    if (
        not isinstance(value, dict)
        or len(value) > pairs
        or not all(isinstance(k, str) and len(k) <= key_len for k in value)
        or not all(isinstance(v, str) and len(v) <= value_len for v in value.values())
    ):
        raise EmulatorApiError(
            400,
            f"Invalid 'metadata': expected at most {pairs} string pairs, keys up to {key_len} "
            f"and values up to {value_len} characters.",
            param="metadata",
            code="invalid_value",
        )
    return dict(value)


def item_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise EmulatorApiError(
            400, "Invalid type for 'items': expected an array.", param="items", code="invalid_type"
        )
    if len(value) > MAX_ITEMS_PER_REQUEST:
        raise EmulatorApiError(
            400,
            f"Invalid 'items': array too long. Expected an array with maximum length "
            f"{MAX_ITEMS_PER_REQUEST}, but got an array with length {len(value)} instead.",
            param="items",
            code="array_above_max_length",
        )
    return value


def include_of(pairs: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The validated ``include[]`` values of a request that takes no other list parameter."""
    return list_query([pair for pair in pairs if pair[0] in ("include", "include[]")]).include


def list_query(pairs: Sequence[tuple[str, str]]) -> ListQuery:
    try:
        return ListQuery.from_pairs(pairs)
    except ValueError as exc:
        param = str(exc).split(":", 1)[0].removesuffix("[]")
        raise EmulatorApiError(400, f"Invalid '{param}': {exc}", param=param, code="invalid_value") from None


def json_body(body: bytes) -> JSONBody:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise EmulatorApiError(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
            "your HTTP library correctly. The OpenAI API expects a JSON payload.)",
        )
    return value
