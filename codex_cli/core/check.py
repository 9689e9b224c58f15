"""`codex check`: every finding about a vault, as data.

A report is built in two steps so that the first can run in parallel and be
cached note by note:

1. `note_part`: what one note adds to the report, worked out from the note
   and the index of every note's path alone: its own problems (parsed with
   it), its links that resolve to no note or to several, whether it is a
   claim or retired, and for a map the notes it lists.
2. `assemble`: what needs every part: claims no map lists, map entries for
   retired notes, names that collide case-insensitively in a folder, and
   "did you mean" for the broken links' distinct targets, in one batch.
3. `retired_links`: links to retired notes (warnings), for the notes that
   may hold one (a caller finds them by searching for the retired titles).

It also works out the fixes `--fix` may make: only those with exactly one
possible answer.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from codex_cli.core.links import Link
from codex_cli.core.note import ERROR, WARNING, Note, title_of
from codex_cli.core.resolve import (
    AMBIGUOUS,
    BROKEN,
    EMPTY,
    OK,
    PathRef,
    Resolution,
    Resolver,
    aliases_of,
    case_drift,
    prefer_local,
    target_key,
    title_key,
)
from codex_cli.core.suggest import Suggester
from codex_cli.core.text import key, loose_key, strip_md


@dataclass(frozen=True)
class Finding:
    file: str
    code: str
    severity: str
    message: str
    line: int | None = None
    target: str | None = None
    suggestions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The finding as a `problems` item of the JSON contract."""
        item: dict[str, Any] = {"file": self.file, "line": self.line, "code": self.code, "severity": self.severity, "message": self.message}
        if self.target is not None:
            item["target"] = self.target
        if self.suggestions:
            item["suggestions"] = list(self.suggestions)
        return item


@dataclass
class Report:
    notes: int = 0
    links: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def only(self, paths: set[str]) -> Report:
        return Report(self.notes, self.links, [f for f in self.findings if f.file in paths])

    def to_json(self) -> dict[str, Any]:
        broken = [
            {"file": f.file, "line": f.line, "target": f.target, "suggestions": list(f.suggestions)}
            for f in self.findings
            if f.code == "broken-link"
        ]
        problems = [f.as_dict() for f in self.findings if f.code != "broken-link"]
        return {
            "notes": self.notes,
            "links": self.links,
            "errors": self.errors,
            "warnings": self.warnings,
            "broken_links": broken,
            "problems": problems,
        }

    def pack(self) -> tuple[Any, ...]:
        return (self.notes, self.links, [_packed(f) for f in self.findings])

    @classmethod
    def unpack(cls, t: tuple[Any, ...]) -> Report:
        return cls(t[0], t[1], [Finding(f[0], f[1], f[2], f[3], f[4], f[5], tuple(f[6])) for f in t[2]])


def new_findings(now: Report, before: Report) -> Report:
    """`now` with only the findings `before` does not have: what a change added.

    Findings are compared by file, code and target (the message when there is
    none), not by line (an edit above a link moves it) nor suggestions (a new
    title changes "did you mean"); they are counted, so a second link to the
    same missing note is new. The first ones of a kind are taken as the old ones.
    """
    from collections import Counter

    had = Counter(_same(f) for f in before.findings)
    kept = []
    for f in now.findings:
        key = _same(f)
        if had[key]:
            had[key] -= 1
        else:
            kept.append(f)
    return Report(now.notes, now.links, kept)


def _same(f: Finding) -> tuple[str, str, str]:
    return (f.file, f.code, f.target if f.target is not None else f.message)


def _packed(f: Finding) -> tuple[Any, ...]:
    return (f.file, f.code, f.severity, f.message, f.line, f.target, f.suggestions)


MapLister = Callable[[], set[str]]
SuggestMany = Callable[[list[str]], Mapping[str, Sequence[str]]]

CLAIM = 1
RETIRED = 2
MAP = 4
# A map's entries that resolve to nothing or to several notes: `codex map
# check` reports them; `codex check` reports the same links as broken-link
# and ambiguous-link.
ENTRY_LINKS = frozenset({"unresolved-entry", "ambiguous-entry"})
MAP_CODES = ENTRY_LINKS | {"duplicate-entry", "empty-entry", "retired-entry", "unmapped"}
# Every code a `codex check` report can hold (docs/guide.md lists them):
# `--only`/`--exclude` refuse any other, so a typo cannot filter a gate to
# nothing. tests/unit/test_check_core.py fails when a module reports a code
# missing here.
CODES = MAP_CODES | {
    "ambiguous-link", "bad-date", "bad-type", "bad-value", "binary-file", "broken-link", "case-collision",
    "empty-link", "frontmatter-unclosed", "h1-mismatch", "link-case", "malformed-link", "md-suffix",
    "missing-field", "name-not-nfc", "name-too-long", "not-a-file", "not-utf8", "retired-link",
    "stray-temp", "symlink-broken", "symlink-outside", "unreadable", "yaml-invalid",
}


