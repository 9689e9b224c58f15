"""Topic maps as data: sections of entries, everything else kept byte for byte.

A map is any note `Config.is_map` accepts (default: every `_map.md`, and
`maps/*.md`). Its text is read as:

- **sections**: every `##` or `###` heading (outside code) starts one, which
  runs to the next `##`/`###` heading. Whatever comes before the first one
  is the *preamble* (heading None, level 0).
- **entries**: bullet lines (`-`, `*` or `+`, any indentation) whose content
  starts with a wiki link: `- [[title]] — one line on why it matters`. The
  link is found by `core.links.parse_links` (the one parser); what it points
  at is decided by the caller's `core.resolve.Resolver`. The entry's text is
  what follows the link, after a separator (`—`, `–`, `--`, `-` or `:`).
- everything else (intro prose, numbered lists, question lists, code-quoted
  demand signals) is not modelled and never touched.

Edits are single `core.plan.TextEdit`s (offset, end, new text) for
`Plan.edit(path, raw, e.start, e.end, e.new)`; each changes exactly one line
(or appends one new section at the end), in the file's own line endings.

API (used by `codex new`, `codex rename`, `codex map`, `codex retire`):

    m = parse_map(text, body_start=0, links=None) -> MapText  (links: the
        note's already parsed links, to skip parsing again)
    m.sections, m.entries, m.section("Heading") -> Section | None
    m.without(entries)                        -> MapText ignoring those entries
    entry_line(title, text, ...)              -> "- [[title]] — text\\n"
    add_entry(m, title, text, section=None)   -> TextEdit  (section: a heading
        name, a Section, or None for best_section; a name that is missing is
        created as a new `##` section at the end)
    add_entries(m, [(title, text, section, description), ...]) -> [TextEdit]
    target_section(m, title, section, description) -> Section | new heading
    remove_entry(m, entry)                    -> TextEdit  (deletes its line)
    remove_entries(m, entries)                -> list[TextEdit] (non-overlapping)
    after_removals(inserts, removals)         -> inserts that can join removals in one Plan
    best_section(m, title, description="")    -> Section | None
    rank_sections(m, title, description="")   -> [(score, Section)], best first
    entries_for(m, note_path, resolver, map_path) -> entries pointing at a note
    new_map(domain, entries=(), ...)          -> the text of a brand-new map
    map_entry_findings(path, text, note, ...) -> one map's own findings, and its entries

Moving a claim between maps (a rename across domains) is
`remove_entry(old_map, entry)` plus `add_entry(new_map, ...)`, one edit each.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from codex_cli.core.links import Link, code_ranges, parse_links
from codex_cli.core.plan import TextEdit
from codex_cli.core.text import line_of, line_starts, loose_key

if TYPE_CHECKING:
    from codex_cli.core.check import Finding
    from codex_cli.core.note import Note
    from codex_cli.core.resolve import Resolver

DEFAULT_SEPARATOR = " — "
DEFAULT_MARKER = "-"

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*\r?$", re.MULTILINE)
_BULLET = re.compile(r"([ \t]*)([-*+])[ \t]+")
_SEPARATOR = re.compile(r"[ \t]*(—|–|--|-|:)[ \t]*")
SECTION_LEVELS = (2, 3)


@dataclass(frozen=True)
class Entry:
    """One bullet that lists a note. `start:end` is its whole line, newline included."""

    start: int
    end: int
    line: int  # 1-based
    indent: str
    marker: str
    link: Link
    separator: str  # as written (" — "), or "" when the text follows directly
    text: str  # the one line after the link and separator, stripped
    section: int  # index into MapText.sections

    @property
    def target(self) -> str:
        return self.link.target


@dataclass(frozen=True)
class Section:
    """A `##`/`###` heading and what follows it, up to the next such heading.

    `start` is the heading line's start (the preamble's is 0), `body_start`
    the offset after the heading line, `end` the start of the next section.
    """

    index: int
    heading: str | None  # None for the preamble
    level: int  # 2 or 3; 0 for the preamble
    line: int  # 1-based line of the heading (1 for the preamble)
    start: int
    body_start: int
    end: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class MapText:
    text: str
    newline: str
    sections: tuple[Section, ...]

    @property
    def entries(self) -> list[Entry]:
        return [e for s in self.sections for e in s.entries]

    @cached_property
    def house_style(self) -> tuple[str, str]:
        """The map's most common top-level bullet marker and separator."""
        entries = self.entries
        seps = Counter(e.separator for e in entries if e.separator.strip() and e.text).most_common(1)
        markers = Counter(e.marker for e in entries if not e.indent).most_common(1)
        return (markers[0][0] if markers else DEFAULT_MARKER, seps[0][0] if seps else DEFAULT_SEPARATOR)

    @cached_property
    def word_index(self) -> _WordIndex:
        """Entry words by word, for `rank_sections` (built once per map)."""
        return _WordIndex(self)

    @property
    def headed(self) -> list[Section]:
        """The real sections (the preamble left out)."""
        return [s for s in self.sections if s.heading is not None]

    def without(self, entries: Iterable[Entry]) -> MapText:
        """The same map read as if `entries` were not there (to place entries beside lines being removed)."""
        gone = {e.start for e in entries}
        if not gone:
            return self
        sections = tuple(replace(s, entries=tuple(e for e in s.entries if e.start not in gone)) for s in self.sections)
        return MapText(self.text, self.newline, sections)

    def section(self, name: str) -> Section | None:
        """The section whose heading matches `name` (case, punctuation and `#`s ignored)."""
        wanted = loose_key(name.lstrip("#"))
        for s in self.headed:
            if s.heading is not None and loose_key(s.heading) == wanted:
                return s
        return None


