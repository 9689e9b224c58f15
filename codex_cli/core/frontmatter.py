"""Find, load and locate YAML frontmatter without ever changing a byte.

Loading is read-only and safe: no object construction, and dates stay text
(`2026-02-00` is a string, not an error). Most frontmatter in a knowledge base
is flat `key: value` lines and block lists; those take a small fast path whose
result is checked against libyaml by a property test. Anything else goes to
libyaml (PyYAML's C loader).

Round-trip edits are not done here: commands edit the character spans that
`value_spans` reports, so that no other byte of the frontmatter changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from sys import intern
from typing import Any

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """Where the frontmatter is: YAML text is text[start:end]."""

    start: int
    end: int
    body_start: int
    closed: bool


class FrontmatterError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based line within the note, when known


def locate(text: str) -> Block | None:
    """The frontmatter block of a note, or None when the note has none."""
    offset = 1 if text.startswith("\ufeff") else 0
    opening = _OPEN.match(text, offset)
    if opening is None:
        return None
    start = opening.end()
    if text.startswith(("---", "..."), start) and _CLOSE.match(text, start):
        closing: re.Match[str] | None = _CLOSE.match(text, start)
    else:
        closing = _CLOSE.search(text, start)
    if closing is None:
        return Block(start, len(text), len(text), closed=False)
    body_start = closing.end()
    if text.startswith("\n", body_start):
        body_start += 1
    return Block(start, closing.start(), body_start, closed=True)


# --- loading -----------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"[^\W\d_][^\t]*", re.UNICODE)
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DQ = re.compile(r'"([^"\\]*)"')
_SQ = re.compile(r"'([^']*)'")
_INTERN_UP_TO = 24
_RESERVED = frozenset(
    "y n yes no on off true false null".split()
)


def _scalar(raw: str) -> str | None:
    """The value of a one-line scalar when it is simple enough; else None."""
    if not raw or "\r" in raw or "\x85" in raw or "\u2028" in raw or "\u2029" in raw:
        return None  # characters YAML reads as line breaks
    first = raw[0]
    if first == '"':
        m = _DQ.fullmatch(raw)
        return m.group(1) if m else None
    if first == "'":
        m = _SQ.fullmatch(raw)
        return m.group(1) if m else None
    if _DATE_LIKE.fullmatch(raw):
        return raw
    if not _PLAIN_SAFE.fullmatch(raw):
        return None
    if ": " in raw or " #" in raw or raw.endswith(":") or raw.lower() in _RESERVED:
        return None
    return raw


# One line of the simple subset, matched at a line start: group 1-2 a
# `key:` line and the rest of it, 3-4 a block-list item (a line that starts
# with a space, a tab or `-` can only be an item), else a comment or an
# empty line. The groups are greedy (a lazy group before the trailing white
# space would be retried at every character); `_trimmed` drops what the
# subset leaves out of a value.
_SIMPLE_LINE = re.compile(r"(?:([A-Za-z_][A-Za-z0-9_-]*):([^\n]*)|([ \t]*)- ([^\n]*)|#[^\n\r\x85\u2028\u2029]*\r?|\r?)(?:\n|\Z)")

Line = tuple[str | None, str, int, Any]


def _trimmed(value: str) -> str:
    """A value without its line's trailing `\r` and the spaces and tabs before it."""
    if value.endswith("\r"):
        value = value[:-1]
    return value.rstrip(" \t")


def _simple_lines(text: str, start: int, end: int) -> list[Line] | None:
    """The lines of frontmatter in the simple subset, or None for anything else.

    The one reading of that subset (flat `key: value` lines, `key: []`, and
    block lists of one-line scalars at one indentation), shared by the fast
    loader and the fast span finder so that they can never disagree. Each
    entry is (key, raw value, offset of the value, value) for a key line (raw
    '' opens a block list, whose value is then None) or (None, raw item,
    offset, value) for a list item.
    """
    out: list[Line] = []
    seen: set[str] = set()
    open_list = False  # a `key:` line whose items may follow
    items = 0
    indent = ""
    pos = start
    for m in _SIMPLE_LINE.finditer(text, start, end):
        if m.start() != pos:
            return None  # a line outside the subset
        pos = m.end()
        name, rest, lead, item = m.groups()
        if name is not None:
            if name in seen or name.lower() in _RESERVED:
                return None
            if open_list and not items:
                return None  # `key:` with nothing under it is null, not a list
            seen.add(name)
            raw = _trimmed(rest.lstrip(" \t"))
            if rest and rest[0] not in " \t" and raw:
                return None  # `key:value` is not a key line
            if raw == "":
                open_list, items = True, 0
                stop = m.end() - 1 if text.startswith("\n", m.end() - 1) else m.end()
                out.append((name, "", stop, None))
                continue
            open_list, items = False, 0
            at = m.end(1) + 1 + (len(rest) - len(rest.lstrip(" \t")))
            if raw == "[]":
                out.append((name, raw, at, None))
                continue
            value = _scalar(raw)
            if value is None:
                return None
            out.append((name, raw, at, value))
        elif item is not None:
            if not open_list or "\t" in lead:  # YAML refuses tabs as indentation
                return None
            if items == 0:
                indent = lead
            elif lead != indent:
                return None  # a deeper `- x` continues the scalar above it
            raw = _trimmed(item)
            value = _scalar(raw)
            if value is None:
                return None
            items += 1
            out.append((None, raw, m.start(4), value))
    if pos < end or (open_list and not items):
        return None
    return out


