"""Plan a rename: the move, the H1, and every reference to the note, as span edits.

Pure: notes and their bytes in, a `core.plan.Plan` out. Every reference comes
from the one parser (`Note.links`: body wiki and markdown links with exact
spans, the frontmatter title-field values and any frontmatter `[[...]]`) and
the one resolver: a link is rewritten when, and only when, it resolves to the
renamed note by its path or title (a link through one of the note's aliases
still resolves after the rename: it and the `aliases:` list are left alone).
A markdown link keeps its form: its file name is replaced, encoded as it was
(`core.links.encode_like`), and its relative path is worked out again from
the linking note when the note moves to another folder (and, in the moved
note itself, for its own relative links). Only the target span
changes, so the alias, the heading, an embed's `!`, the path form
(`[[dir/old]]` -> `[[dir/new]]`), a `.md` suffix and the surrounding bytes
are kept. A link that differed from the title only by a capitalised first
letter (as at the start of a sentence) keeps that capital; any other variant
takes the new title as written. When the new bare title would not resolve to
the note from where the link is (another note has that title), the link is
written as a path.

Frontmatter values are edited in place, with no other byte of the
frontmatter touched; a value the YAML writes with escapes (or over several
lines) is re-quoted whole, and a plain value that would no longer read back
as the same string is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codex_cli.core import frontmatter, maps
from codex_cli.core.links import LINK, Link, markdown_destination
from codex_cli.core.note import _H1 as H1_LINE
from codex_cli.core.note import Note, h1_matches, title_of
from codex_cli.core.plan import Plan
from codex_cli.core.resolve import ALIAS, OK, PathRef, Resolver, path_key
from codex_cli.core.text import strip_md


@dataclass(frozen=True)
class Source:
    """A note the planner may edit: parsed, with the bytes it was parsed from."""

    note: Note
    raw: bytes
    text: str

    @property
    def path(self) -> str:
        return self.note.path


@dataclass(frozen=True)
class Target:
    """Where the note goes. `h1` is the new title as the author wrote it (the
    H1); `domain` the new `domain:` value when the note moves into a domain's
    folder (None leaves the field alone)."""

    old_path: str
    new_path: str
    h1: str | None  # None: a move that keeps the title; the H1 is left alone
    domain: str | None = None
    old_map: str | None = None  # with new_map: move the note's entry between these maps
    new_map: str | None = None

    @property
    def old_title(self) -> str:
        return title_of(self.old_path)

    @property
    def new_title(self) -> str:
        return title_of(self.new_path)

    @property
    def moved(self) -> bool:
        return folder(self.old_path) != folder(self.new_path)


@dataclass(frozen=True)
class Rewrite:
    """One reference rewritten: `old` and `new` are the link targets as written."""

    file: str  # path before the rename
    line: int
    old: str
    new: str
    field: str = ""  # frontmatter field, '' for the body
    reason: str = "reference"  # or "path link" (the bare title would not resolve), "outgoing"


@dataclass
class RenamePlan:
    target: Target
    plan: Plan
    rewrites: list[Rewrite] = field(default_factory=list)
    h1_updated: bool = False
    domain_updated: bool = False
    map_moved: tuple[str, str] | None = None  # (from map, to map)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why

    @property
    def links_rewritten(self) -> int:
        return sum(1 for r in self.rewrites if r.reason != "outgoing")

    @property
    def files_changed(self) -> list[str]:
        return self.plan.paths_written()

    def summary(self) -> dict[str, Any]:
        files = {r.file for r in self.rewrites if r.reason != "outgoing"}
        return {
            "from": self.target.old_path,
            "to": self.target.new_path,
            "files": len(self.plan.effective()),
            "links": self.links_rewritten,
            "linking_files": len(files),
            "h1": self.h1_updated,
            "domain": self.domain_updated,
            "map": list(self.map_moved) if self.map_moved else None,
        }


def folder(path: str) -> str:
    return path.rpartition("/")[0]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def written_title(written: str, old: str, new: str) -> str:
    """The new title as a link should write it, given how it wrote the old one."""
    if written != old and old[:1] != capitalised(old)[:1] and written == capitalised(old):
        return capitalised(new)
    return new


def new_h1(h1: str, old_title: str, new_text: str) -> str | None:
    """The new H1 when the old one matched the old title: by the rule `codex
    check` uses (case and punctuation aside, and the H1 may keep what a file
    name leaves out, such as apostrophes)."""
    if not h1_matches(h1, strip_md(old_title)):
        return None
    if h1 == old_title:
        return new_text
    if h1[:1] != old_title[:1] and h1[:1] == capitalised(old_title)[:1]:
        return capitalised(new_text)
    return new_text


_PREFIX = re.compile(r"^(?:\./|/)*")


def rewrite_target(written: str, target: Target) -> str:
    """The target text of a link to the renamed note, in the form it was written."""
    core = written.strip()
    lead = written[: len(written) - len(written.lstrip())]
    trail = written[len(written.rstrip()) :]
    suffix = ""
    if core[-3:].lower() == ".md":
        core, suffix = core[:-3], core[-3:]
    backslashes = "\\" in core and "/" not in core
    norm = core.replace("\\", "/")
    prefix = _PREFIX.match(norm).group(0)  # type: ignore[union-attr]
    rest = norm[len(prefix) :]
    head, slash, name = rest.rpartition("/")
    name = written_title(name, target.old_title, target.new_title)
    if slash and target.moved:
        head = folder(target.new_path)
    new = prefix + (head + "/" if head else "") + name
    if backslashes:
        new = new.replace("/", "\\")
    return lead + new + suffix + trail


def path_target(path: str, written: str) -> str:
    """The vault-relative path form of a link to `path`, keeping a written `.md`."""
    core = written.strip()
    suffix = core[-3:] if core[-3:].lower() == ".md" else ""
    return strip_md(path) + suffix


# --- planning ------------------------------------------------------------------


def plan_rename(target: Target, sources: Mapping[str, Source], index: Resolver[Any]) -> RenamePlan:
    """Plan the move of `target.old_path` and every edit it needs in `sources`.

    `sources` must hold the note itself and every note that may refer to it
    (the caller's prefilter decides which); `index` resolves over the whole
    vault and is left as it was found.
    """
    renamed = sources[target.old_path]
    plan = Plan()
    result = RenamePlan(target, plan)
    entries = _map_entries(target, sources, index)
    moving = {(target.old_map, e.link.start) for e in entries}
    # 1. what resolves to the note now, and where the note's own links go now
    refs: list[tuple[Source, Link]] = []
    outgoing: list[tuple[Link, str]] = []
    for path in sorted(sources):
        src = sources[path]
        for link in src.note.links:
            if not link.target.strip():
                continue  # `[[#heading]]`: the note itself, under any name
            res = index.resolve_link(link, path)
            if res.status != OK or res.note is None or res.via == ALIAS:
                continue  # a link through an alias still resolves: the aliases stay
            if res.note.path == target.old_path:
                if (path, link.start) not in moving:
                    refs.append((src, link))
            elif path == target.old_path and target.moved:
                outgoing.append((link, res.note.path))
    # 2. the same questions after the rename
    entry = index.by_path.get(path_key(target.old_path))
    if entry is None:
        raise KeyError(target.old_path)
    index.remove(entry)
    moved_entry = PathRef(target.new_path)
    index.add(moved_entry)
    try:
        edits: dict[str, list[tuple[Link, str, str]]] = {}
        for src, link in refs:
            here = target.new_path if src.path == target.old_path else src.path
            if link.markdown:
                new = markdown_destination(target.new_path, here, *_written(src, link), same_folder=not target.moved)
                edits.setdefault(src.path, []).append((link, new, "reference"))
                continue
            new = rewrite_target(link.target, target)
            reason = "reference"
            if not _resolves_to(index, new, here, target.new_path):
                new = path_target(target.new_path, link.target)
                reason = "path link"
            edits.setdefault(src.path, []).append((link, new, reason))
        for link, was in outgoing:
            if link.markdown:  # the moved note's relative paths, worked out from where it goes
                edits.setdefault(target.old_path, []).append((link, markdown_destination(was, target.new_path, *_written(renamed, link)), "outgoing"))
                continue
            res = index.resolve_link(link, target.new_path)
            if res.status == OK and res.note is not None and res.note.path == was:
                continue
            edits.setdefault(target.old_path, []).append((link, path_target(was, link.target), "outgoing"))
        if entries:
            assert target.new_map is not None
            written = target.new_title
            if not _resolves_to(index, written, target.new_map, target.new_path):
                written = strip_md(target.new_path)
            _move_entry(plan, result, sources, entries, written)
    finally:
        index.remove(moved_entry)
        index.add(entry)
    # 3. edits, file by file
    for path in sorted(edits):
        _edit_links(plan, result, sources[path], edits[path])
    _edit_h1(plan, result, renamed, target)
    _edit_domain(plan, result, renamed, target)
    plan.move(target.old_path, renamed.raw, target.new_path)
    return result


def _map_entries(target: Target, sources: Mapping[str, Source], index: Resolver[Any]) -> list[maps.Entry]:
    """The old map's entries for the note, when they move to another map."""
    old, new = target.old_map, target.new_map
    if old is None or new is None or old == new or old not in sources or new not in sources:
        return []
    src = sources[old]
    m = maps.parse_map(src.text, src.note.body_start)
    found = maps.entries_for(m, target.old_path, index, old)
    dest = sources[new]
    if maps.entries_for(maps.parse_map(dest.text, dest.note.body_start), target.old_path, index, new):
        return []  # the new map lists it already: its link is rewritten like any other
    return found


def _move_entry(plan: Plan, result: RenamePlan, sources: Mapping[str, Source], entries: list[maps.Entry], written: str) -> None:
    target = result.target
    assert target.old_map is not None and target.new_map is not None
    src, dest = sources[target.old_map], sources[target.new_map]
    old_map = maps.parse_map(src.text, src.note.body_start)
    for edit in maps.remove_entries(old_map, entries):
        plan.edit(src.path, src.raw, edit.start, edit.end, edit.new)
    new_map = maps.parse_map(dest.text, dest.note.body_start)
    heading = old_map.sections[entries[0].section].heading
    section = new_map.section(heading) if heading else None
    add = maps.add_entry(new_map, written, entries[0].text, section, description=sources[target.old_path].note.description)
    plan.edit(dest.path, dest.raw, add.start, add.end, add.new)
    result.map_moved = (target.old_map, target.new_map)


def _written(src: Source, link: Link) -> tuple[str, bool]:
    """A markdown link's destination path as it stands in the text, and whether it is in `<...>`."""
    return src.text[link.target_start : link.target_end], src.text[link.target_start - 1 : link.target_start] == "<"


def _resolves_to(index: Resolver[Any], written: str, here: str, path: str) -> bool:
    res = index.resolve(written, here)
    return res.status == OK and res.note is not None and res.note.path == path


def _edit_links(plan: Plan, result: RenamePlan, src: Source, items: Sequence[tuple[Link, str, str]]) -> None:
    whole: dict[tuple[int, int], list[tuple[Link, str, str]]] = {}
    for link, new, reason in items:
        if link.target_start < 0 or (link.bare and _needs_quoting(src, link, new)):
            whole.setdefault((link.start, link.end), []).append((link, new, reason))
            continue
        old = src.text[link.target_start : link.target_end] if link.markdown else link.target
        if new == old:
            continue
        plan.edit(src.path, src.raw, link.target_start, link.target_end, new)
        result.rewrites.append(Rewrite(src.path, link.line, old, new, link.field, reason))
    for (start, end), group in whole.items():
        _requote(plan, result, src, start, end, group)


def _needs_quoting(src: Source, link: Link, new: str) -> bool:
    """Whether a plain (unquoted) frontmatter value stops reading back as itself."""
    if link.start > 0 and src.text[link.start - 1] in "\"'":
        return False  # inside quotes: titles hold no quote or backslash
    value = src.text[link.start : link.target_start] + new + src.text[link.target_end : link.end]
    return not _plain_ok(value, flow=_in_flow(src, link))


def _in_flow(src: Source, link: Link) -> bool:
    line_start = src.text.rfind("\n", 0, link.start) + 1
    return "[" in src.text[line_start : link.start]


def _plain_ok(value: str, *, flow: bool) -> bool:
    try:
        loaded = frontmatter.yaml_load(f"k: [{value}]" if flow else f"k: {value}")
    except Exception:
        return False
    if not isinstance(loaded, dict):
        return False
    got = loaded.get("k")
    if flow:
        return isinstance(got, list) and got == [value]
    return isinstance(got, str) and got == value


def _requote(
    plan: Plan, result: RenamePlan, src: Source, start: int, end: int, group: list[tuple[Link, str, str]]
) -> None:
    """Rewrite a whole YAML scalar whose value cannot be edited in place."""
    block = frontmatter.locate(src.text)
    fields = {link.field for link, _, _ in group}
    span = None
    if block is not None:
        span = next((s for s in frontmatter.value_spans(src.text, block, fields, links=True) if s.start == start and s.end == end), None)
    if span is None:
        for link, _, _ in group:
            result.skipped.append((src.path, link.line, "a frontmatter value that could not be located"))
        return
    link0 = group[0][0]
    if link0.bare:
        value = span.value
        lead = value[: len(value) - len(value.lstrip())]
        trail = value[len(value.rstrip()) :]
        new_value = lead + group[0][1] + trail
    else:
        wanted = {(link.target, link.heading, link.alias): new for link, new, _ in group}
        pieces: list[str] = []
        last = 0
        for m in LINK.finditer(span.value):
            new = wanted.get((m.group(2), m.group(3), m.group(4)))
            if new is None:
                continue
            pieces.append(span.value[last : m.start(2)] + new)
            last = m.end(2)
        pieces.append(span.value[last:])
        new_value = "".join(pieces)
    style = span.style
    if style == "" and not _plain_ok(new_value, flow=span.flow):
        style = '"'
    new_text = frontmatter.quote_for(style, new_value, span.flow)
    if src.text[start:end] == new_text:
        return
    if span.exact and span.style in ("'", '"'):
        start, end = start - 1, end + 1  # an exact span sits inside its quotes
    plan.edit(src.path, src.raw, start, end, new_text)
    for link, new, reason in group:
        result.rewrites.append(Rewrite(src.path, link.line, link.target, new, link.field, reason))


def _edit_h1(plan: Plan, result: RenamePlan, src: Source, target: Target) -> None:
    note = src.note
    if note.h1 is None or target.h1 is None:
        return
    new = new_h1(note.h1, target.old_title, target.h1)
    if new is None or new == note.h1:
        return
    m = H1_LINE.search(src.text, note.body_start)
    if m is None or m.group(1) != note.h1:
        return
    plan.edit(src.path, src.raw, m.start(1), m.end(1), new)
    result.h1_updated = True


def _edit_domain(plan: Plan, result: RenamePlan, src: Source, target: Target) -> None:
    if target.domain is None or src.note.domain in (None, target.domain):
        return
    block = frontmatter.locate(src.text)
    if block is None:
        return
    for span in frontmatter.value_spans(src.text, block, {"domain"}):
        if span.exact:
            plan.edit(src.path, src.raw, span.start, span.end, target.domain)
        else:
            plan.edit(src.path, src.raw, span.start, span.end, frontmatter.quote_for(span.style, target.domain, span.flow))
        result.domain_updated = True
        return