# --- parsing -----------------------------------------------------------------


def newline_of(text: str) -> str:
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _line_end(text: str, offset: int) -> int:
    """Offset just after the newline ending the line at `offset` (or len(text))."""
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def _inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    return any(a <= offset < b for a, b in ranges)


def parse_map(text: str, body_start: int = 0, links: Sequence[Link] | None = None) -> MapText:
    """Read a map's sections and entries; `body_start` skips frontmatter.

    `links` may be the body links already parsed from this very text
    (`Note.links`; frontmatter references are ignored) to save parsing again.
    """
    starts = line_starts(text)
    code = code_ranges(text) if "`" in text or "~~~" in text else []
    heads: list[tuple[int, int, str, int]] = []  # start, level, heading, body_start
    for m in _HEADING.finditer(text, body_start):
        level = len(m.group(1))
        if level in SECTION_LEVELS and not _inside(code, m.start()):
            heads.append((m.start(), level, m.group(2).strip(), _line_end(text, m.start())))
    bounds: list[tuple[str | None, int, int, int, int]] = []  # heading, level, start, body_start, end
    first = heads[0][0] if heads else len(text)
    bounds.append((None, 0, 0, body_start, first))
    for i, (s, level, name, b) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        bounds.append((name, level, s, b, end))
    section_starts = [b[3] for b in bounds]

    if links is None:
        links = parse_links(text, body_start, None, starts)
    by_section: list[list[Entry]] = [[] for _ in bounds]
    seen_lines: set[int] = set()
    bullet_match = _BULLET.match
    for link in sorted((lk for lk in links if not lk.field), key=lambda lk: lk.start):
        line = link.line
        if line in seen_lines:
            continue  # only a line's first link can make it an entry
        seen_lines.add(line)
        ls = starts[line - 1]
        bullet = bullet_match(text, ls)
        if bullet is None or link.start != bullet.end():
            continue
        index = max(0, bisect_right(section_starts, ls) - 1)
        le = _line_end(text, ls)
        rest = text[link.end : le].rstrip("\r\n")
        sep_m = _SEPARATOR.match(rest)
        if sep_m is not None:
            separator, entry_text = sep_m.group(0), rest[sep_m.end() :].strip()
        else:
            separator, entry_text = "", rest.strip()
        by_section[index].append(Entry(ls, le, line, bullet.group(1), bullet.group(2), link, separator, entry_text, index))

    sections = tuple(
        Section(index, heading, level, line_of(starts, s), s, b, end, tuple(by_section[index]))
        for index, (heading, level, s, b, end) in enumerate(bounds)
    )
    return MapText(text, newline_of(text), sections)


# --- edits -------------------------------------------------------------------


def one_line(text: str) -> str:
    return " ".join(text.split())


