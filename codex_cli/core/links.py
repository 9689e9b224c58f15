"""The one wiki-link parser: every `[[...]]` in a note, with exact spans.

A link is `[[target]]`, `[[target|alias]]`, `[[target#heading]]`,
`[[target#heading|alias]]`, or an embed `![[...]]`. Text inside fenced code
blocks (``` or ~~~) and inline code spans is not a link. Links never cross a
line break.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from codex_cli.core.text import line_of, line_starts

# group 1: "!" for embeds; 2: target; 3: heading (without #); 4: alias (without |)
LINK = re.compile(r"(!?)\[\[([^\[\]|#\n]*)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]*))?\]\]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")


class Link(NamedTuple):
    """A link as written. `start:end` spans the whole `[[...]]` (with `!`).

    `target_start:target_end` spans the target text, which is what a rename
    or a fix rewrites (-1 when the value cannot be edited in place, as in a
    YAML string with escapes). `field` is '' for links in the body, or the
    frontmatter field name for references held in frontmatter; `bare` marks
    a frontmatter value that is a plain title rather than a `[[link]]`.
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


def _matches(text: str, start: int, end: int) -> list[re.Match[str]]:
    """LINK's matches in text[start:end], as `LINK.finditer` finds them, found faster.

    A link can only begin at `[[` (or the `!` just before it), so instead of
    letting the regex try every character, jump from one `[[` to the next.
    """
    found: list[re.Match[str]] = []
    find, match = text.find, LINK.match
    pos = start
    i = find("[[", pos, end)
    while i != -1:
        m = None
        if i > pos and text[i - 1] == "!":
            m = match(text, i - 1, end)
        if m is None:
            m = match(text, i, end)
        if m is None:
            i = find("[[", i + 1, end)
            continue
        found.append(m)
        pos = m.end()
        i = find("[[", pos, end)
    return found


class _Scanned(NamedTuple):
    text: str
    start: int
    end: int
    matches: list[re.Match[str]]
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
    for m in found:
        s, e = m.span()
        if code and _inside(code, s, e):
            continue
        target_start, target_end = m.span(2)
        links.append(
            Link(
                s,
                e,
                target_start,
                target_end,
                line_of(starts, s),
                m.group(2),
                m.group(3),
                m.group(4),
                m.group(1) == "!",
            )
        )
    return links


def malformed_links(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of `[[` that open no well-formed link (outside code)."""
    end = len(text) if end is None else end
    find = text.find
    s = find("[[", start, end)
    if s == -1:
        return []
    scanned = _scan(text, start, end)
    good = {m.start() + len(m.group(1)) for m in scanned.matches}
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


def render(target: str, heading: str | None, alias: str | None, embed: bool = False) -> str:
    """The text of a link with the given parts."""
    out = "![[" if embed else "[["
    out += target
    if heading is not None:
        out += "#" + heading
    if alias is not None:
        out += "|" + alias
    return out + "]]"
