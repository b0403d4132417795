"""The scalars a committed file may hold, built so that every bad one is a YAML error with its line.

PyYAML's safe constructor turns some scalars into plain Python exceptions instead of YAML errors:
an impossible date (``2024-02-30``, ValueError), ``!!bool maybe`` (KeyError), ``!!timestamp nope``
(AttributeError), ``!!float ''`` (IndexError), an integer beyond Python's 4,300-digit limit. A
hand edit must fail with the file's name and line like any other YAML problem, so construction is
wrapped here once, for the fast loader and the full one alike. Only plain data is built: no
``!!set``, ``!!omap`` or ``!!pairs`` (sets and tuple lists no reader of these files expects).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import Node, ScalarNode

PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "seq", "map")
)

MAX_INT_DIGITS = 4300
"""Python's own limit on converting integers to and from decimal text (``sys.int_info``)."""
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626)  # log2(10) bits per decimal digit

_SCALAR_FAILURES = (ValueError, KeyError, AttributeError, IndexError, TypeError, OverflowError)


class PlainConstructor(SafeConstructor):
    """The safe constructor limited to plain data, refusing bad scalars with a ConstructorError."""

    yaml_constructors = {
        tag: constructor
        for tag, constructor in SafeConstructor.yaml_constructors.items()
        if tag in PLAIN_TAGS
    } | {None: SafeConstructor.construct_undefined}

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:str":
            return super().construct_object(node, deep)
        return plain_scalar(node, lambda: super(PlainConstructor, self).construct_object(node, deep))


def plain_scalar(node: ScalarNode, construct: Any) -> Any:
    """``construct()``'s value for ``node``, any failure of it raised as a ConstructorError."""
    name = node.tag.rpartition(":")[2]
    if name == "int" and len(node.value) > MAX_INT_DIGITS:  # sexagesimal ints cost quadratic time
        raise _bad_scalar(node, f"an integer of more than {MAX_INT_DIGITS:,} digits")
    try:
        value = construct()
    except yaml.YAMLError:
        raise
    except _SCALAR_FAILURES as error:  # only a ValueError's own words say more than the tag does
        detail = f" ({error})" if type(error) is ValueError else ""
        raise _bad_scalar(node, f"not a valid {name}{detail}") from None
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:  # hex and octal ones too
        raise _bad_scalar(node, f"an integer of more than {MAX_INT_DIGITS:,} digits")
    return value


def _bad_scalar(node: ScalarNode, problem: str) -> ConstructorError:
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return ConstructorError(
        None,
        None,
        f"the value {shown!r} is {problem}; quote it, without a !! tag, to keep it as text",
        node.start_mark,
    )
