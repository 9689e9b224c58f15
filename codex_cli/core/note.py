"""A note as the tool sees it: parsed once, never rewritten by parsing.

`parse_note` is pure: bytes in, a `Note` out. Its per-note problems (YAML,
schema, encoding, file name) are computed here so that they can be cached
with the note; problems that need the whole vault (links, maps, collisions)
are computed by `core.check`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from codex_cli.core import frontmatter
from codex_cli.core.links import LINK, Link, malformed_links, parse_links, parse_markdown_links
from codex_cli.core.text import line_of, line_starts, loose_key, strip_md
from codex_cli.core.titles import AVOIDED, MAX_NAME_BYTES

ERROR = "error"
WARNING = "warning"


class Problem(NamedTuple):
    code: str
    severity: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class ParseContext:
    """What parsing needs from the configuration (plain data, picklable)."""

    title_fields: frozenset[str]
    types: dict[str, Any]
    domain_values: frozenset[str]
    map_file_name: str = "_map.md"
    frontmatter_links: bool = True  # a `[[...]]` in any frontmatter string is a link
    markdown_links: bool = True  # `[text](path.md)` is a link


RETIRED = "retired"  # the `status:` of a note taken out of use (codex retire)


@dataclass
class Note:
    path: str  # vault-relative, '/'-separated, with '.md'
    title: str
    type: str | None = None
    meta: dict[str, Any] | None = None
    links: list[Link] = field(default_factory=list)
    h1: str | None = None
    h1_line: int | None = None
    body_start: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def description(self) -> str:
        value = (self.meta or {}).get("description")
        return value if isinstance(value, str) else ""

    @property
    def retired(self) -> bool:
        return (self.meta or {}).get("status") == RETIRED

    @property
    def domain(self) -> str | None:
        value = (self.meta or {}).get("domain")
        return value if isinstance(value, str) else None


def decode(raw: bytes) -> tuple[str, bool]:
    """Text that encodes back to exactly `raw`, and whether it was valid UTF-8."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "surrogateescape"), False


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def is_binary(raw: bytes) -> bool:
    return raw.find(b"\x00", 0, 8192) != -1


def title_of(path: str) -> str:
    name = path.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") else name


_H1 = re.compile(r"^# +(.+?)[ \t#]*\r?$", re.MULTILINE)


def parse_note(path: str, raw: bytes, ctx: ParseContext) -> Note:
    note = Note(path=path, title=title_of(path))
    problems = note.problems
    _check_name(note)
    if is_binary(raw):
        problems.append(Problem("binary-file", ERROR, "not a text file (contains NUL bytes)"))
        return note
    text, valid = decode(raw)
    if not valid:
        problems.append(Problem("not-utf8", ERROR, "not valid UTF-8; undecodable bytes are kept as they are"))
    starts = line_starts(text)
    block = frontmatter.locate(text)
    body_start = 0
    if block is not None:
        body_start = block.body_start
        if not block.closed:
            problems.append(Problem("frontmatter-unclosed", ERROR, "frontmatter is never closed with `---`", 1))
            body_start = block.start
        else:
            _load_meta(note, text, block, ctx, starts)
    note.body_start = body_start
    note.links.extend(parse_links(text, body_start, None, starts))
    if ctx.markdown_links:
        note.links.extend(parse_markdown_links(text, body_start, None, starts))
    for offset in malformed_links(text, body_start):
        problems.append(Problem("malformed-link", WARNING, "`[[` opens no link on this line", line_of(starts, offset)))
    for link in note.links:
        if not link.target.strip() and link.heading is None:
            problems.append(Problem("empty-link", WARNING, "empty link `[[]]`", link.line))
    m = _H1.search(text, body_start)
    if m is not None:
        note.h1 = m.group(1)
        note.h1_line = line_of(starts, m.start())
    _check_h1(note, ctx)
    return note


def parse_references(path: str, raw: bytes, ctx: ParseContext) -> Note:
    """Only what following references needs: the links (body, title fields
    and any frontmatter `[[...]]`, exactly as `parse_note` finds them) and
    where the body starts.

    No meta, H1 or problems: for commands that read many notes just to
    rewrite links in them (a rename reads every note that mentions a title).
    """
    note = Note(path=path, title=title_of(path))
    if is_binary(raw):
        return note
    text, _ = decode(raw)
    starts = line_starts(text)
    block = frontmatter.locate(text)
    if block is not None:
        if not block.closed:
            note.body_start = block.start
        else:
            note.body_start = block.body_start
            yaml_text = text[block.start : block.end]
            linked = ctx.frontmatter_links and "[[" in yaml_text
            if linked or any(name in yaml_text for name in ctx.title_fields):
                spans = frontmatter.value_spans(text, block, ctx.title_fields, linked)
                note.links.extend(_frontmatter_refs(spans, starts))
    note.links.extend(parse_links(text, note.body_start, None, starts))
    if ctx.markdown_links:
        note.links.extend(parse_markdown_links(text, note.body_start, None, starts))
    return note