class Part(NamedTuple):
    """What one note adds to a report (plain data: computed in a worker, kept in the cache).

    `findings` are packed `Finding`s (broken links and unresolved map
    entries without their suggestions yet); `flags` holds CLAIM, RETIRED and
    MAP; a map's `mapped` are the notes its links resolve to, its `entries`
    the (note path, line, target) of each entry that resolves to one note.
    `aliases` are the note's frontmatter aliases, and `aliasable` the
    indexes of its findings (wiki links that resolve to no path or title)
    that an alias may resolve: the worker knows every path, not every
    note's aliases, so `assemble` resolves those (`through_aliases`).
    """

    findings: tuple[tuple[Any, ...], ...]
    links: int
    flags: int
    mapped: tuple[str, ...] = ()
    entries: tuple[tuple[str, int, str], ...] = ()
    aliases: tuple[str, ...] = ()
    aliasable: tuple[int, ...] = ()


def shown(link: Link) -> str:
    """A link as a message shows it: `[[target]]`, or `[text](path)` for a markdown link."""
    return f"[{link.alias}]({link.target})" if link.markdown else f"[[{link.target}]]"


def note_part(
    note: Note,
    resolver: Resolver[Any],
    claim_types: frozenset[str],
    is_map: Callable[[str], bool],
    text: str | None = None,
    drift: str | None = WARNING,
    aliases: bool = True,
    cased: Container[str] | None = None,
) -> Part:
    """One note's share of the report, against the index of every note.

    A map's entries are checked too when its `text` is given. `drift` is
    the severity of a link written in another case than its target (None:
    not reported); `aliases` whether the note's frontmatter aliases count.
    `cased` (`core.resolve.cased_keys`) spares the case comparison for the
    links written in lower case to a note named in lower case: most of them.
    """
    path = note.path
    out: list[tuple[Any, ...]] = [(path, p.code, p.severity, p.message, p.line, None, ()) for p in note.problems]
    aliasable: list[int] = []
    links = 0
    resolve, resolve_link = resolver.resolve, resolver.resolve_link
    for link in note.links:
        res = resolve_link(link, path) if link.markdown else resolve(link.target, path)
        status = res.status
        if link.bare:
            if status == OK:
                links += 1
            continue
        if status == EMPTY:
            continue
        links += 1
        if status == OK:
            if link.target_start >= 0 and not link.markdown and link.target.rstrip()[-3:].lower() == ".md":
                out.append((path, "md-suffix", WARNING, f"[[{link.target}]] carries a `.md` suffix", link.line, link.target, ()))
            t = link.target
            if (
                drift is not None
                # written as its key, to a name in lower case: no drift
                and (cased is None or t != res.key or t in cased)
                and not res.note.path.endswith(t + ".md")  # type: ignore[union-attr]  # as written
                and (fixed := case_drift(link, res, path)) is not None
            ):
                assert res.note is not None
                message = f"{shown(link)} differs in case from {res.note.path}"
                out.append((path, "link-case", drift, message, link.line, link.target, (fixed,)))
        elif status == BROKEN:
            if link.markdown:
                out.append((path, "broken-link", ERROR, f"{shown(link)} resolves to no note", link.line, link.target, ()))
                continue
            aliasable.append(len(out))
            out.append((path, "broken-link", ERROR, f"[[{link.target}]] resolves to no note", link.line, link.target, ()))
        elif status == AMBIGUOUS:
            paths = tuple(sorted(n.path for n in res.candidates))
            message = f"[[{link.target}]] matches {len(paths)} notes; link one by its path: " + " or ".join(f"[[{strip_md(p)}]]" for p in paths)
            out.append((path, "ambiguous-link", WARNING, message, link.line, link.target, paths))
    flags = _flags(note, claim_types, is_map)
    named = aliases_of(note.meta) if aliases and note.meta and "aliases" in note.meta else ()
    if not flags & MAP:
        if not aliasable and not named:
            return Part(tuple(out), links, flags)
        return Part(tuple(out), links, flags, (), (), named, tuple(aliasable))
    mapped = _mapped_by(note, resolver)
    entries: tuple[tuple[str, int, str], ...] = ()
    if text is not None and any(not link.field for link in note.links):
        from codex_cli.core.maps import map_entry_findings

        found, listed = map_entry_findings(path, text, note, resolver, links=True)
        for f in found:
            if f.code == "unresolved-entry":
                aliasable.append(len(out))
            out.append(_packed(f))
        entries = tuple(listed)
    return Part(tuple(out), links, flags, mapped, entries, named, tuple(aliasable))


