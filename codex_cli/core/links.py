"""The one link parser: every `[[...]]` and markdown link to a note, with exact spans.

A link is `[[target]]`, `[[target|alias]]`, `[[target#heading]]`,
`[[target#heading|alias]]`, or an embed `![[...]]`. A markdown link to a
note, `[text](path.md)` (or `![text](path.md)`, `[text](<path.md>)`, with an
optional `#anchor` and title), is one too: its destination is a relative or
`/`-rooted path ending in `.md`, percent-encoded or not; URLs (anything with
a scheme, or `//`) are not. Text inside fenced code blocks (``` or ~~~) and
inline code spans is not a link. Links never cross a line break.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, NamedTuple

from codex_cli.core.text import line_starts

# A link from its `[[`: group 1 the target, 2 the heading (without #), 3 the alias (without |).
_LINK_BODY = r"\[\[([^\[\]|#\n]*)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]*))?\]\]"
# The same with the embed mark: group 1 "!" for embeds; 2 target; 3 heading; 4 alias.
LINK = re.compile(r"(!?)" + _LINK_BODY)
# Searching for the literal `[[` first is several times faster than trying
# LINK's optional `!` at every character: the `!` is looked at afterwards.
_OPENED = re.compile(_LINK_BODY)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")


class Link(NamedTuple):
    """A link as written. `start:end` spans the whole `[[...]]` (with `!`).

    `target_start:target_end` spans the target text, which is what a rename
    or a fix rewrites (-1 when the value cannot be edited in place, as in a
    YAML string with escapes). `field` is '' for links in the body, or the
    frontmatter field name for references held in frontmatter; `bare` marks
    a frontmatter value that is a plain title rather than a `[[link]]`;
    `markdown` a `[text](path.md)` link.
    """

    start: int
    end: int
    target_start: int
    target_end: int
    line: int
    target: str
    heading: str | None
    alias: str | None
    embed: bool
    field: str = ""
    bare: bool = False
    # A markdown link: `target` is its destination's path percent-decoded
    # (relative to the linking note's folder, or `/`-rooted), `target_start:
    # target_end` spans that path as written (still encoded), `heading` is
    # the anchor and `alias` the link text.
    markdown: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled by `tuple.__new__` in C rather than the named tuple's
        # Python-level `__new__`: a cold load unpickles every link of the vault.
        return (tuple.__new__, (Link, tuple(self)))


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks and inline code spans, sorted."""
    if "`" not in text and "~~~" not in text:
        return []
    ranges: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    # fenced blocks first: they hide everything inside them
    fences: list[tuple[int, int]] = []
    while True:
        m = _FENCE.search(text, pos)
        if m is None:
            break
        fence = m.group(1)
        info_end = text.find("\n", m.end())
        if fence[0] == "`" and info_end != -1 and "`" in text[m.end() : info_end]:
            pos = m.end()  # a backtick fence's info string may not contain backticks
            continue
        close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*\r?$", re.MULTILINE)
        body_from = n if info_end == -1 else info_end + 1
        c = close.search(text, body_from)
        end = n if c is None else c.end()
        fences.append((m.start(), end))
        pos = end
    # inline code spans in the text between fences
    segments: list[tuple[int, int]] = []
    last = 0
    for a, b in fences:
        segments.append((last, a))
        last = b
    segments.append((last, n))
    for seg_start, seg_end in segments:
        i = seg_start
        while True:
            m = _BACKTICKS.search(text, i, seg_end)
            if m is None:
                break
            width = len(m.group(0))
            j = m.end()
            closing = None
            while True:
                c = _BACKTICKS.search(text, j, seg_end)
                if c is None:
                    break
                if "\n\n" in text[m.end() : c.start()] or "\n\r\n" in text[m.end() : c.start()]:
                    break  # code spans end at a blank line (a paragraph break)
                if len(c.group(0)) == width:
                    closing = c
                    break
                j = c.end()
            if closing is None:
                i = m.end()
                continue
            ranges.append((m.start(), closing.end()))
            i = closing.end()
    ranges.extend(fences)
    ranges.sort()
    return ranges


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    for a, b in ranges:
        if a >= end:
            return False
        if start < b and end > a:
            return True
    return False


# A link found in text: start, end (with the `!` of an embed), target start,
# target end, target, heading, alias, embed.
Match = tuple[int, int, int, int, str, "str | None", "str | None", bool]


