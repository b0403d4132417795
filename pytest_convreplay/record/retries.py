"""Retried failures: a 429/5xx the SDK retried into a success is not kept, so replay never sleeps
through its backoff."""

from __future__ import annotations

from collections.abc import Sequence

from ..model.interactions import Interaction
from ..model.requests import RequestKey, request_key

# Statuses the openai SDK retries (see DESIGN.md); anything else is the client's final answer.
_RETRIED_STATUSES = frozenset({408, 409, 429})


def drop_retried_failures(
    interactions: Sequence[Interaction], attempts: Sequence[int | None] | None = None
) -> list[Interaction]:
    """The recording without failures the client retried into a success.

    Replaying a 429/5xx would make the SDK sleep through its backoff on every run. A failure is
    dropped only when every later answer to the same request (the replay key) up to a 2xx is
    also a retried failure; failures the client ended with are kept. ``attempts`` are the SDK's
    ``x-stainless-retry-count`` per request where known: a request sent as attempt 0 is a new
    call by the application, so a failure before it was seen by the application and is kept.
    """

    def key(interaction: Interaction) -> RequestKey:
        request = interaction["request"]
        return request_key(request["method"], request["uri"], request["body"])

    attempt_of = list(attempts) if attempts is not None else [None] * len(interactions)
    succeeds_later: dict[RequestKey, bool] = {}
    kept: list[Interaction] = []
    for interaction, attempt in zip(reversed(interactions), reversed(attempt_of), strict=True):
        status = interaction["response"]["status"]["code"]
        same_request = key(interaction)
        if status in _RETRIED_STATUSES or status >= 500:
            dropped = succeeds_later.get(same_request, False)
            if attempt == 0:  # the start of the SDK's retries: nothing earlier was retried into it
                succeeds_later[same_request] = False
            if dropped:
                continue
        else:
            succeeds_later[same_request] = 200 <= status < 300 and attempt != 0  # attempt 0: not a retry
        kept.append(interaction)
    kept.reverse()
    return kept
