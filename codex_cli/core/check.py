"""`codex check`: every finding about a vault, as data.

Per-note problems come parsed (and cached) with each note; this module adds
what needs the whole vault: links that do not resolve or resolve to several
notes, names that collide case-insensitively in a folder, and claims that no
map lists. It also works out the fixes `--fix` may make: only those with
exactly one possible answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from codex_cli.core.links import Link
from codex_cli.core.note import ERROR, WARNING, Note, Problem
from codex_cli.core.resolve import AMBIGUOUS, BROKEN, EMPTY, OK, Resolver
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
        return (
            self.notes,
            self.links,
            [(f.file, f.code, f.severity, f.message, f.line, f.target, f.suggestions) for f in self.findings],
        )

    @classmethod
    def unpack(cls, t: tuple[Any, ...]) -> Report:
        return cls(t[0], t[1], [Finding(f[0], f[1], f[2], f[3], f[4], f[5], tuple(f[6])) for f in t[2]])


MapLister = Callable[[], set[str]]
SuggestMany = Callable[[list[str]], Mapping[str, Sequence[str]]]


def check(
    notes: dict[str, Note],
    resolver: Resolver[Note],
    claim_types: Iterable[str],
    is_map: Callable[[str], bool],
    scan_problems: Iterable[tuple[str, Problem]] = (),
    only: set[str] | None = None,
    read_text: Callable[[str], str] | None = None,
    suggest_many: SuggestMany | None = None,
) -> Report:
    """Check the notes in `only` (all when None) against the whole vault.

    With `read_text` (path -> text), map entries are checked too (core.maps).
    "Did you mean" suggestions for the broken links' distinct targets come in
    one batch from `suggest_many` (targets -> suggestions; by default a
    `Suggester` over every title), so a caller can spread or remember them.
    """
    report = Report(notes=len(notes) if only is None else len(only & notes.keys()))
    out = report.findings
    selected = notes.values() if only is None else [notes[p] for p in sorted(only) if p in notes]
    pending: list[tuple[int, str]] = []  # (index in out, target) of broken links
    for path, problem in scan_problems:
        if only is None or path in only:
            out.append(Finding(path, problem.code, problem.severity, problem.message, problem.line))
    for note in selected:
        for p in note.problems:
            out.append(Finding(note.path, p.code, p.severity, p.message, p.line))
        for link in note.links:
            res = resolver.resolve(link.target, note.path)
            if link.bare:
                if res.status == OK:
                    report.links += 1
                continue
            if res.status == EMPTY:
                continue
            report.links += 1
            if res.status == BROKEN:
                pending.append((len(out), link.target))
                out.append(
                    Finding(
                        note.path,
                        "broken-link",
                        ERROR,
                        f"[[{link.target}]] resolves to no note",
                        link.line,
                        link.target,
                    )
                )
            elif res.status == AMBIGUOUS:
                paths = sorted(n.path for n in res.candidates)
                out.append(
                    Finding(
                        note.path,
                        "ambiguous-link",
                        WARNING,
                        f"[[{link.target}]] matches {len(paths)} notes: " + "; ".join(paths),
                        link.line,
                        link.target,
                        tuple(paths),
                    )
                )
            elif link.target.rstrip().lower().endswith(".md") and link.target_start >= 0:
                out.append(Finding(note.path, "md-suffix", WARNING, f"[[{link.target}]] carries a `.md` suffix", link.line, link.target))
    if pending:
        targets = list(dict.fromkeys(target for _, target in pending))
        if suggest_many is None:
            suggest_many = Suggester([n.title for n in notes.values()]).suggest_many
        found = suggest_many(targets)
        for i, target in pending:
            out[i] = replace(out[i], suggestions=tuple(found.get(target, ())))
    out.extend(_collisions(notes, only))
    out.extend(_unmapped(notes, resolver, frozenset(claim_types), is_map, only))
    if read_text is not None:
        from codex_cli.core.maps import map_findings

        out.extend(map_findings(notes, resolver, is_map, read_text, only=only, links=False))
    out.sort(key=lambda f: (f.file, f.line or 0, f.code))
    return report


def _collisions(notes: dict[str, Note], only: set[str] | None) -> list[Finding]:
    groups: dict[tuple[str, str], list[str]] = {}
    for path in notes:
        folder, _, name = path.rpartition("/")
        groups.setdefault((folder, key(name)), []).append(path)
    out = []
    for paths in groups.values():
        if len(paths) < 2:
            continue
        for path in paths:
            if only is None or path in only:
                others = ", ".join(p.rpartition("/")[2] for p in paths if p != path)
                out.append(Finding(path, "case-collision", ERROR, f"name collides case-insensitively with {others}"))
    return out


def mapped_paths(notes: dict[str, Note], resolver: Resolver[Note], is_map: Callable[[str], bool]) -> set[str]:
    listed: set[str] = set()
    for note in notes.values():
        if not is_map(note.path):
            continue
        for link in note.links:
            if link.field:
                continue
            res = resolver.resolve(link.target, note.path)
            if res.status == OK and res.note is not None:
                listed.add(res.note.path)
    return listed


def _unmapped(
    notes: dict[str, Note],
    resolver: Resolver[Note],
    claim_types: frozenset[str],
    is_map: Callable[[str], bool],
    only: set[str] | None,
) -> list[Finding]:
    claims = [n for n in notes.values() if n.type in claim_types and (only is None or n.path in only)]
    if not claims:
        return []
    listed = mapped_paths(notes, resolver, is_map)
    return [
        Finding(n.path, "unmapped", WARNING, "no map lists this claim")
        for n in claims
        if n.path not in listed and (n.meta or {}).get("status") != "retired"
    ]


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
    """Fixes with exactly one possible answer; anything else is left alone."""

    def __init__(self, notes: dict[str, Note]) -> None:
        self.by_loose: dict[str, list[Note]] = {}
        self.loose_titles: list[tuple[str, Note]] = []
        for note in notes.values():
            lk = loose_key(note.title)
            self.by_loose.setdefault(lk, []).append(note)
            self.loose_titles.append((lk, note))
        self.loose_titles.sort(key=lambda t: t[0])
        self._keys = [t[0] for t in self.loose_titles]

    def _prefixed(self, prefix: str) -> list[Note]:
        from bisect import bisect_left

        i = bisect_left(self._keys, prefix)
        out = []
        while i < len(self._keys) and self._keys[i].startswith(prefix):
            out.append(self.loose_titles[i][1])
            if len(out) > 1:
                break
            i += 1
        return out

    def for_link(self, note: Note, link: Link, status: str) -> Fix | None:
        if link.bare or link.target_start < 0:
            return None
        target = link.target
        if status == OK:
            if target.rstrip().lower().endswith(".md"):
                return Fix(note.path, link.line, link, strip_md(target.rstrip()), "dropped the `.md` suffix")
            return None
        if status != BROKEN:
            return None
        path_form = "/" in target
        lk = loose_key(strip_md(target.rpartition("/")[2] if path_form else target))
        if not lk:
            return None
        same = self.by_loose.get(lk, [])
        if len(same) == 1:
            return Fix(note.path, link.line, link, self._written(same[0], path_form), "matches one title ignoring case and punctuation")
        if len(same) > 1:
            return None
        if len(lk) >= MIN_PREFIX:
            pre = self._prefixed(lk)
            if len(pre) == 1:
                return Fix(note.path, link.line, link, self._written(pre[0], path_form), "unique prefix of one title")
        return None

    @staticmethod
    def _written(note: Note, path_form: bool) -> str:
        return strip_md(note.path) if path_form else note.title


def find_fixes(notes: dict[str, Note], resolver: Resolver[Note], only: set[str] | None = None) -> list[Fix]:
    finder = FixFinder(notes)
    fixes: list[Fix] = []
    for note in notes.values():
        if only is not None and note.path not in only:
            continue
        for link in note.links:
            status = resolver.resolve(link.target, note.path).status
            fix = finder.for_link(note, link, status)
            if fix is not None:
                fixes.append(fix)
    return fixes
