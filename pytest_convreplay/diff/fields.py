"""Field-level comparison: every differing leaf of two items, with a path of the selector grammar.

JSON strings (``arguments``, ``output`` …) are compared as JSON, so a re-serialised but equal
argument object is no change and a changed one is reported as ``arguments.city``.
"""

from __future__ import annotations

from typing import Any, Final

from ..model.interactions import json_container
from ..rules.selector import join_path
from .model import MISSING, FieldChange


def same(old: Any, new: Any) -> bool:
    """JSON equality: Python's ``==`` plus ``true`` never equal to ``1`` (``True == 1`` in Python,
    but an argument turning from a boolean into a number is a change a snapshot must show)."""
    return bool(old == new) and _same_bools(old, new)


_MAY_HIDE_A_BOOL: Final = frozenset({bool, int, float, dict, list})  # str/None leaves equal only themselves


def _same_bools(old: Any, new: Any) -> bool:
    """Given ``old == new``: whether booleans sit in the same places on both sides. Strings, the
    most common leaves, are skipped without a call: equal to a string means being one. (Loops, not
    ``all()`` over a generator: this walks every node of a 10,000-item snapshot that still holds.)"""
    kind = type(old)
    if kind is dict:
        for key, value in old.items():
            if type(value) in _MAY_HIDE_A_BOOL and not _same_bools(value, new[key]):
                return False
        return True
    if kind is list:
        for value, other in zip(old, new, strict=True):
            if type(value) in _MAY_HIDE_A_BOOL and not _same_bools(value, other):
                return False
        return True
    return (kind is bool) == (type(new) is bool)


def _compare(old: Any, new: Any, path: str, out: list[FieldChange]) -> None:
    """Append the changes from ``old`` to ``new``; the caller has checked that they differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in new:
                out.append(FieldChange(join_path(path, key), value, MISSING))
            elif not same(value, new[key]):
                _compare(value, new[key], join_path(path, key), out)
        out.extend(
            FieldChange(join_path(path, key), MISSING, value) for key, value in new.items() if key not in old
        )
    elif isinstance(old, list) and isinstance(new, list):
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            if not same(before, after):
                _compare(before, after, join_path(path, index), out)
        out.extend(FieldChange(join_path(path, i), old[i], MISSING) for i in range(len(new), len(old)))
        out.extend(FieldChange(join_path(path, i), MISSING, new[i]) for i in range(len(old), len(new)))
    elif isinstance(old, str) and isinstance(new, str):
        old_json, new_json = json_container(old), json_container(new)
        if old_json is None or new_json is None:
            out.append(FieldChange(path, old, new))
        elif not same(old_json, new_json):
            _compare(old_json, new_json, path, out)
    else:
        out.append(FieldChange(path, old, new))


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Every differing leaf between two items, with paths like ``content[0].text`` or ``arguments.city``."""
    out: list[FieldChange] = []
    if not same(old, new):
        _compare(old, new, "", out)
    return out
