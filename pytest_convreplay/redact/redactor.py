"""One set of redaction rules applied to strings, URIs, headers and bodies (JSON, forms, event streams).

JSON bodies are redacted field by field and rewritten in their own layout only when a field
changed; strings that hold JSON (``arguments``, ``output``) are redacted as JSON, so body paths
apply inside them; http(s) URLs inside text get the query rules (presigned URLs).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

from ..model.interactions import Headers, dump_json, header_values, json_body, json_container
from ..model.multipart import (
    MULTIPART,
    FormPart,
    boundary_of,
    canonical_boundary,
    is_binary_digest,
    read_parts,
    write_parts,
)
from ..model.streams import is_event_stream, split_lines, sse_data, stream_events
from ..rules.credentials import is_credential_name
from ..rules.redaction import PatternRule, RedactionRules, Side, hashed_placeholder, placeholder
from ..rules.selector import JsonPath
from .patterns import pattern_set

_MAX_PASSES = 8


class Redactor:
    """Applies one RedactionRules to strings, URIs, headers and bodies."""

    def __init__(
        self,
        rules: RedactionRules,
        learned: tuple[PatternRule, ...] = (),
        *,
        found: list[tuple[str, str]] | None = None,
    ) -> None:
        self.rules = rules
        self._patterns = pattern_set((*rules.patterns, *learned))
        self._found = found  # (label, value) of every value a header, query or body rule replaced

    def _replaced(self, label: str, value: str, placeholder: str) -> str:
        if self._found is not None and value != placeholder:
            self._found.append((label, value))
        return placeholder

    # Strings ------------------------------------------------------------------------------

    def patterns(self, text: str) -> str:
        """Pattern hits replaced until the text no longer changes (a replacement can expose a new
        match boundary, e.g. a lookbehind that now sees ``>``)."""
        for _ in range(_MAX_PASSES):
            if not self._patterns.may_hit(text):  # most strings: one scan, and nothing to do
                break
            redacted = self._patterns_once(text)
            if redacted == text:
                break
            text = redacted
        return text

    def _patterns_once(self, text: str) -> str:
        for rule in self._patterns.rules:
            pieces: list[str] = []
            last = 0
            for start, end, _ in self._patterns.hits_unchecked(text, (rule,)):
                if start < last:
                    continue
                pieces += (
                    text[last:start],
                    hashed_placeholder(rule.label, text[start:end], self.rules.hash_key),
                )
                last = end
            if pieces:
                text = "".join(pieces) + text[last:]
        return text

    def string(self, text: str, path: JsonPath) -> str:
        """A JSON string value: nested JSON first (so paths apply inside it; a JSON string literal,
        ``json.dumps`` of a str, counts too), then URLs and patterns."""
        nested, repeated = _parsed(text)
        if nested is None and text.startswith('"'):
            nested = json_body(text)
            if isinstance(nested, str):
                redacted_text = self.string(nested, path)
                return dump_json(redacted_text) if redacted_text != nested else text
            nested = None
        if nested is not None:
            redacted = self.json(nested, path)
            if redacted != nested or repeated:
                text = dump_json(redacted, separators=(",", ":"))
        return self.text(text)

    def text(self, text: str) -> str:
        """Free text: http(s) URLs get the URI rules (a presigned URL's ``sig``), then patterns,
        until nothing changes: a pattern hit can end where a URL starts (``sk-…http://@host``),
        and only the next pass sees that URL (redaction must be idempotent)."""
        for _ in range(_MAX_PASSES):
            redacted = _URL_RE.sub(lambda found: self.uri(found.group()), text) if "://" in text else text
            redacted = self.patterns(redacted)
            if redacted == text:
                break
            text = redacted
        return text

    def json(self, value: Any, path: JsonPath) -> Any:
        rule = self.rules.body_rule(path)
        if rule is not None:
            return self._credential(value, path, rule.label, rule.placeholder)
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, dict):
            return self._object(value, path)
        if isinstance(value, list):
            return self._array(value, path)
        return value

    def _object(self, value: dict[str, Any], path: JsonPath) -> dict[str, Any]:
        """``{patterns(key): json(item)}``, or ``value`` itself when nothing in it changed (most
        objects: copying every one doubled what a recording holds in memory)."""
        redacted: dict[str, Any] | None = None
        for position, (key, item) in enumerate(value.items()):
            new_key, new_item = self.patterns(key), self.json(item, (*path, key))
            if redacted is None and (new_key is not key or new_item is not item):
                redacted = dict(itertools.islice(value.items(), position))
            if redacted is not None:
                redacted[new_key] = new_item
        return value if redacted is None else redacted

    def _array(self, value: list[Any], path: JsonPath) -> list[Any]:
        redacted: list[Any] | None = None
        for index, item in enumerate(value):
            new_item = self.json(item, (*path, index))
            if redacted is None and new_item is not item:
                redacted = value[:index]
            if redacted is not None:
                redacted.append(new_item)
        return value if redacted is None else redacted

    def _credential(self, value: Any, path: JsonPath, label: str, placeholder: str) -> Any:
        """What a body rule hit, its shape and types kept: a string becomes the placeholder; in an
        object, only the strings under credential keys (``value``, ``key``, names that read like a
        credential) do, and the rest (``object``, ``type``, ``id``, timestamps) is redacted as
        anywhere else; numbers, booleans and null stay what they are."""
        if isinstance(value, str):
            return self._replaced(label, value, placeholder)
        if isinstance(value, list):
            return [self._credential(item, (*path, i), label, placeholder) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {
                self.patterns(key): self._credential(item, (*path, key), label, placeholder)
                if _is_credential_key(key)
                else self.json(item, (*path, key))
                for key, item in value.items()
            }
        return value

    # URIs -----------------------------------------------------------------------------------

    def query(self, query: str, host: str | None = None) -> str:
        """Query values by name (``host`` decides host-bound rules) or by pattern; untouched pairs
        keep their exact bytes and order."""
        if not query:
            return query
        pairs: list[str] = []
        for pair in query.split("&"):
            raw_name, equals, raw_value = pair.partition("=")
            name = unquote_plus(raw_name)
            rule = self.rules.query_rule(name, host)
            value = unquote_plus(raw_value)
            if rule is not None and equals:
                redacted = self._replaced(rule.name, value, rule.placeholder)
            else:
                redacted = self.patterns(value)
            pairs.append(f"{raw_name}={quote(redacted, safe='')}" if redacted != value else pair)
        return "&".join(pairs)

    def uri(self, uri: str) -> str:
        """Userinfo (a token is often the username alone: ``https://<token>@host``) becomes one
        placeholder; path patterns and query rules apply (to a fragment of ``name=value`` pairs too).
        Text that only looks like a URL
        (``https://[your-domain]/v1`` in a model's answer, which urlsplit refuses) gets the patterns."""
        try:
            parts = urlsplit(uri)
        except ValueError:
            # a placeholder can make the text parse (``<`` ends what looked like a scheme), and
            # then its query rules apply: read it once more, so that redaction stays idempotent
            patterned = self.patterns(uri)
            return uri if patterned == uri else self.uri(patterned)
        netloc = parts.netloc
        userinfo, at, host = netloc.rpartition("@")
        if at and unquote(userinfo) != _USERINFO:
            netloc = f"{quote(_USERINFO, safe='')}@{host}"
        clear_path = unquote(parts.path)
        path = self.patterns(clear_path)
        path = parts.path if path == clear_path else quote(path, safe="/")
        host_name = parts.hostname or ""
        # an OAuth implicit grant puts its tokens in the fragment (#access_token=…&token_type=bearer)
        fragment = (
            self.query(parts.fragment, host_name) if "=" in parts.fragment else self.patterns(parts.fragment)
        )
        redacted = (parts.scheme, netloc, path, self.query(parts.query, host_name), fragment)
        return uri if redacted == tuple(parts) else _unsplit(*redacted)

    # Headers and bodies ---------------------------------------------------------------------

    def headers(self, headers: Headers, side: Side) -> Headers:
        out: dict[str, Any] = {}
        for name, values in headers.items():
            rule = self.rules.header_rule(side, name)
            redact: Callable[[str], str]
            if rule is not None:
                redact = functools.partial(self._replaced, rule.name, placeholder=rule.placeholder)
            else:
                redact = self.uri if name.lower() in _URL_HEADERS else self.patterns
            out[name] = redact(values) if isinstance(values, str) else [redact(value) for value in values]
        return out

    def body(self, body: str | bytes | None, headers: Headers) -> str | bytes | None:
        if not isinstance(body, str) or not body:
            return body
        kind = ",".join(header_values(headers, "content-type"))
        if "application/x-www-form-urlencoded" in kind.lower():
            return self.patterns(self.query(body))
        if is_event_stream(headers):
            return self._event_stream(body)
        if MULTIPART in kind.lower():
            return self._form(body, headers, kind)
        return self.document(body)

    def _form(self, body: str, headers: Headers, kind: str) -> str:
        """A ``multipart/form-data`` body part by part: a field named like a credential
        (``api_key``, ``password``) by the query rules, like the same field of a form-encoded body;
        every other text part as a document, its filename by the patterns. A changed form is written
        with the canonical boundary of its redacted parts (one drawn from the parts before would be a
        digest of the secret), and ``headers``' content type is given that boundary."""
        boundary = boundary_of(kind)
        parts = read_parts(body.encode("utf-8", "surrogateescape"), boundary) if boundary else None
        if parts is None:
            return self.document(body)
        redacted = tuple(self._form_part(part) for part in parts)
        if redacted == parts:
            return body
        new_boundary = canonical_boundary(redacted)
        for name, values in headers.items():
            if name.lower() == "content-type":
                headers[name] = [value.replace(str(boundary), new_boundary) for value in values]
        return write_parts(redacted, new_boundary)

    def _form_part(self, part: FormPart) -> FormPart:
        rule = self.rules.query_rule(part.name) if part.name is not None else None
        if rule is not None:
            content = self._replaced(rule.name, part.content, rule.placeholder)
        elif is_binary_digest(part.content):
            content = part.content
        else:
            content = self.document(part.content)
        filename = self.patterns(part.filename) if part.filename is not None else None
        return FormPart(part.name, filename, part.content_type, content)

    def _event_stream(self, body: str) -> str:
        """An event stream line by line (CR, LF and CRLF all end a line; each is kept as it was),
        and an event whose data spans several lines as that data joined, as clients read it: a
        changed one is written back as one ``data:`` line per line of its redacted data."""
        pieces = split_lines(body)  # [line, end, line, end, …, line]
        lines = pieces[::2]
        rewritten: dict[int, str] = {}
        dropped: set[int] = set()
        for event in stream_events(lines):
            if len(event.lines) == 1:
                continue
            redacted = self.document(event.data)
            if redacted != event.data:
                first, *rest = event.lines
                end = pieces[2 * first + 1]
                rewritten[first] = end.join(f"data: {line}" for line in redacted.split("\n"))
                dropped.update(rest)
        out: list[str] = []
        for index, line in enumerate(lines):
            if index in dropped:
                continue
            out.append(rewritten[index] if index in rewritten else self._event_line(line))
            if 2 * index + 1 < len(pieces):
                out.append(pieces[2 * index + 1])
        return "".join(out)

    def document(self, text: str) -> str:
        """JSON text field by field (rewritten, in its own layout, only when a field changed);
        other text as free text. A byte order mark before the JSON is kept (clients skip it)."""
        document, repeated = _parsed(text)
        if document is None:
            # a replaced span can leave JSON behind (a key's match took the raw control character
            # that kept it from parsing): it is then read as JSON, so a second pass changes nothing
            redacted_text = self.text(text)
            if redacted_text == text:
                return text
            document, repeated = _parsed(redacted_text)
            if document is None:
                return redacted_text
            text = redacted_text
        redacted = self.json(document, ())
        if (redacted is document or redacted == document) and not repeated:
            return self.patterns(text)
        indent = 2 if "\n" in text.strip() else None
        separators = (",", ": ") if indent else (",", ":")
        bom = text[: len(text) - len(text.lstrip(_BOM))]
        return bom + dump_json(redacted, indent=indent, separators=separators)

    def _event_line(self, line: str) -> str:
        """One line of a server-sent event stream: a ``data:`` line is a JSON event of its own."""
        data = sse_data(line)
        if data is None:
            return self.patterns(line)
        start = len("data:") + line.startswith("data: ")
        return line[:start] + self.document(data) + line[start + len(data) :]


def _unsplit(scheme: str, netloc: str, path: str, query: str, fragment: str) -> str:
    """urlunsplit that keeps an empty authority: for ``////a@b/p`` (netloc empty, path ``//a@b/p``)
    it drops the ``//`` before Python 3.12, and the result parses with ``a@b`` as its authority,
    so a second redaction pass would redact that userinfo."""
    if not netloc and path.startswith("//"):
        prefix = f"{scheme}:" if scheme else ""
        return prefix + "//" + urlunsplit(("", "", path, query, fragment))
    return urlunsplit((scheme, netloc, path, query, fragment))


_URL_RE = re.compile(r"""https?://[^\s"'<>\\]+""", re.IGNORECASE)
_URL_HEADERS = ("location", "content-location")
_BOM = "\ufeff"


def _parsed(text: str) -> tuple[Any, bool]:
    """The JSON object or array ``text`` holds (or None), and whether an object in it repeats a
    key: the text is then rewritten whole, or the value a parser drops (the first) would be kept
    unredacted behind a redacted twin."""
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        value = dict(items)
        repeated = repeated or len(value) != len(items)
        return value

    return json_container(text, object_pairs_hook=pairs), repeated


def _is_credential_key(key: str) -> bool:
    """A key whose string holds the credential in an object a body rule hit (``api_key.value``)."""
    return key.lower() in ("value", "key", "secret") or is_credential_name(key)


_USERINFO = placeholder("userinfo")


def redact_text(text: str, rules: RedactionRules) -> str:
    """Free text (an assertion message) with the rules' pattern hits replaced."""
    return Redactor(rules).patterns(text)


def redact_uri(uri: str, rules: RedactionRules) -> str:
    """The URI with query values (by name or pattern), path secrets and passwords redacted.

    Name-based placeholders do not depend on the value, so the live request (real key) and the
    cassette (placeholder) normalize to the same URI; parameter order and repeats are kept.
    """
    return Redactor(rules).uri(uri)