def _fast_load(yaml_text: str) -> dict[str, Any] | None:
    """Flat mappings of simple scalars and block lists; None means 'ask libyaml'."""
    lines = _simple_lines(yaml_text, 0, len(yaml_text))
    return None if lines is None else _meta_of(lines)


def _meta_of(lines: list[Line]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    current: list[Any] = []
    for name, _raw, _, value in lines:
        if name is None:
            current.append(value)
            continue
        key = intern(name)
        if value is None:  # '' or '[]': a list
            current = []
            data[key] = current
            continue
        # Keys and short values (type, confidence, domain, dates) recur in every
        # note: one shared string each keeps the parsed vault smaller in memory
        # and in the cache.
        data[key] = intern(value) if len(value) <= _INTERN_UP_TO else value
    return data


def read(
    text: str, block: Block, fields: frozenset[str] | set[str], links: bool = False
) -> tuple[dict[str, Any], list[ValueSpan]]:
    """`load` and `value_spans` at once, reading simple frontmatter only once.

    Raises FrontmatterError as `load` does.
    """
    links = links and text.find("[[", block.start, block.end) != -1
    lines = _simple_lines(text, block.start, block.end)
    if lines is not None:
        return _meta_of(lines), _spans_of(lines, fields, links)
    meta = load(text[block.start : block.end])
    return meta, (value_spans(text, block, fields, links) if links or fields & meta.keys() else [])


def _loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class TextDatesLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps timestamps as text."""

    resolvers = {
        first: [(tag, rx) for tag, rx in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in base.yaml_implicit_resolvers.items()
    }
    TextDatesLoader.yaml_implicit_resolvers = resolvers
    return TextDatesLoader


_LOADER: type | None = None


def loader() -> type:
    global _LOADER
    if _LOADER is None:
        _LOADER = _loader()
    return _LOADER


# Frontmatter is a few fields (the largest in teleo-codex is under 2 KB); a
# note's is read only up to this size, so a hostile note cannot cost minutes.
MAX_FRONTMATTER_CHARS = 64 * 1024


def yaml_load(yaml_text: str) -> Any:
    """Safe YAML without anchors or aliases (FrontmatterError): an alias can expand a few
    lines into gigabytes ("billion laughs"), and frontmatter never needs one."""
    import yaml

    if len(yaml_text) > MAX_FRONTMATTER_CHARS:
        raise FrontmatterError(f"frontmatter is {len(yaml_text)} characters; the limit is {MAX_FRONTMATTER_CHARS}", 1)
    if "&" in yaml_text or "*" in yaml_text:
        for event in yaml.parse(yaml_text, Loader=loader()):  # noqa: S506 - events only, nothing is built
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                mark = event.start_mark
                raise FrontmatterError("anchors and aliases (&name, *name) are not allowed in frontmatter", mark.line + 1 if mark else None)
    return yaml.load(yaml_text, Loader=loader())  # noqa: S506 - a SafeLoader subclass


def load(yaml_text: str) -> dict[str, Any]:
    """Parse frontmatter YAML into a mapping. Raises FrontmatterError."""
    fast = _fast_load(yaml_text)
    if fast is not None:
        return fast
    import yaml

    try:
        data = yaml_load(yaml_text)
    except FrontmatterError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise FrontmatterError(f"invalid YAML: {problem}", line) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise FrontmatterError(f"invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontmatterError("frontmatter is not a mapping of fields", 1)
    return {str(k): v for k, v in data.items()}


# --- spans -------------------------------------------------------------------


@dataclass(frozen=True)
class ValueSpan:
    """One string value of a field, located in the note's text.

    `start:end` covers exactly `value` when `exact` (plain scalars, and quoted
    ones without escapes); otherwise it covers the whole quoted scalar.
    """

    field: str
    value: str
    start: int
    end: int
    exact: bool
    style: str  # '', '"' or "'"
    flow: bool


def value_spans(text: str, block: Block, fields: frozenset[str] | set[str], links: bool = False) -> list[ValueSpan]:
    """The string values (single or in a list) of the given top-level fields;
    with `links`, also every other string value that holds a `[[`, at any
    depth (its `field` is the top-level key it is under)."""
    fast = _fast_spans(text, block, fields, links)
    if fast is not None:
        return fast
    return _composed_spans(text, block, fields, links)


def _composed_spans(text: str, block: Block, fields: frozenset[str] | set[str], links: bool = False) -> list[ValueSpan]:
    """`value_spans` through libyaml's node positions (any YAML)."""
    import yaml

    yaml_text = text[block.start : block.end]
    try:
        root = yaml.compose(yaml_text, Loader=loader())  # noqa: S506
    except (yaml.YAMLError, ValueError, RecursionError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    spans: list[ValueSpan] = []
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        if key_node.value in fields:
            if isinstance(value_node, yaml.SequenceNode):
                items, flow = value_node.value, bool(value_node.flow_style)
            else:
                items, flow = [value_node], False
            for node in items:
                _add_span(spans, text, block, key_node.value, node, flow)
        elif links:
            _add_linked_spans(spans, text, block, key_node.value, value_node, False)
    return spans


def _add_linked_spans(spans: list[ValueSpan], text: str, block: Block, name: str, node: Any, flow: bool) -> None:
    """Every string under `node` that holds a `[[` (a link in a field that is not a title field)."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if "[[" in node.value:
            _add_span(spans, text, block, name, node, flow)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _add_linked_spans(spans, text, block, name, item, bool(node.flow_style))
    elif isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            _add_linked_spans(spans, text, block, name, value, bool(node.flow_style))


def _add_span(spans: list[ValueSpan], text: str, block: Block, name: str, node: Any, flow: bool) -> None:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return
    if node.tag != "tag:yaml.org,2002:str" and node.style is not None:
        return
    start = block.start + node.start_mark.index
    end = block.start + node.end_mark.index
    raw = text[start:end]
    style = node.style or ""
    if style in ('"', "'"):
        inner = raw[1:-1]
        if inner == node.value:
            spans.append(ValueSpan(name, node.value, start + 1, end - 1, True, style, flow))
        else:
            spans.append(ValueSpan(name, node.value, start, end, False, style, flow))
    elif style == "":
        exact = raw == node.value
        spans.append(ValueSpan(name, node.value, start, end, exact, style, flow))


def _span(name: str, raw: str, at: int) -> ValueSpan:
    """The span of a one-line scalar `_scalar` accepted, written at text offset `at`."""
    if raw[0] in "\"'":
        return ValueSpan(name, raw[1:-1], at + 1, at + len(raw) - 1, True, raw[0], False)
    return ValueSpan(name, raw, at, at + len(raw), True, "", False)


def _fast_spans(text: str, block: Block, fields: frozenset[str] | set[str], links: bool = False) -> list[ValueSpan] | None:
    """`value_spans` for the frontmatter `_fast_load` takes (the same
    `_simple_lines`, no YAML parser); None for anything else."""
    lines = _simple_lines(text, block.start, block.end)
    return None if lines is None else _spans_of(lines, fields, links)


def _spans_of(lines: list[Line], fields: frozenset[str] | set[str], links: bool = False) -> list[ValueSpan]:
    spans: list[ValueSpan] = []
    current: str | None = None
    for name, raw, at, _ in lines:
        if name is not None:
            current = name
            if raw not in ("", "[]") and (name in fields or (links and "[[" in raw)):
                spans.append(_span(name, raw, at))
        elif current is not None and (current in fields or (links and "[[" in raw)):
            spans.append(_span(current, raw, at))
    return spans


def quote_for(style: str, value: str, flow: bool) -> str:
    """Render `value` as a YAML scalar in the original style where possible."""
    import json

    if style == "'" and "'" not in value:
        return f"'{value}'"
    if style == "" and _scalar(value) == value and not (flow and any(c in value for c in ",[]{}")):
        return value
    return json.dumps(value, ensure_ascii=False)
