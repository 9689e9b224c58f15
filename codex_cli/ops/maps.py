"""`codex map add|remove|check|sync`: keep the topic maps true.

Each function builds a `MapPlan` (a `core.plan.Plan` plus what it does, as
data); the CLI previews it and lands it with `ops.commit.land`. Map text is
only ever read through `core.maps`, and every edit is one entry line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_cli.adapters import fs
from codex_cli.core import maps
from codex_cli.core.check import Finding, unmapped
from codex_cli.core.note import ERROR, WARNING, Note, decode
from codex_cli.core.plan import Plan
from codex_cli.core.resolve import BROKEN, OK
from codex_cli.core.text import strip_md
from codex_cli.errors import NotFound, Refused, UsageError
from codex_cli.vault import Progress, Vault

# --- check ----------------------------------------------------------------------


@dataclass
class MapReport:
    maps: list[str]
    entries: int
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def to_json(self) -> dict[str, Any]:
        problems = [f.as_dict() for f in self.findings]
        return {
            "maps": self.maps,
            "entries": self.entries,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": problems,
        }


def map_paths(vault: Vault) -> list[str]:
    return sorted(p for p in vault.notes if vault.config.is_map(p))


def parsed(vault: Vault, path: str) -> tuple[bytes, maps.MapText]:
    """A map's bytes (for Plan.edit) and its model."""
    raw = fs.read_bytes(vault.root, path)
    text, _ = decode(raw)
    note = vault.notes.get(path)
    return raw, maps.parse_map(text, note.body_start if note is not None else 0)


def check_maps(vault: Vault, progress: Progress | None = None) -> MapReport:
    """Every map finding: entries that resolve to nothing (with suggestions),
    to several notes, to retired notes, twice in one map, with no text; and
    claims no map lists (`unmapped`, as `codex check` reports them).

    Computed from the same per-note parts as `codex check` (and their cache).
    """
    from codex_cli.core.check import map_report
    from codex_cli.ops.check import Suggestions, note_parts

    parts, _, _, _ = note_parts(vault, progress)
    paths, entries, findings = map_report(parts, Suggestions(vault, parts))
    return MapReport(paths, entries, findings)


# --- plans ----------------------------------------------------------------------


@dataclass
class EntryChange:
    map: str
    title: str
    line: int | None = None  # line in the map before the change (removals, dead entries)
    section: str | None = None
    text: str = ""
    created_map: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"map": self.map, "title": self.title, "line": self.line, "section": self.section, "text": self.text}


@dataclass
class MapPlan:
    plan: Plan = field(default_factory=Plan)
    added: list[EntryChange] = field(default_factory=list)
    removed: list[EntryChange] = field(default_factory=list)
    dead: list[EntryChange] = field(default_factory=list)  # unresolved entries left in place (no --prune)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (claim path, why it was not added)
    maps_created: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [c.to_json() for c in self.added],
            "removed": [c.to_json() for c in self.removed],
            "dead": [c.to_json() for c in self.dead],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "maps_created": self.maps_created,
            "files": self.plan.paths_touched(),
        }


def domain_map(vault: Vault, note: Note) -> str | None:
    """The note's domain map: from its `domain` field, else from its folder."""
    config = vault.config
    for domain in (note.domain, config.domain_of_folder(note.folder)):
        if domain:
            path = config.map_for_domain(domain)
            if path is not None:
                return path
    return None


def resolve_map_option(vault: Vault, value: str) -> str:
    """A `--map` value: a domain name, a vault-relative path, or a path from here."""
    config = vault.config
    if not value.endswith(".md") and value in config.domains:
        path = config.map_for_domain(value)
        assert path is not None
        return path
    candidate = Path(value)
    full = candidate if candidate.is_absolute() else Path.cwd() / candidate
    try:
        rel = full.resolve().relative_to(vault.root.resolve()).as_posix()
    except (ValueError, OSError):
        rel = value
    if not full.exists():
        rel = value.strip("/")
    if not rel.endswith(".md"):
        rel += ".md"
    if not config.is_map(rel):
        raise UsageError(f"--map {value}: {rel} is not a map (maps are {config.map_file_name} files and {', '.join(config.map_globs)})")
    return rel


def link_target(vault: Vault, note: Note, map_path: str) -> str:
    """How a map at `map_path` should write a link to `note`: its title, or its path when the title is shared."""
    res = vault.resolver.resolve(note.title, map_path)
    if res.status == OK and res.note is not None and res.note.path == note.path:
        return note.title
    return strip_md(note.path)


def _listed_in(vault: Vault, note: Note, map_path: str) -> list[maps.Entry]:
    if map_path not in vault.notes:
        return []
    return maps.entries_for(parsed(vault, map_path)[1], note.path, vault.resolver, map_path)


NEIGHBOURS = 15  # the closest notes (the link ranker) whose sections vote


@dataclass(frozen=True)
class SectionChoice:
    """A section a note could be listed under, with its score (0-2) and why."""

    heading: str
    score: float
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"section": self.heading, "score": round(self.score, 3), "why": self.why}