def _matches(text: str, start: int, end: int) -> list[Match]:
    """LINK's matches in text[start:end], as `LINK.finditer` finds them, found faster."""
    found: list[Match] = []
    pos = start
    for m in _OPENED.finditer(text, start, end):
        s, e = m.span()
        embed = s > pos and text[s - 1] == "!"
        ts, te = m.span(1)
        target, heading, alias = m.groups()
        found.append((s - 1 if embed else s, e, ts, te, target, heading, alias, embed))
        pos = e
    return found


class _Scanned(NamedTuple):
    text: str
    start: int
    end: int
    matches: list[Match]
    code: list[tuple[int, int]] | None


# The last text scanned: `parse_note` asks for the links and then for the
# malformed ones in the same text, which need the same matches.
_last: _Scanned | None = None


def _scan(text: str, start: int, end: int) -> _Scanned:
    global _last
    last = _last
    if last is not None and last.text is text and last.start == start and last.end == end:
        return last
    _last = _Scanned(text, start, end, _matches(text, start, end), None)
    return _last


def _code_of(scanned: _Scanned) -> list[tuple[int, int]]:
    global _last
    if scanned.code is not None:
        return scanned.code
    code = code_ranges(scanned.text)
    if _last is scanned:
        _last = scanned._replace(code=code)
    return code


def parse_links(
    text: str,
    start: int = 0,
    end: int | None = None,
    starts: list[int] | None = None,
) -> list[Link]:
    """Every link in text[start:end] that is not inside code."""
    end = len(text) if end is None else end
    if text.find("[[", start, end) == -1:
        return []
    scanned = _scan(text, start, end)
    found = scanned.matches
    if not found:
        return []
    if starts is None:
        starts = line_starts(text)
    code = _code_of(scanned)
    links: list[Link] = []
    append = links.append
    for s, e, ts, te, target, heading, alias, embed in found:
        if code and _inside(code, s, e):
            continue
        append(Link(s, e, ts, te, bisect_right(starts, s), target, heading, alias, embed))
    return links