def through_aliases(parts: Mapping[str, Part]) -> Mapping[str, Part]:
    """The parts with the links that only an alias resolves taken out of their
    findings (a map's entry then lists the note), and the links an alias
    shared by several notes resolves made `ambiguous-link` warnings.

    The same rule as `Resolver.resolve_key` after a path and a title
    missed (tests/unit/test_check_core.py holds them together).
    """
    named: dict[str, list[PathRef]] = {}
    for path, part in parts.items():
        for alias in part.aliases:
            bucket = named.setdefault(title_key(alias), [])
            if not bucket or bucket[-1].path != path:
                bucket.append(PathRef(path))
    if not named:
        return parts
    out = dict(parts)
    for path, part in parts.items():
        if not part.aliasable:
            continue
        drop: set[int] = set()
        changed: dict[int, tuple[Any, ...]] = {}
        mapped = list(part.mapped)
        for i in part.aliasable:
            f = part.findings[i]
            found = prefer_local(named.get(target_key(f[5]), []), path)
            if len(found) == 1:
                drop.add(i)
                if f[1] == "unresolved-entry":
                    mapped.append(found[0].path)
            elif found:
                paths = tuple(sorted(n.path for n in found))
                code = "ambiguous-entry" if f[1] == "unresolved-entry" else "ambiguous-link"
                message = f"[[{f[5]}]] is an alias of {len(paths)} notes: " + "; ".join(paths)
                changed[i] = (f[0], code, WARNING, message, f[4], f[5], paths)
        if drop or changed:
            findings = tuple(changed.get(i, f) for i, f in enumerate(part.findings) if i not in drop)
            out[path] = part._replace(findings=findings, mapped=tuple(dict.fromkeys(mapped)), aliasable=())
    return out


def status_part(note: Note, claim_types: frozenset[str], is_map: Callable[[str], bool]) -> Part:
    """The part of a note known only for what it is (claim, retired, map), not for its links."""
    return Part((), 0, _flags(note, claim_types, is_map))


def _flags(note: Note, claim_types: frozenset[str], is_map: Callable[[str], bool]) -> int:
    flags = CLAIM if note.type in claim_types else 0
    if note.retired:
        flags |= RETIRED
    if is_map(note.path):
        flags |= MAP
    return flags


def _mapped_by(note: Note, resolver: Resolver[Any]) -> tuple[str, ...]:
    """The notes a map's body links resolve to (any link counts as listing)."""
    listed: dict[str, None] = {}
    for link in note.links:
        if link.field:
            continue
        res = resolver.resolve_link(link, note.path)
        if res.status == OK and res.note is not None:
            listed[res.note.path] = None
    return tuple(listed)


def assemble(
    parts: Mapping[str, Part],
    scan_problems: Iterable[tuple[str, Any]] = (),
    only: set[str] | None = None,
    suggest_many: SuggestMany | None = None,
    paths: Iterable[str] | None = None,
    more: Iterable[Finding] = (),
) -> Report:
    """The report from every note's part (`only`: report on those notes alone).

    `paths` are the notes whose names may collide with those reported on
    (default: the parts'), for a caller that has the parts of a few notes
    only; `more` are findings worked out elsewhere (`retired_links`).
    """
    parts = through_aliases(parts)
    report = Report(notes=len(parts) if only is None else len(only & parts.keys()))
    out = report.findings
    for path, problem in scan_problems:
        if only is None or path in only:
            out.append(Finding(path, problem.code, problem.severity, problem.message, problem.line))
    mapped, retired = _mapped_and_retired(parts)
    chosen = parts.items() if only is None else [(p, parts[p]) for p in sorted(only) if p in parts]
    for path, part in chosen:
        report.links += part.links
        out.extend(Finding(*t) for t in part.findings if t[1] not in ENTRY_LINKS)
        out.extend(_whole_vault_findings(path, part, mapped, retired))
    _suggest(out, "broken-link", parts, suggest_many)
    out.extend(f for f in more if only is None or f.file in only)
    out.extend(_collisions(parts if paths is None else paths, only))
    out.sort(key=lambda f: (f.file, f.line or 0, f.code))
    return report