def section_choices(
    vault: Vault, m: maps.MapText, map_path: str, title: str, description: str = "", body: str = "", exclude: str | None = None
) -> list[SectionChoice]:
    """The map's sections, best first, for a note with this text (`exclude`: the note itself, if written).

    Two kinds of evidence, each scaled so that the best section gets 1: how
    much the section's entries read like the note (core.maps.rank_sections),
    and where the note's closest notes by the link ranker are listed (each
    votes with its score).
    """
    from codex_cli.core.matcher import Draft
    from codex_cli.ops.link import propose

    alike = {sec.heading: score for score, sec in maps.rank_sections(m, title, description) if sec.heading}
    section_of: dict[str, str] = {}
    for sec in m.headed:
        for e in sec.entries:
            res = vault.resolver.resolve(e.target, map_path)
            if res.note is not None and sec.heading:
                section_of.setdefault(res.note.path, sec.heading)
    votes: dict[str, float] = {}
    voters: dict[str, int] = {}
    for s in propose(vault, Draft(title, description, body, path=exclude), NEIGHBOURS):
        heading = section_of.get(s.path)
        if heading is not None:
            votes[heading] = votes.get(heading, 0.0) + s.score
            voters[heading] = voters.get(heading, 0) + 1
    top_alike = max(alike.values(), default=0.0) or 1.0
    top_votes = max(votes.values(), default=0.0) or 1.0
    out = []
    for heading in dict.fromkeys([*alike, *votes]):
        score = alike.get(heading, 0.0) / top_alike + votes.get(heading, 0.0) / top_votes
        why = []
        if voters.get(heading):
            n = voters[heading]
            why.append(f"{n} of the note's {NEIGHBOURS} closest notes {'is' if n == 1 else 'are'} listed here")
        if alike.get(heading, 0.0) > 0:
            share = alike[heading] / top_alike
            why.append("the most similar entries" if share >= 1 else f"entries {share:.0%} as similar as the best section's")
        out.append(SectionChoice(heading, score, "; ".join(why) or "no shared evidence"))
    out.sort(key=lambda c: -c.score)
    return out


def plan_add(
    vault: Vault,
    note: Note,
    *,
    map_path: str | None = None,
    section: str | None = None,
    text: str | None = None,
) -> MapPlan:
    """List `note` in a map (default: its domain map, the most similar section, its description)."""
    if map_path is None:
        map_path = domain_map(vault, note)
        if map_path is None:
            raise UsageError(f"{note.path} has no domain map: pass --map PATH")
    entry_text = maps.one_line(note.description if text is None else text)
    already = _listed_in(vault, note, map_path)
    if already:
        raise Refused(f"{note.title} is already listed in {map_path} (line {already[0].line})", hint="codex map remove, then add")
    out = MapPlan()
    target = link_target(vault, note, map_path)
    if map_path not in vault.notes:
        if (vault.root / map_path).exists():
            raise Refused(f"{map_path} exists but is not a note the vault reads")
        domain = vault.config.domain_of_folder(map_path.rpartition("/")[0]) or note.domain or "notes"
        heading = section or maps.NEW_SECTION
        out.plan.create(map_path, maps.new_map(domain, [(target, entry_text)], section=heading))
        out.maps_created.append(map_path)
        out.added.append(EntryChange(map_path, target, None, heading, entry_text, True))
        return out
    raw, m = parsed(vault, map_path)
    if section is None and m.headed:
        choices = section_choices(vault, m, map_path, note.title, note.description, exclude=note.path)
        section = choices[0].heading if choices else None
    where = maps.target_section(m, note.title, section, note.description)
    edit = maps.add_entry(m, target, entry_text, where, description=note.description)
    out.plan.edit(map_path, raw, edit.start, edit.end, edit.new)
    heading_name: str | None = where if isinstance(where, str) else where.heading
    out.added.append(EntryChange(map_path, target, None, heading_name, entry_text))
    return out


def plan_remove(vault: Vault, note: Note, *, map_path: str | None = None, plan: MapPlan | None = None, required: bool = True) -> MapPlan:
    """Remove every entry for `note` from one map (or all maps)."""
    out = plan if plan is not None else MapPlan()
    paths = [map_path] if map_path is not None else map_paths(vault)
    for path in paths:
        if path not in vault.notes:
            if map_path is not None:
                raise NotFound(path)
            continue
        raw, m = parsed(vault, path)
        entries = maps.entries_for(m, note.path, vault.resolver, path)
        for edit in maps.remove_entries(m, entries):
            out.plan.edit(path, raw, edit.start, edit.end, edit.new)
        for e in entries:
            out.removed.append(EntryChange(path, e.target, e.line, m.sections[e.section].heading, e.text))
    if required and not out.removed:
        where = map_path or "any map"
        raise Refused(f"{note.title} is not listed in {where}")
    return out