def malformed_links(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of `[[` that open no well-formed link (outside code)."""
    end = len(text) if end is None else end
    find = text.find
    s = find("[[", start, end)
    if s == -1:
        return []
    scanned = _scan(text, start, end)
    good = {m[0] + m[7] for m in scanned.matches}  # where each good link's `[[` is
    bad: list[int] = []
    while s != -1:
        # `[[` openings as `re.finditer` sees them: non-overlapping, left to right
        if not (s in good or s - 1 in good or s + 1 in good):
            # (`[[[x]]` style: the `[[` around a good link's `[[` is not separate)
            code = _code_of(scanned)
            if not (code and _inside(code, s, s + 2)):
                bad.append(s)
        s = find("[[", s + 2, end)
    return bad


# A markdown link's destination, matched from its `](`: group 1 an angle-bracketed
# destination, group 2 a bare one (parentheses allowed when balanced, one level
# deep); then an optional title. No backslash escapes: such a link is left alone.
_MD_TAIL = re.compile(
    r"""\]\([ \t]*(?:<([^<>\n\\]*)>|((?:[^\s()<>\\]|\([^\s()<>\\]*\))+))"""
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"""
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _md_text_start(text: str, close: int, floor: int) -> int:
    """Where the `[` that opens the link text ending at `close` (a `]`) is, or -1."""
    depth = 0
    i = close - 1
    while i >= floor:
        c = text[i]
        if c == "\n":
            return -1
        if c == "]" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif c == "[" and (i == 0 or text[i - 1] != "\\"):
            if depth == 0:
                return i
            depth -= 1
        i -= 1
    return -1


def parse_markdown_links(text: str, start: int = 0, end: int | None = None, starts: list[int] | None = None) -> list[Link]:
    """Every markdown link to a note (`[text](path.md)`) in text[start:end] that is not inside code."""
    end = len(text) if end is None else end
    at = _next_tail(text, start, end)
    links: list[Link] = []
    while at != -1:
        m = _MD_TAIL.match(text, at, end)
        link = _markdown_link(text, m, start) if m is not None else None
        if link is not None:
            code = _code_for(text)
            if not (code and _inside(code, link.start, link.end)):
                if starts is None:
                    starts = line_starts(text)
                links.append(link._replace(line=bisect_right(starts, link.start)))
        at = _next_tail(text, m.end() if m is not None else at + 2, end)
    return links


def _code_for(text: str) -> list[tuple[int, int]]:
    """The code ranges of `text`: those `parse_links` found in it if it was the last text scanned."""
    last = _last
    if last is not None and last.text is text and last.code is not None:
        return last.code
    return code_ranges(text)


def _next_tail(text: str, start: int, end: int) -> int:
    """Where the next `](` in text[start:end] is, or -1.

    Looks for the `(` (one character: a memchr, and rare in notes) rather
    than for `](` (a two-character search steps through every `]` of every
    wiki link): about 25 times faster on a typical note.
    """
    i = text.find("(", start + 1, end)
    while i != -1:
        if text[i - 1] == "]":
            return i - 1
        i = text.find("(", i + 1, end)
    return -1


def _markdown_link(text: str, m: re.Match[str], floor: int) -> Link | None:
    """The link whose destination `_MD_TAIL` matched, when it names a note (line left 0)."""
    at = m.start()
    angle = m.group(1) is not None
    dest = m.group(1) if angle else m.group(2)
    dest_start = m.start(1) if angle else m.start(2)
    path, hash_, anchor = dest.partition("#")
    decoded = _unquote(path) if "%" in path else path
    # a note's path: `.md`; no scheme (`https:`, `mailto:`), no `//host`; not `[[x]](...)`
    if decoded[-3:].lower() != ".md" or _SCHEME.match(decoded) or decoded.startswith("//") or text[at - 1 : at] == "]":
        return None
    opening = _md_text_start(text, at, floor)
    if opening == -1:
        return None
    embed = opening > floor and text[opening - 1] == "!"
    s = opening - 1 if embed else opening
    heading = anchor if hash_ else None
    return Link(s, m.end(), dest_start, dest_start + len(path), 0, decoded, heading, text[opening + 1 : at], embed, markdown=True)


def _unquote(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path, errors="surrogateescape")


def render(target: str, heading: str | None, alias: str | None, embed: bool = False) -> str:
    """The text of a link with the given parts."""
    out = "![[" if embed else "[["
    out += target
    if heading is not None:
        out += "#" + heading
    if alias is not None:
        out += "|" + alias
    return out + "]]"


# --- writing a markdown link's destination ---------------------------------------

# What a destination must encode to stay one markdown link (outside `<...>`).
_MUST_ENCODE = {" ": "%20", "%": "%25", "<": "%3C", ">": "%3E", "#": "%23", "?": "%3F", "\t": "%09"}
_MINIMAL = str.maketrans(_MUST_ENCODE)


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/", errors="surrogateescape")


def encode_like(path: str, written: str, angle: bool = False) -> str:
    """`path` encoded the way `written` (a destination as it stands) was.

    A destination that is exactly `urllib.parse.quote` of what it names
    (and not also the minimal encoding) stays fully percent-encoded;
    otherwise only what must be is encoded (a space as `%20`, `%`, `#`, `?`,
    `<`, `>`), as Obsidian writes them. Inside `<...>` nothing is encoded
    unless the link encoded something.
    """
    decoded = _unquote(written) if "%" in written else written
    if angle and "%" not in written:
        return path
    if written != decoded.translate(_MINIMAL) and written == _quoted(decoded):
        return _quoted(path)
    return path.translate(_MINIMAL)


def relative_path(to_path: str, from_folder: str) -> str:
    """The `/`-separated path from a folder ('' the root) to a vault-relative path."""
    here = from_folder.split("/") if from_folder else []
    there = to_path.split("/")
    i = 0
    while i < len(here) and i < len(there) - 1 and here[i] == there[i]:
        i += 1
    return "/".join([".."] * (len(here) - i) + there[i:])


def markdown_destination(to_path: str, from_path: str, written: str, angle: bool = False, same_folder: bool = False) -> str:
    """A markdown link's destination path from the note at `from_path` to the
    note at `to_path`, in the form `written` took: `/`-rooted or relative
    (with a leading `./` kept), encoded alike (`encode_like`). With
    `same_folder` (the target's folder, as the link sees it, did not
    change) only the file name is rewritten: the bytes before it stay."""
    name = to_path.rpartition("/")[2]
    if same_folder:
        head, slash, _ = written.rpartition("/")
        return head + slash + encode_like(name, written, angle)
    if written.startswith("/"):
        new = "/" + to_path
    else:
        new = relative_path(to_path, from_path.rpartition("/")[0])
        if written.startswith("./") and not new.startswith("../"):
            new = "./" + new
    return encode_like(new, written, angle)
