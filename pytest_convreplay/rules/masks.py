"""Masks: the volatile fields of items that snapshots and diffs compare as ``<masked>``.

A mask is a selector of the one grammar (:mod:`~pytest_convreplay.rules.selector`) read against
an item: its first step names the item type when it is ``*`` (every type) or a type of the
catalogue (``message.content[*].logprobs``); otherwise the whole selector applies to every item
(``metadata["x-trace"]``, ``**.created_at``). So a field path as a diff prints it
(:func:`item_path`) can be pasted into ``masks=`` as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ..model.catalogue import ITEM_TYPES
from .selector import NAME, Selector, Step, Wildcard, selector_error

MASKED: Final = "<masked>"


@dataclass(frozen=True, slots=True)
class Mask:
    """Replace the values at ``steps`` in items of ``item_type`` (``None``: every type)."""

    item_type: str | None
    steps: tuple[Step, ...]
    selector: str

    @classmethod
    def parse(cls, text: str) -> Mask:
        """Parse a mask; a ConfigError names it and the column that is wrong."""
        steps = Selector.parse(text, what="mask").steps
        first = steps[0]
        if not (first is Wildcard.ANY or (isinstance(first, str) and first in ITEM_TYPES)):
            return cls(None, steps, text)  # a field path of every item type
        if len(steps) == 1:
            problem = "expected a path after the item type, e.g. 'reasoning.encrypted_content'"
            raise selector_error("mask", text, len(text), problem)
        if isinstance(steps[1], int) or steps[1] is Wildcard.ANY_INDEX:
            problem = "the path must start with a field name, not an index"
            raise selector_error("mask", text, text.index("["), problem)
        return cls(None if first is Wildcard.ANY else str(first), steps[1:], text)

    def __str__(self) -> str:
        return self.selector


def parse_masks(masks: Iterable[Mask | str]) -> tuple[Mask, ...]:
    """Masks from selectors or Mask objects, as options may hold either."""
    return tuple(mask if isinstance(mask, Mask) else Mask.parse(mask) for mask in masks)


def item_path(item_type: str, path: str) -> str:
    """A field path of an item as ``masks=`` reads it: the path itself, or prefixed by the item type
    where its first field would otherwise be read as an item type (``configuration_update.reasoning``)."""
    first = NAME.match(path)
    if first is not None and path[first.end() : first.end() + 1] in ("", ".", "[") and first[0] in ITEM_TYPES:
        return f"{item_type}.{path}"
    return path


DEFAULT_MASKS: Final[tuple[Mask, ...]] = parse_masks(
    [
        # Encrypted reasoning and compaction blobs are re-encrypted (fresh nonce) on every run,
        # so they never compare equal even when the reasoning is identical.
        "*.encrypted_content",
        # Timestamps differ on every recording by definition.
        "*.created_at",
        # Sampling noise: token logprobs move in the last digits between runs of the same prompt.
        "message.content[*].logprobs",
    ]
)
"""Fields known to change on every recording without meaning anything.

Deliberately not masked: ``status`` (completed → incomplete is a real regression), ids (renumber
them instead, so call/output links are still checked) and ``image_generation_call.result`` (the
output itself; mask it per test if the image does not matter).
"""