def plan_sync(vault: Vault, *, prune: bool = False, progress: Progress | None = None) -> MapPlan:
    """Add every unmapped claim to its domain map; with `prune`, drop dead entries."""
    notes = vault.load(progress)
    out = MapPlan()
    missing = unmapped(notes, vault.resolver, vault.config.claim_types, set(map_paths(vault)).__contains__)
    wanted: dict[str, list[Note]] = {}
    for finding in missing:
        note = notes[finding.file]
        path = domain_map(vault, note)
        if path is None:
            out.skipped.append((note.path, f"no map for domain {note.domain or '?'}: run codex map add with --map"))
            continue
        wanted.setdefault(path, []).append(note)
    for path in map_paths(vault):
        raw, m = parsed(vault, path)
        dead = []
        for e in m.entries:
            if vault.resolver.resolve(e.target, path).status == BROKEN:
                dead.append(e)
        for e in dead:
            change = EntryChange(path, e.target, e.line, m.sections[e.section].heading, e.text)
            (out.removed if prune else out.dead).append(change)
        removals = maps.remove_entries(m, dead) if prune else []
        for edit in removals:
            out.plan.edit(path, raw, edit.start, edit.end, edit.new)
        if prune:
            m = m.without(dead)  # new entries are placed among the entries that stay
        claims = sorted(wanted.pop(path, []), key=lambda n: n.title.lower())
        if claims:
            items: list[tuple[str, str, str | maps.Section | None, str]] = []
            for note in claims:
                where = maps.target_section(m, note.title, None, note.description)
                target = link_target(vault, note, path)
                text = maps.one_line(note.description)
                items.append((target, text, where, note.description))
                out.added.append(EntryChange(path, target, None, where if isinstance(where, str) else where.heading, text))
            for edit in maps.after_removals(maps.add_entries(m, items), removals):
                out.plan.edit(path, raw, edit.start, edit.end, edit.new)
    for path, claims in sorted(wanted.items()):  # domain maps that do not exist yet
        if (vault.root / path).exists():
            for note in claims:
                out.skipped.append((note.path, f"{path} exists but is not a note the vault reads"))
            continue
        domain = vault.config.domain_of_folder(path.rpartition("/")[0]) or "notes"
        entries = [(link_target(vault, n, path), maps.one_line(n.description)) for n in sorted(claims, key=lambda n: n.title.lower())]
        out.plan.create(path, maps.new_map(domain, entries))
        out.maps_created.append(path)
        out.added.extend(EntryChange(path, t, None, maps.NEW_SECTION, x, True) for t, x in entries)
    return out


# --- landing --------------------------------------------------------------------


@dataclass
class MapOutcome:
    """What a mutating map command did (or, with dry_run, would do)."""

    change: MapPlan
    diff: str
    message: str | None = None
    branch: str | None = None
    commit: str | None = None
    in_repository: bool = False
    dry_run: bool = False
    previous_branch: str | None = None  # where the command started (the way back)

    def to_json(self) -> dict[str, Any]:
        doc = self.change.to_json()
        doc.update({"commit": self.commit, "branch": self.branch, "dry_run": self.dry_run})
        if self.dry_run:
            doc["diff"] = self.diff
            doc["message"] = self.message
        return doc


def describe(change: MapPlan) -> tuple[str, str]:
    """A commit subject action and its `- What:` line."""
    from codex_cli.core.text import short_title

    added, removed = change.added, change.removed
    maps_touched = sorted({c.map for c in (*added, *removed)})
    if len(added) == 1 and not removed:
        c = added[0]
        return f"list {short_title(c.title)} in {c.map}", f"added [[{c.title}]] to {c.map}" + (f" under {c.section}" if c.section else "")
    if len(removed) == 1 and not added:
        c = removed[0]
        return f"unlist {short_title(c.title)} from {c.map}", f"removed [[{c.title}]] from {c.map}"
    parts = []
    if added:
        parts.append(f"{len(added)} added")
    if removed:
        parts.append(f"{len(removed)} removed")
    what = f"{', '.join(parts)} in {len(maps_touched)} map{'s' if len(maps_touched) != 1 else ''}: " + ", ".join(maps_touched)
    return f"sync maps ({', '.join(parts)})", what


def land_change(
    vault: Vault,
    change: MapPlan,
    options: Any,
    *,
    why: str | None = None,
    dry_run: bool = False,
    action: str | None = None,
    what: str | None = None,
) -> MapOutcome:
    """Preview (dry_run) or apply and commit a map change through ops.commit.land."""
    from codex_cli.adapters.git import Repository
    from codex_cli.ops.commit import Message, land, planned_branch, render_message

    default_action, default_what = describe(change)
    msg = Message(action or default_action, what or default_what, why)
    diff = change.plan.diff()
    if dry_run or not change.plan:
        repo = Repository.find(vault.root)
        message = render_message(vault, options, msg, repo) if change.plan else None
        hint = "sync maps" if msg.action.startswith("sync maps") else msg.action
        branch = planned_branch(vault, options, hint, repo) if repo is not None and change.plan else None
        return MapOutcome(change, diff, message, branch, None, repo is not None, dry_run=dry_run)
    hint = "sync maps" if msg.action.startswith("sync maps") else msg.action
    landed = land(vault, change.plan, msg, options, branch_hint=hint)
    return MapOutcome(change, diff, landed.message, landed.branch, landed.commit, landed.in_repository, previous_branch=landed.previous_branch)