def retired_links(note: Note, resolver: Resolver[Any], retired: Callable[[str], bool], is_map: Callable[[str], bool]) -> list[Finding]:
    """A warning for each link of `note` that resolves to a retired note (a
    map's entries for retired notes are `retired-entry` already)."""
    if is_map(note.path):
        return []
    out = []
    for link in note.links:
        res = resolver.resolve_link(link, note.path)
        if res.status == OK and res.note is not None and res.note.path != note.path and retired(res.note.path):
            where = f" ({link.field})" if link.field else ""
            message = f"{shown(link)}{where} links to a retired note: {strip_md(res.note.path)}"
            out.append(Finding(note.path, "retired-link", WARNING, message, link.line, link.target))
    return out


def map_report(parts: Mapping[str, Part], suggest_many: SuggestMany | None = None) -> tuple[list[str], int, list[Finding]]:
    """`codex map check` from the same parts: the maps, their number of
    entries, and every map finding (entries that resolve to nothing, with
    suggestions, or to several notes; duplicates, retired notes, entries
    with no text; claims no map lists)."""
    parts = through_aliases(parts)
    mapped, retired = _mapped_and_retired(parts)
    maps = sorted(p for p, part in parts.items() if part.flags & MAP)
    out: list[Finding] = []
    entries = 0
    for path, part in parts.items():
        if part.flags & MAP:
            entries += len(part.entries) + sum(1 for t in part.findings if t[1] in ENTRY_LINKS)
            out.extend(Finding(*t) for t in part.findings if t[1] in MAP_CODES)
        out.extend(_whole_vault_findings(path, part, mapped, retired))
    _suggest(out, "unresolved-entry", parts, suggest_many)
    out.sort(key=lambda f: (f.file, f.line or 0, f.code))
    return maps, entries, out


def _mapped_and_retired(parts: Mapping[str, Part]) -> tuple[set[str], set[str]]:
    mapped: set[str] = set()
    retired: set[str] = set()
    for path, part in parts.items():
        if part.mapped:
            mapped.update(part.mapped)
        if part.flags & RETIRED:
            retired.add(path)
    return mapped, retired


def _whole_vault_findings(path: str, part: Part, mapped: set[str], retired: set[str]) -> list[Finding]:
    """What a note's part says only next to every other part: unmapped claims, entries for retired notes."""
    out = []
    if part.flags & CLAIM and not part.flags & RETIRED and path not in mapped:
        out.append(_unmapped_finding(path))
    for listed, line, target in part.entries:
        if listed in retired:
            out.append(Finding(path, "retired-entry", WARNING, f"{title_of(listed)} is retired", line, target))
    return out


def _suggest(out: list[Finding], code: str, parts: Mapping[str, Part], suggest_many: SuggestMany | None) -> None:
    """Fill in "did you mean" for the findings of `code`, their distinct targets in one batch."""
    pending = [i for i, f in enumerate(out) if f.code == code and f.target is not None]
    if not pending:
        return
    targets = list(dict.fromkeys(out[i].target or "" for i in pending))
    if suggest_many is None:
        suggest_many = Suggester([title_of(p) for p in parts]).suggest_many
    found = suggest_many(targets)
    for i in pending:
        f = out[i]
        own = title_of(f.file)
        hints = tuple(t for t in found.get(f.target or "", ()) if t != own)  # never the linking note itself
        out[i] = Finding(f.file, f.code, f.severity, f.message, f.line, f.target, hints)


def check(
    notes: dict[str, Note],
    resolver: Resolver[Note],
    claim_types: Iterable[str],
    is_map: Callable[[str], bool],
    scan_problems: Iterable[tuple[str, Any]] = (),
    only: set[str] | None = None,
    read_text: Callable[[str], str] | None = None,
    suggest_many: SuggestMany | None = None,
) -> Report:
    """Check the notes in `only` (all when None) against the whole vault, in one process.

    With `read_text` (path -> text), map entries are checked too. "Did you
    mean" suggestions for the broken links' distinct targets come in one
    batch from `suggest_many` (targets -> suggestions; by default a
    `Suggester` over every title), so a caller can spread or remember them.
    """
    kinds = frozenset(claim_types)
    parts = {
        path: note_part(note, resolver, kinds, is_map, read_text(path) if read_text is not None and is_map(path) else None)
        for path, note in notes.items()
    }
    return assemble(parts, scan_problems, only, suggest_many)