def entry_line(
    title: str,
    text: str = "",
    *,
    indent: str = "",
    marker: str = DEFAULT_MARKER,
    separator: str = DEFAULT_SEPARATOR,
    newline: str = "\n",
) -> str:
    """The text of one entry line, newline included."""
    line = f"{indent}{marker} [[{title}]]"
    text = one_line(text)
    if text:
        line += (separator or DEFAULT_SEPARATOR) + text
    return line + newline


def _style(m: MapText, section: Section | None) -> tuple[str, str, str]:
    """Indent, marker and separator to copy: the section's last entry, else the map's."""
    marker, separator = m.house_style
    if section is not None and section.entries:
        model = section.entries[-1]
        if model.separator.strip() and model.text:
            separator = model.separator
        return model.indent, model.marker, separator
    return "", marker, separator


def _indent_width(s: str) -> int:
    return len(s.expandtabs(4))


def _insertion_point(m: MapText, section: Section) -> int:
    """Where a new entry goes: after the section's last entry (and its continuation lines)."""
    text = m.text
    if section.entries:
        last = section.entries[-1]
        pos = last.end
        width = _indent_width(last.indent)
        while pos < section.end:
            le = _line_end(text, pos)
            line = text[pos:le].rstrip("\r\n")
            if not line.strip():
                break
            lead = len(line) - len(line.lstrip(" \t"))
            if _indent_width(line[:lead]) <= width:
                break
            pos = le
        return pos
    # no entries: after the last non-blank line of the section
    pos = section.body_start
    scan = section.body_start
    while scan < section.end:
        le = _line_end(text, scan)
        if text[scan:le].strip():
            pos = le
        scan = le
    return pos


NEW_SECTION = "Claims"


def target_section(m: MapText, title: str, section: str | Section | None = None, description: str = "") -> Section | str:
    """Where an entry for `title` goes: an existing Section, or the heading of a new one.

    `section` is a heading (a new section when the map has none by that
    name), a Section, or None: the `best_section` for the title and
    description (a map with no entries at all gets a new `Claims` section).
    """
    if isinstance(section, Section):
        return section
    if section is not None:
        return m.section(section) or section.lstrip("#").strip()
    found = best_section(m, title, description)
    if found is None and m.sections and m.sections[0].entries:
        found = m.sections[0]
    return found if found is not None else NEW_SECTION


def add_entry(
    m: MapText,
    title: str,
    text: str = "",
    section: str | Section | None = None,
    *,
    description: str = "",
    level: int = 2,
) -> TextEdit:
    """The one insertion that lists `title` in the map (see `target_section`)."""
    return add_entries(m, [(title, text, section, description)], level=level)[0]


def add_entries(
    m: MapText,
    items: Sequence[tuple[str, str, str | Section | None, str]],
    *,
    level: int = 2,
) -> list[TextEdit]:
    """Insertions listing several notes: items are (title, text, section, description).

    Entries bound for one place are joined into one insertion (in the given
    order) and new sections are created once each, so the edits never overlap.
    """
    nl = m.newline
    at: dict[int, str] = {}
    new_sections: dict[str, list[tuple[str, str]]] = {}
    for title, text, section, description in items:
        where = target_section(m, title, section, description or text)
        if isinstance(where, str):
            new_sections.setdefault(where, []).append((title, text))
            continue
        indent, marker, separator = _style(m, where)
        pos = _insertion_point(m, where)
        line = entry_line(title, text, indent=indent, marker=marker, separator=separator, newline=nl)
        if pos == len(m.text) and m.text and not m.text.endswith("\n"):
            line = nl + line[: -len(nl)]
        at[pos] = at.get(pos, "") + line
    if new_sections:
        end = len(m.text)
        at[end] = at.get(end, "") + _new_sections(m, new_sections, level, after=at.get(end, ""))
    return [TextEdit(pos, pos, new) for pos, new in sorted(at.items())]


def _new_sections(m: MapText, sections: dict[str, list[tuple[str, str]]], level: int, after: str) -> str:
    nl = m.newline
    _, marker, separator = _style(m, None)
    out = ""
    t = m.text + after
    for heading, entries in sections.items():
        body = "#" * level + " " + heading + nl
        body += "".join(entry_line(title, text, marker=marker, separator=separator, newline=nl) for title, text in entries)
        if not t.strip():
            lead = ""
        elif not t.endswith("\n"):
            lead = nl + nl
            body = body[: -len(nl)]
        elif t.endswith("\n\n") or t.endswith("\n\r\n"):
            lead = ""
        else:
            lead = nl
        out += lead + body
        t += lead + body
    return out


