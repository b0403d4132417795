"""Plain-data YAML straight from libyaml's events: the fast path of loading a cassette.

PyYAML's loaders build a node graph, call a Python resolver for every scalar, then walk the graph
again with a recursive constructor; on a cassette of 500 pages (4.5 MB, ~100,000 nodes, mostly
headers) that is about 0.3 s, several times the replay itself. Cassettes hold plain data only:
block and flow mappings and sequences of str/int/float/bool/null (timestamps and ``!!binary`` in
hand-written ones). Building that from the parser's event stream with one loop and a small cache
of resolved plain scalars takes a fifth of the time and gives the same values.

Anything else — anchors, aliases, merge keys, other tags, unhashable keys, several documents, more
nodes than allowed, deep nesting — raises :class:`NotPlainData`, and the caller loads the text with its full,
hardened loader instead, which accepts or refuses it with the usual messages. So this path never
decides what a cassette may contain; it only makes the common case fast.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml import events
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .yaml_scalars import PlainConstructor

try:
    from yaml import CSafeLoader as _EventSource
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _EventSource = None  # type: ignore[assignment,misc]

_STR = "tag:yaml.org,2002:str"
_CORE_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
MAX_DEPTH = 100
"""Nesting beyond any plain data file: a cassette nests 6 deep, a snapshot item some 10 more, and
every reader walks the values recursively."""


class NotPlainData(Exception):
    """The text uses something beyond plain data; load it with the full loader instead."""


class TooManyNodes(NotPlainData):
    """More nodes than allowed: refuse at once, since the full loader would only count them again."""


class _Scalars:
    """Plain scalars resolved and constructed once per distinct text (header values repeat a lot)."""

    def __init__(self) -> None:
        self._resolver = Resolver()
        self._constructor = PlainConstructor()
        self._plain: dict[str, Any] = {}

    def plain(self, value: str) -> Any:
        try:
            return self._plain[value]
        except KeyError:
            pass
        tag: str = self._resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        result = self.tagged(tag, value, None)
        self._plain[value] = result
        return result

    def tagged(self, tag: str, value: str, style: str | None) -> Any:
        if tag == _STR:
            return value
        if tag not in _CORE_SCALARS:
            raise NotPlainData(tag)
        try:
            return self._constructor.construct_object(ScalarNode(tag, value, style=style), deep=True)
        except yaml.YAMLError:  # a bad scalar: the full loader says so, with its line
            raise NotPlainData(tag) from None


def load_plain(text: str, *, max_nodes: int) -> Any:
    """The single document of ``text`` as dicts, lists and scalars, or :class:`NotPlainData`.

    Scanner and parser errors (``yaml.YAMLError``) propagate: the text is not YAML at all.
    """
    if _EventSource is None:
        raise NotPlainData("libyaml is not available")
    loader = _EventSource(text)
    try:
        return _build(loader.get_event, max_nodes)
    finally:
        loader.dispose()


def _build(next_event: Any, max_nodes: int) -> Any:
    scalars = _Scalars()
    containers: list[Any] = []  # open mappings and sequences, innermost last
    pending: list[Any] = []  # per open mapping: the key waiting for its value, or _NO_KEY
    root: Any = None
    documents = 0
    nodes_left = max_nodes
    scalar_event, mapping_start, sequence_start = (
        events.ScalarEvent,
        events.MappingStartEvent,
        events.SequenceStartEvent,
    )
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    while True:
        event = next_event()
        kind = type(event)
        if kind is scalar_event:
            nodes_left -= 1
            if event.anchor is not None:
                raise NotPlainData("anchor")
            tag = event.tag
            if tag is None or tag == "!":
                value = scalars.plain(event.value) if event.implicit[0] and tag is None else event.value
            else:
                value = scalars.tagged(tag, event.value, event.style)
        elif kind is mapping_start or kind is sequence_start:
            nodes_left -= 1
            if nodes_left < 0:
                raise TooManyNodes(max_nodes)
            if event.anchor is not None or (event.tag not in (None, "!") and not _default_tag(event)):
                raise NotPlainData("anchor or tag on a collection")
            if len(containers) >= MAX_DEPTH:
                raise NotPlainData("nested deeper than plain data files go")
            containers.append({} if kind is mapping_start else [])
            pending.append(_NO_KEY)
            continue
        elif kind is mapping_end or kind is sequence_end:
            value = containers.pop()
            pending.pop()
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise NotPlainData("several documents")
            continue
        elif kind is events.StreamEndEvent:
            return root
        elif kind is events.AliasEvent:
            raise NotPlainData("alias")
        elif event is None:  # the stream ended without its end event: not the events this module knows
            raise NotPlainData("unexpected end of the event stream")
        else:  # stream start, document end
            continue
        if nodes_left < 0:
            raise TooManyNodes(max_nodes)
        if not containers:
            root = value
            continue
        top = containers[-1]
        if type(top) is list:
            top.append(value)
            continue
        key = pending[-1]
        if key is _NO_KEY:
            if type(value) is dict or type(value) is list:
                raise NotPlainData("unhashable key")
            pending[-1] = value
        else:
            top[key] = value
            pending[-1] = _NO_KEY


def _default_tag(event: Any) -> bool:
    tag = event.tag
    if type(event) is events.MappingStartEvent:
        return bool(tag == "tag:yaml.org,2002:map")
    return bool(tag == "tag:yaml.org,2002:seq")


_NO_KEY: Any = object()
