"""What a test's snapshots depend on, typed once from its Settings, and items prepared as stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.settings import Settings
from ..diff.ids import renumber_ids
from ..diff.masking import apply_masks
from ..errors import ConvreplayWarning, MaskWarning, SnapshotError, quoted_nodeid, warn_at_user_code
from ..model.item_dicts import to_item_dicts
from ..rules.masks import DEFAULT_MASKS, Mask
from ..rules.redaction import PatternRule

Item = dict[str, Any]
SNAPSHOT_TAKES = (
    "conv_snapshot.assert_match takes an openai SDK item or list page, an item dict with a 'type' "
    "(as the API returns it), or a list of those"
)


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    """Everything a test's snapshots depend on, typed once from its Settings."""

    path: Path
    test: str  # the node id, shown in messages and commands
    masks: tuple[Mask, ...] = DEFAULT_MASKS
    renumber_ids: bool = False
    update: bool = False
    ci: bool = False
    pending: bool = False  # leave new and changed snapshots as pending files for review
    secret_env: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    patterns: tuple[PatternRule, ...] = ()
    parsed_cache_dir: Path | None = None  # where parsed snapshot files are kept (pytest's cache)

    @classmethod
    def from_settings(cls, settings: Settings, *, test: str) -> SnapshotOptions:
        for mask in settings.masks:
            _warn_if_unknown(mask)
        return cls(
            path=settings.snapshot_path,
            test=test,
            masks=settings.all_masks,
            renumber_ids=settings.renumber_ids,
            update=settings.update_snapshots,
            pending=settings.pending_snapshots,
            ci=settings.ci,
            secret_env=settings.secret_env,
            secrets=settings.secrets,
            patterns=settings.redaction_rules().patterns,
            parsed_cache_dir=settings.parsed_cache_dir,
        )

    @property
    def may_write(self) -> bool:
        """Only an explicit update writes, and never under CI: CI checks what was committed."""
        return self.update and not self.ci

    @property
    def may_propose(self) -> bool:
        """Pending files are written only when asked for (the plugin lets CI ask only explicitly)."""
        return self.pending and not self.may_write

    @property
    def update_command(self) -> str:
        return f"pytest --convreplay-update {quoted_nodeid(self.test)}"

    def prepare(self, items: Any, name: str = "") -> list[Item]:
        """Items as stored and compared: plain dicts, renumbered if asked, then masked.

        They are also checked against the item models, so that an item type or field this version
        does not know is reported (a SchemaDriftWarning per type and field), never dropped.
        What is not items is a SnapshotError naming the snapshot, the item and what is taken.
        """
        from ..model.items import check_items  # the models load only when a snapshot is taken

        _warn_if_one_page_of_more(items, self.test)
        try:
            dicts = to_item_dicts(items, owned=True)  # the test may change its items after asserting
            check_items(dicts)
        except TypeError as error:
            snapshot = f"snapshot {name!r}" if name else "snapshot"
            raise SnapshotError(
                f"{self.test}: {snapshot} not taken: {error}; {SNAPSHOT_TAKES}", path=self.path
            ) from None
        if self.renumber_ids:
            dicts = renumber_ids(dicts)
        return apply_masks(dicts, self.masks) if self.masks else dicts


def _warn_if_unknown(mask: Mask) -> None:
    """A typed mask whose first field the item models do not know (``reasoning.sumary``) is
    reported, not refused: a field newer than these models is still maskable."""
    from ..model.items import item_fields

    first = mask.steps[0]
    fields = item_fields(mask.item_type) if mask.item_type is not None else None
    if fields is not None and isinstance(first, str) and first not in fields:
        known = ", ".join(sorted(fields - {"type"}))
        warn_at_user_code(
            MaskWarning(
                f"mask {mask.selector!r}: {mask.item_type} items have no field {first!r} (they have {known})"
            )
        )


def _warn_if_one_page_of_more(items: Any, test: str) -> None:
    """A page object (SDK page or the API's list envelope) whose ``has_more`` is true holds part of
    the conversation: snapshotting it is seldom what was meant, so say how to take all of it."""
    has_more = items.get("has_more") if isinstance(items, dict) else getattr(items, "has_more", None)
    if has_more is True:
        data = items.get("data") if isinstance(items, dict) else getattr(items, "data", None)
        count = len(data) if isinstance(data, list) else "some"
        warn_at_user_code(
            ConvreplayWarning(
                f"{test}: the snapshot is one page of a longer listing ({count} items, has_more is true); "
                "pass every item (list(page) reads every page of an SDK page), or use "
                "@pytest.mark.convreplay(snapshot=True)"
            )
        )
