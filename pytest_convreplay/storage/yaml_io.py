"""Plain-data YAML, the format of every file people commit: loaded safely, written unfolded.

Loading trusts nothing: a safe loader, no anchors/aliases/merge keys (a YAML bomb is refused
before it can expand), a node budget; the common case goes through the event-stream fast path
of :mod:`.yaml_events`. Writing keeps multi-line text as ``|`` blocks and never folds a line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .yaml_events import MAX_DEPTH, NotPlainData, TooManyNodes, load_plain
from .yaml_scalars import PlainConstructor

DEFAULT_MAX_NODES = 1_000_000
"""About 20,000 interactions; a flood of tiny nodes this large still loads in about 3 s."""

try:  # libyaml is an order of magnitude faster on multi-megabyte cassettes
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


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
        kind = "builds objects" if "python/" in tag else "is not plain data"
        problem = f"the tag {tag} {kind}; only plain data is loaded"
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


class _PlainDataLoader(PlainConstructor, _Loader):
    """The safe (libyaml) loader, refusing while it reads what would make loading explode.

    Aliases share one node however often they are used, so a bomb composes in linear time; what
    explodes is what is done with the result. Hence a node that would be constructed a second
    time (an alias) or merged into a mapping (``<<``) is refused during construction, before any
    copy is made, a node budget bounds the work a flood of tiny nodes would cause, and a depth
    limit the recursion of every reader of the result. Scalars are built as plain data only.
    """

    def __init__(self, text: str, max_nodes: int) -> None:
        super().__init__(text)
        self._nodes_left = max_nodes
        self._max_nodes = max_nodes
        self._depth = 0

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Called once per node while composing, before the node is built: budget and depth checks."""
        self._nodes_left -= 1
        if self._nodes_left < 0:
            raise _too_many_nodes(self._max_nodes)
        self._depth += 1
        if self._depth > MAX_DEPTH + 1:  # containers deep, plus the scalar leaf the fast path does not count
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep; plain data files never are")
        super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        self._depth -= 1
        super().ascend_resolver()

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


def dump_yaml(document: Any) -> str:
    """YAML text for plain data as cassettes and snapshots store it (see ``TextDumper``). Lines are
    never folded (width -1): a value folded at a space would hide a secret from the text scans."""
    text = yaml.dump(document, Dumper=TextDumper, sort_keys=False, allow_unicode=True, width=-1)
    if _ESCAPED_ASTRAL.search(text):  # libyaml escapes emoji and other non-BMP text; PyYAML does not
        # PyYAML's own emitter reads width=-1 as "unset" and folds at 80 columns: give it no limit
        text = yaml.dump(document, Dumper=PyTextDumper, sort_keys=False, allow_unicode=True, width=_NO_FOLD)
    return text


_NO_FOLD = 2**31 - 1


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