def remove_entry(m: MapText, entry: Entry) -> TextEdit:
    """The deletion of the entry's line."""
    return remove_entries(m, [entry])[0]


def remove_entries(m: MapText, entries: Iterable[Entry]) -> list[TextEdit]:
    """Deletions of the entries' lines, merged so that no two overlap."""
    text = m.text
    spans: list[tuple[int, int]] = []
    for e in sorted(set(entries), key=lambda e: e.start):
        if spans and e.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(e.end, spans[-1][1]))
        else:
            spans.append((e.start, e.end))
    if spans and spans[-1][1] == len(text) and not text.endswith("\n") and spans[-1][0] > 0:
        # the last line has no newline: take the newline before it instead
        start = spans[-1][0]
        spans[-1] = (start - (2 if text[start - 2 : start] == "\r\n" else 1), len(text))
    return [TextEdit(s, e, "") for s, e in spans]


def after_removals(inserts: Iterable[TextEdit], removals: Sequence[TextEdit]) -> list[TextEdit]:
    """Insertions that do not touch the removals: one at a removal's start moves to its end.

    The text comes out the same; `Plan.edit` refuses an insertion at the
    start of a deletion because its order would be ambiguous.
    """
    ends = {r.start: r.end for r in removals}
    return [TextEdit(ends.get(e.start, e.start), ends.get(e.start, e.start), e.new) if e.start == e.end else e for e in inserts]


# --- similarity --------------------------------------------------------------

_STOPWORDS = """a an the and or but if then than that this these those is are was were be been being of
    to in on at by for from with without as into onto over under not no nor so too very can
    could may might must should would will do does did it its their there they them we our
    you your he she his her which who whom whose what when where why how because while more
    most less least only also just all any each every some such own same other"""
_STOP = frozenset(_STOPWORDS.split())


def _words(text: str) -> set[str]:
    return {w[:6] for w in loose_key(text).split() if len(w) > 2 and w not in _STOP}


def _similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


class _WordIndex:
    """Entry words of a map, indexed by word, so that ranking is cheap on large maps.

    Words are weighted by how rare they are among the map's entries (IDF): in
    a map where every entry says "futarchy", that word says nothing about
    which section a futarchy claim belongs in.
    """

    def __init__(self, m: MapText) -> None:
        self.words: list[set[str]] = []
        self.section_of: list[int] = []
        self.postings: dict[str, list[int]] = {}
        for sec in m.headed:
            for e in sec.entries:
                i = len(self.words)
                words = _words(e.target) | _words(e.text)
                self.words.append(words)
                self.section_of.append(sec.index)
                for w in words:
                    self.postings.setdefault(w, []).append(i)
        n = len(self.words)
        self.idf: dict[str, float] = {w: math.log((n + 1) / (len(p) + 0.5)) for w, p in self.postings.items()}
        self.norms: list[float] = [math.sqrt(sum(self.idf[w] ** 2 for w in words)) or 1.0 for words in self.words]
        self.unseen = math.log((n + 1) / 0.5)

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unseen)


def rank_sections(m: MapText, title: str, description: str = "") -> list[tuple[float, Section]]:
    """Sections with entries, best first: how much their entries resemble the claim.

    A section's score is the mean of its three most similar entries (words
    shared with entry titles and text, as a cosine of IDF-weighted word
    sets) plus a little for words its heading shares.
    """
    claim = _words(title) | _words(description)
    index = m.word_index
    claim_norm = math.sqrt(sum(index.weight(w) ** 2 for w in claim)) or 1.0
    shared: dict[int, float] = {}
    for w in claim:
        posting = index.postings.get(w)
        if not posting:
            continue
        weight = index.weight(w) ** 2
        for i in posting:
            shared[i] = shared.get(i, 0.0) + weight
    per_section: dict[int, list[float]] = {}
    for i, dot in shared.items():
        per_section.setdefault(index.section_of[i], []).append(dot / (claim_norm * index.norms[i]))
    ranked: list[tuple[float, Section]] = []
    for sec in m.headed:
        if not sec.entries:
            continue
        top = sorted(per_section.get(sec.index, []), reverse=True)[:3]
        score = sum(top) / 3 + 0.5 * _similarity(claim, _words(sec.heading or ""))
        ranked.append((score, sec))
    ranked.sort(key=lambda t: (-t[0], t[1].index))
    return ranked