def _collisions(paths: Iterable[str], only: set[str] | None) -> list[Finding]:
    groups: dict[tuple[str, str], list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        groups.setdefault((folder, key(name)), []).append(path)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for path in group:
            if only is None or path in only:
                others = ", ".join(p.rpartition("/")[2] for p in group if p != path)
                out.append(Finding(path, "case-collision", ERROR, f"name collides case-insensitively with {others}"))
    return out


def _unmapped_finding(path: str) -> Finding:
    return Finding(path, "unmapped", WARNING, "no map lists this claim")


def unmapped(
    notes: Mapping[str, Note],
    resolver: Resolver[Any],
    claim_types: Iterable[str],
    is_map: Callable[[str], bool],
) -> list[Finding]:
    """Claims that no map lists (and are not retired), for `codex map sync`:
    the rule `assemble` applies, from parsed notes."""
    kinds = frozenset(claim_types)
    parts = {}
    for path, note in notes.items():
        flags = _flags(note, kinds, is_map)
        parts[path] = Part((), 0, flags, _mapped_by(note, resolver) if flags & MAP else ())
    mapped, retired = _mapped_and_retired(parts)
    return [f for path, part in parts.items() for f in _whole_vault_findings(path, part, mapped, retired) if f.code == "unmapped"]


# --- fixes --------------------------------------------------------------------

MIN_PREFIX = 12


@dataclass(frozen=True)
class Fix:
    file: str
    line: int
    link: Link
    new_target: str
    reason: str


class FixFinder:
    """Fixes with exactly one possible answer; anything else is left alone.

    Built from the notes' paths alone (a fix only needs the titles).
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self.by_loose: dict[str, list[str]] = {}
        self.loose_titles: list[tuple[str, str]] = []
        for path in paths:
            lk = loose_key(title_of(path))
            self.by_loose.setdefault(lk, []).append(path)
            self.loose_titles.append((lk, path))
        self.loose_titles.sort(key=lambda t: t[0])
        self._keys = [t[0] for t in self.loose_titles]

    def _prefixed(self, prefix: str) -> list[str]:
        from bisect import bisect_left

        i = bisect_left(self._keys, prefix)
        out = []
        while i < len(self._keys) and self._keys[i].startswith(prefix):
            out.append(self.loose_titles[i][1])
            if len(out) > 1:
                break
            i += 1
        return out

    def for_link(self, note: Note, link: Link, res: Resolution[Any], drift: bool = True) -> Fix | None:
        if link.bare or link.target_start < 0:
            return None
        target = link.target
        status = res.status
        if status == OK:
            if drift and (fixed := case_drift(link, res, note.path)) is not None:
                return Fix(note.path, link.line, link, fixed, "written in the case of the note's name")
            if not link.markdown and target.rstrip().lower().endswith(".md"):
                return Fix(note.path, link.line, link, strip_md(target.rstrip()), "dropped the `.md` suffix")
            return None
        if status != BROKEN or link.markdown:
            return None
        path_form = "/" in target
        lk = loose_key(strip_md(target.rpartition("/")[2] if path_form else target))
        if not lk:
            return None
        same = self.by_loose.get(lk, [])
        if note.path in same:
            return None  # never rewrite a link into a link to the linking note itself
        if len(same) == 1:
            return Fix(note.path, link.line, link, self._written(same[0], path_form), "matches one title ignoring case and punctuation")
        if len(same) > 1:
            return None
        if len(lk) >= MIN_PREFIX:
            pre = self._prefixed(lk)
            if len(pre) == 1 and pre[0] != note.path:
                return Fix(note.path, link.line, link, self._written(pre[0], path_form), "unique prefix of one title")
        return None

    def for_note(self, note: Note, resolver: Resolver[Any], drift: bool = True) -> list[Fix]:
        fixes = []
        for link in note.links:
            fix = self.for_link(note, link, resolver.resolve_link(link, note.path), drift)
            if fix is not None:
                fixes.append(fix)
        return fixes

    @staticmethod
    def _written(path: str, path_form: bool) -> str:
        return strip_md(path) if path_form else title_of(path)


def find_fixes(notes: dict[str, Note], resolver: Resolver[Any], only: set[str] | None = None, drift: bool = True) -> list[Fix]:
    finder = FixFinder(notes)
    fixes: list[Fix] = []
    for note in notes.values():
        if only is None or note.path in only:
            fixes.extend(finder.for_note(note, resolver, drift))
    return fixes