def _check_name(note: Note) -> None:
    name = note.path.rpartition("/")[2]
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > MAX_NAME_BYTES:
        note.problems.append(Problem("name-too-long", ERROR, f"file name is {size} bytes; most file systems allow {MAX_NAME_BYTES}"))
    if not name.isascii() and not unicodedata.is_normalized("NFC", name):
        note.problems.append(Problem("name-not-nfc", WARNING, "file name is not in Unicode NFC form"))


def _load_meta(note: Note, text: str, block: frontmatter.Block, ctx: ParseContext, starts: list[int]) -> None:
    try:
        meta, spans = frontmatter.read(text, block, ctx.title_fields, ctx.frontmatter_links)
    except frontmatter.FrontmatterError as exc:
        line = (exc.line + 1) if exc.line is not None else 1  # +1: the opening `---`
        note.problems.append(Problem("yaml-invalid", ERROR, exc.message, line))
        return
    note.meta = meta
    kind = meta.get("type")
    note.type = kind if isinstance(kind, str) else None
    if spans:
        note.links.extend(_frontmatter_refs(spans, starts))
    spec = ctx.types.get(note.type or "")
    if spec:
        _check_schema(note, meta, spec, ctx, text, block, starts)


def _frontmatter_refs(spans: list[frontmatter.ValueSpan], starts: list[int]) -> list[Link]:
    refs: list[Link] = []
    for span in spans:
        line = line_of(starts, span.start)
        if "[[" in span.value:
            for m in LINK.finditer(span.value):
                if span.exact:
                    s, e = span.start + m.start(), span.start + m.end()
                    ts, te = span.start + m.start(2), span.start + m.end(2)
                else:
                    s, e, ts, te = span.start, span.end, -1, -1
                refs.append(Link(s, e, ts, te, line, m.group(2), m.group(3), m.group(4), m.group(1) == "!", span.field))
            continue
        value = span.value.strip()
        if not value:
            continue
        lead = len(span.value) - len(span.value.lstrip())
        ts = span.start + lead if span.exact else -1
        te = ts + len(value) if span.exact else -1
        refs.append(Link(span.start, span.end, ts, te, line, value, None, None, False, span.field, True))
    return refs


def _field_line(text: str, block: frontmatter.Block, starts: list[int], name: str) -> int:
    m = re.compile(r"^" + re.escape(name) + r"[ \t]*:", re.MULTILINE).search(text, block.start, block.end)
    return line_of(starts, m.start()) if m else 1


def _check_schema(
    note: Note,
    meta: dict[str, Any],
    spec: dict[str, Any],
    ctx: ParseContext,
    text: str,
    block: frontmatter.Block,
    starts: list[int],
) -> None:
    add = note.problems.append
    fields: dict[str, Any] = spec.get("fields") or {}
    for name, rule in fields.items():
        rule = rule or {}
        present = name in meta and meta[name] is not None and meta[name] != ""
        if not present:
            if rule.get("required"):
                add(Problem("missing-field", ERROR, f"`{name}` is required for type {note.type}", 1))
            continue
        value = meta[name]
        kind = rule.get("kind")
        # the field's line is looked up only when there is a problem to report
        if kind == "list" and not isinstance(value, list):
            add(Problem("bad-type", ERROR, f"`{name}` should be a list", _field_line(text, block, starts, name)))
            continue
        if kind == "date":
            if not _is_date(value):
                add(Problem("bad-date", ERROR, f"`{name}` should be a date YYYY-MM-DD, not {str(value)!r}", _field_line(text, block, starts, name)))
            continue
        if kind == "text" and not isinstance(value, str):
            add(Problem("bad-type", ERROR, f"`{name}` should be text, not {type(value).__name__}", _field_line(text, block, starts, name)))
            continue
        enum = rule.get("enum")
        if enum:
            allowed = ctx.domain_values if enum == "domains" else frozenset(str(v) for v in enum)
            legacy = frozenset(str(v) for v in rule.get("legacy") or ())  # older values the schema still accepts
            values = value if isinstance(value, list) else [value]
            for v in values:
                if str(v) not in allowed and str(v) not in legacy:
                    shown = ", ".join(sorted(allowed)[:8]) + (", …" if len(allowed) > 8 else "")
                    add(Problem("bad-value", ERROR, f"`{name}: {v}` is not one of: {shown}", _field_line(text, block, starts, name)))


def _is_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_h1(note: Note, ctx: ParseContext) -> None:
    spec = ctx.types.get(note.type or "") or {}
    if not spec.get("title_h1", note.type in ("claim", "belief", "position")):
        return
    if note.h1 is None:
        return
    if not h1_matches(note.h1, strip_md(note.title)):
        note.problems.append(
            Problem("h1-mismatch", WARNING, f"H1 differs from the title: {note.h1!r}", note.h1_line)
        )


_DROP_AVOIDED = str.maketrans("", "", AVOIDED)


def h1_matches(h1: str, title: str) -> bool:
    """Whether an H1 says the title: case and punctuation aside, and the H1 may
    keep the characters a file name leaves out (`: ? " * < > |`, apostrophes)."""
    if h1 == title or loose_key(h1) == loose_key(title):
        return True
    return loose_key(h1.translate(_DROP_AVOIDED)) == loose_key(title.translate(_DROP_AVOIDED))