def best_section(m: MapText, title: str, description: str = "") -> Section | None:
    """The section whose entries are most like the claim; None when no section lists anything."""
    ranked = rank_sections(m, title, description)
    return ranked[0][1] if ranked else None


# --- lookups -----------------------------------------------------------------


def entries_for(m: MapText, note_path: str, resolver: Resolver[Note], map_path: str) -> list[Entry]:
    """The entries of the map (at `map_path`) that point at the note at `note_path`."""
    out = []
    for e in m.entries:
        res = resolver.resolve(e.target, map_path)
        if res.note is not None and res.note.path == note_path:
            out.append(e)
    return out


def domain_title(domain: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[-_ ]+", domain) if w)


def new_map(
    domain: str,
    entries: Sequence[tuple[str, str]] = (),
    *,
    title: str | None = None,
    section: str = "Claims",
    newline: str = "\n",
) -> str:
    """The text of a brand-new map for a domain, listing `entries` (title, text)."""
    nl = newline
    lines = [
        f"# {title or domain_title(domain)}",
        "",
        f"The claims of the {domain} domain. Each entry is a claim and one line on why it matters.",
        "",
        f"## {section}",
    ]
    out = nl.join(lines) + nl
    for t, text in entries:
        out += entry_line(t, text, newline=nl)
    return out


# --- findings ----------------------------------------------------------------

MAP_CODES = ("unresolved-entry", "ambiguous-entry", "duplicate-entry", "empty-entry", "retired-entry")


def map_entry_findings(
    path: str,
    text: str | MapText,
    note: Note,
    resolver: Resolver[Any],
    *,
    links: bool = False,
    suggest: Callable[[str], Sequence[str]] | None = None,
) -> tuple[list[Finding], list[tuple[str, int, str]]]:
    """What one map's text says wrong about its own entries, and the entries
    that resolve to one note as (note path, line, target).

    Entries that resolve to nothing (`unresolved-entry`, error, with
    suggestions) or to several notes (`ambiguous-entry`, warning): pass
    links=False where the general link check already reports both; a note
    listed twice (`duplicate-entry`, warning, on the later line) and entries
    with no text (`empty-entry`, warning).
    """
    from codex_cli.core.check import Finding
    from codex_cli.core.note import ERROR, WARNING, title_of
    from codex_cli.core.resolve import AMBIGUOUS, BROKEN

    if isinstance(text, MapText):
        m = text
    else:
        known = [lk for lk in note.links if not lk.field]
        fresh = all(text.startswith("[[", lk.start + lk.embed) for lk in known[:1] + known[-1:])
        m = parse_map(text, note.body_start, known if fresh else None)
    out: list[Finding] = []
    listed: list[tuple[str, int, str]] = []
    seen: dict[str, int] = {}
    for e in m.entries:
        res = resolver.resolve(e.target, path)
        if res.status in (BROKEN, AMBIGUOUS) and not links:
            pass  # reported as broken-link / ambiguous-link
        elif res.status == BROKEN:
            hints = tuple(suggest(e.target)) if suggest else ()
            out.append(Finding(path, "unresolved-entry", ERROR, f"[[{e.target}]] lists no note", e.line, e.target, hints))
        elif res.status == AMBIGUOUS:
            paths = tuple(sorted(n.path for n in res.candidates))
            out.append(Finding(path, "ambiguous-entry", WARNING, f"[[{e.target}]] matches {len(paths)} notes", e.line, e.target, paths))
        elif res.note is not None:
            listed.append((res.note.path, e.line, e.target))
            first = seen.setdefault(res.note.path, e.line)
            if first != e.line:
                out.append(Finding(path, "duplicate-entry", WARNING, f"{title_of(res.note.path)} is already listed on line {first}", e.line, e.target))
        if not e.text:
            out.append(Finding(path, "empty-entry", WARNING, f"[[{e.target}]] has no text saying why it matters", e.line, e.target))
    return out, listed
