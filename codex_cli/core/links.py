"""The one wiki-link parser: every `[[...]]` in a note, with exact spans.

A link is `[[target]]`, `[[target|alias]]`, `[[target#heading]]`,
`[[target#heading|alias]]`, or an embed `![[...]]`. Text inside fenced code
blocks (``` or ~~~) and inline code spans is not a link. Links never cross a
line break.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from codex_cli.core.text import line_of, line_starts

# group 1: "!" for embeds; 2: target; 3: heading (without #); 4: alias (without |)
LINK = re.compile(r"(!?)\[\[([^\[\]|#\n]*)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]*))?\]\]")
_OPEN_BRACKETS = re.compile(r"\[\[")
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


def parse_links(
    text: str,
    start: int = 0,
    end: int | None = None,
    starts: list[int] | None = None,
) -> list[Link]:
    """Every link in text[start:end] that is not inside code."""
    if "[[" not in text:
        return []
    if starts is None:
        starts = line_starts(text)
    end = len(text) if end is None else end
    found = list(LINK.finditer(text, start, end))
    if not found:
        return []
    code = code_ranges(text)
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
    if "[[" not in text[start:end]:
        return []
    good = {m.start() + len(m.group(1)) for m in LINK.finditer(text, start, end)}
    code: list[tuple[int, int]] | None = None
    bad: list[int] = []
    for m in _OPEN_BRACKETS.finditer(text, start, end):
        s = m.start()
        if s in good or s - 1 in good:
            continue  # `[[[x]]` style: the inner `[[` is the link
        if code is None:
            code = code_ranges(text)
        if code and _inside(code, s, s + 2):
            continue
        # a `[[` right before a good link's `[[` (as in `[[[x]]`) is not separate
        if s + 1 in good:
            continue
        bad.append(s)
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
