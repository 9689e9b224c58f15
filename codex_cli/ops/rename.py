"""`codex rename`: move a note and rewrite every reference to it, as one commit.

1. Find the note (a title or a path; an ambiguous title is refused with the
   candidates) and validate the new title with the rules `codex new` uses;
   refuse a title another note has (case-insensitively) unless it is the
   note itself (a case-only rename).
2. Find the notes that may refer to it with a fast prefilter
   (adapters.grep: `git grep` for the title) and parse only those; resolve
   against an index of every path (no other note is parsed).
3. Plan with core.rename (the move, the H1, every reference; with
   `--move-to`, the `domain:` field and the map entry), preview it, refuse
   files with uncommitted changes unless forced, and land it through
   ops.commit.land (all-or-nothing, one commit, a git rename).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_cli.adapters.git import Repository
from codex_cli.core.note import decode, parse_note, parse_references, title_of
from codex_cli.core.rename import RenamePlan, Source, Target, folder, plan_rename
from codex_cli.core.resolve import PartialIndex, path_key, title_key
from codex_cli.core.text import key, short_title
from codex_cli.core.titles import Title, clean_title
from codex_cli.errors import Exists, Refused, UsageError
from codex_cli.ops.commit import (
    CommitOptions,
    Message,
    land,
    planned_branch,
    refuse_dirty,
    render_message,
)
from codex_cli.vault import Vault

if TYPE_CHECKING:
    from codex_cli.adapters.grep import Search



@dataclass
class RenameRequest:
    note: str  # the NOTE argument: a title or a path
    new_title: str | None = None  # None: keep the title (a move)
    move_to: str | None = None  # vault-relative folder
    force: bool = False  # write files with uncommitted changes too
    why: str | None = None


@dataclass
class Prepared:
    vault: Vault
    request: RenameRequest
    title: Title | None
    renamed: RenamePlan
    candidates: int  # notes the prefilter had parsed
    notes: list[str] = field(default_factory=list)  # things the user should know

    @property
    def target(self) -> Target:
        return self.renamed.target

    def message(self) -> Message:
        t = self.target
        s = self.renamed.summary()
        links = s["links"]
        what = (
            f"renamed {t.old_path} to {t.new_path}; rewrote {links} link{'s' if links != 1 else ''}"
            f" in {s['linking_files']} file{'s' if s['linking_files'] != 1 else ''}"
        )
        extra = []
        if self.renamed.h1_updated:
            extra.append("- H1: updated to the new title")
        if self.renamed.domain_updated:
            extra.append(f"- Domain: {t.domain}")
        if self.renamed.map_moved:
            extra.append(f"- Map: entry moved from {self.renamed.map_moved[0]} to {self.renamed.map_moved[1]}")
        return Message(
            action=f"rename {short_title(t.old_title)} → {short_title(t.new_title)}",
            what=what,
            why=self.request.why,
            extra=extra,
        )

    def branch_hint(self) -> str:
        return f"rename {self.target.new_title}"


@dataclass
class RenameResult:
    old_path: str
    new_path: str
    files_changed: list[str]
    links_rewritten: int
    summary: dict[str, Any]
    commit: str | None = None
    branch: str | None = None
    previous_branch: str | None = None  # where the command started (the way back)
    staged: bool = False
    dry_run: bool = False
    diff: str | None = None
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "from": self.old_path,
            "to": self.new_path,
            "files": self.files_changed,  # the key every committing command has
            "files_changed": self.files_changed,
            "links_rewritten": self.links_rewritten,
            "commit": self.commit,
            "branch": self.branch,
            "dry_run": self.dry_run,
            "summary": self.summary,
            "notes": self.notes,
            "warnings": self.notes,  # what every command calls them (new, map, extract)
        }
        if self.dry_run:
            doc["diff"] = self.diff
            doc["message"] = self.message
        return doc


# --- planning -------------------------------------------------------------------


def _folder_arg(vault: Vault, raw: str) -> str:
    """A --move-to FOLDER as a vault-relative folder ('' for the root)."""
    p = Path(raw)
    root = vault.root.resolve()
    candidates = [p] if p.is_absolute() else [root / p, Path.cwd() / p]
    for full in candidates:
        try:
            rel = full.resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            continue
        if full.is_dir() or full == candidates[0]:
            rel = "" if rel == "." else rel
            if any(part.startswith(".") for part in rel.split("/") if part):
                raise UsageError(f"--move-to {raw}: notes in hidden folders are not part of the vault")
            return rel
    raise UsageError(f"--move-to {raw}: outside the vault at {root}")


def check_title(raw: str) -> Title:
    """The new title, validated as `codex new` does (`core.titles`: writable in a [[link]] too)."""
    return clean_title(raw)


def prepare(vault: Vault, request: RenameRequest) -> Prepared:
    """Everything a rename would do, computed without writing a byte."""
    from codex_cli.adapters import grep

    title = check_title(request.new_title) if request.new_title else None
    if title is None and request.move_to is None:
        raise UsageError("nothing to do: give a NEW_TITLE, or --move-to FOLDER")
    # the prefilter starts first (for the title the NOTE argument most likely
    # names; cli.early may have started it already) and runs while the index
    # is built
    search = grep.search(vault.root, grep.likely_title(request.note))
    try:
        return _prepare(vault, request, title, search)
    finally:
        search.cancel()


def _prepare(vault: Vault, request: RenameRequest, title: Title | None, search: Search) -> Prepared:
    from codex_cli.adapters import grep

    # only the notes the query, the old and new titles and the note's own
    # links can reach are indexed (core.resolve.PartialIndex)
    index = PartialIndex(vault.paths())
    index.cover(request.note)
    old_path = vault.find_path(request.note, index)
    old_title = title_of(old_path)
    if key(old_title) == key(search.title):
        return _plan(vault, request, title, search, old_path, index)
    search.cancel()
    search = grep.Search(vault.root, old_title)
    try:
        return _plan(vault, request, title, search, old_path, index)
    finally:
        search.cancel()


def _plan(
    vault: Vault, request: RenameRequest, title: Title | None, search: Search, old_path: str, index: PartialIndex
) -> Prepared:
    from codex_cli.adapters import fs

    old_title = title_of(old_path)
    dest = _folder_arg(vault, request.move_to) if request.move_to is not None else folder(old_path)
    name = title.name if title else old_title
    new_path = f"{dest}/{name}.md" if dest else f"{name}.md"
    if new_path == old_path:
        left_out = sorted(set(title.text) - set(name)) if title is not None else []
        if title is not None and left_out:  # only characters a file name cannot hold differ: the H1's business
            raise Refused(
                f"nothing to rename: {title.text!r} is the file name {name!r} once {' '.join(left_out)} {'is' if len(left_out) == 1 else 'are'} left out",
                hint=f"to change only the heading, edit the H1 of {old_path}",
            )
        raise Refused(f"nothing to do: {old_path} already has that title and folder")
    index.cover(old_path, new_path)
    namesakes = _refuse_taken(vault, index, old_path, new_path)
    target = _target(vault, old_path, new_path, title)
    ctx = vault.context()
    parsed: dict[str, Source] = {}

    def read(path: str) -> None:
        raw = fs.read_bytes(vault.root, path)
        # the note itself is parsed whole (H1, domain); the others only for their links
        note = parse_note(path, raw, ctx) if path == old_path else parse_references(path, raw, ctx)
        parsed[path] = Source(note, raw, decode(raw)[0])

    # each note is parsed as soon as the search names it, while it goes on
    for found in search.stream(vault.paths()):
        read(found)
    search.cancel()
    for extra in (old_path, target.old_map, target.new_map):
        if extra is not None and extra not in parsed:
            read(extra)
    sources = {path: parsed[path] for path in sorted(parsed)}
    # where the note's own links go must be known exactly (a move may change it)
    index.cover(*(link.target for link in sources[old_path].note.links))
    renamed = plan_rename(target, sources, index)
    notes = list(title.notes) if title else []
    for other in namesakes:
        notes.append(
            f"{other} has this title too: links to the renamed note are written as paths where the bare title "
            "would not reach it, and bare links to the title from other folders become ambiguous"
        )
    if request.move_to is not None and not (vault.root / dest).is_dir():
        from difflib import get_close_matches

        folders = sorted({p.rpartition("/")[0] for p in vault.paths()} - {""})
        close = get_close_matches(dest, folders, n=1, cutoff=0.8)
        maybe = f" (did you mean {close[0]}/?)" if close else ""
        notes.append(f"{dest}/ does not exist yet; it will be created{maybe}")
    for file, line, why in renamed.skipped:
        notes.append(f"{file}:{line}: left as it is ({why})")
    return Prepared(vault, request, title, renamed, len(sources), notes)


def _target(vault: Vault, old_path: str, new_path: str, title: Title | None) -> Target:
    """The rename's destination; a move into another domain's folder takes its domain and map."""
    config = vault.config
    if config.is_map(old_path) and not config.is_map(new_path):
        raise Refused(
            f"{old_path} is a map, and {new_path} would not be one: maps are found by their name",
            hint="maps are `_map.md` files or match the configured map globs (docs/configuration.md)",
        )
    h1 = title.text if title else None
    if folder(new_path) == folder(old_path):
        return Target(old_path, new_path, h1)
    old_domain = config.domain_of_folder(folder(old_path))
    new_domain = config.domain_of_folder(folder(new_path))
    if new_domain is None or new_domain == old_domain:
        return Target(old_path, new_path, h1, new_domain)
    old_map = config.map_for_domain(old_domain) if old_domain else None
    new_map = config.map_for_domain(new_domain)
    files = vault.paths()
    if old_map not in files or new_map not in files:
        old_map = new_map = None
    return Target(old_path, new_path, h1, new_domain, old_map, new_map)


def _refuse_taken(vault: Vault, index: Any, old_path: str, new_path: str) -> list[str]:
    """Refuse a file in the way (any case); return the other notes elsewhere with the new title.

    A title shared with a note in another folder is allowed, as the sample
    knowledge base does (`beliefs.md` in every agent folder, claims filed in
    two areas): links are then written as paths where the bare title would
    not reach the renamed note (core.rename).
    """
    same = [n.path for n in index.by_title.get(title_key(title_of(new_path)), []) if n.path != old_path]
    here = folder(new_path)
    clash = [p for p in same if folder(p) == here]
    if clash:
        raise Exists(clash[0])
    other = index.by_path.get(path_key(new_path))
    if other is not None and other.path != old_path:
        raise Exists(other.path)
    full = vault.root / new_path
    if os.path.lexists(full) and not _same_file(full, vault.root / old_path):
        raise Exists(new_path)
    return same


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# --- landing --------------------------------------------------------------------


def rename(
    vault: Vault,
    request: RenameRequest,
    options: CommitOptions,
    *,
    dry_run: bool = False,
    confirm: Callable[[Prepared], bool] | None = None,
) -> RenameResult:
    """Rename a note: plan it, then (unless `dry_run`, or `confirm` says no) land it."""
    prepared = prepare(vault, request)
    renamed = prepared.renamed
    result = RenameResult(
        prepared.target.old_path,
        prepared.target.new_path,
        renamed.files_changed,
        renamed.links_rewritten,
        renamed.summary(),
        notes=prepared.notes,
    )
    if dry_run:
        result.dry_run = True
        result.diff = renamed.plan.diff()
        repo = Repository.find(vault.root)  # once for both
        result.message = render_message(vault, options, prepared.message(), repo)
        result.branch = planned_branch(vault, options, prepared.branch_hint(), repo)
        return result
    options = replace(options, force=options.force or request.force)
    repo = Repository.find(vault.root)
    if repo is not None and options.commit and not options.force:
        refuse_dirty(vault, renamed.plan, repo)  # before asking, not after
        options = replace(options, force=True)  # checked: land need not stat the tree again
    if confirm is not None and not confirm(prepared):
        raise Refused("not renamed: declined at the prompt; nothing was written")
    landed = land(vault, renamed.plan, prepared.message(), options, branch_hint=prepared.branch_hint())
    result.commit = landed.commit
    result.branch = landed.branch
    result.previous_branch = landed.previous_branch
    result.message = landed.message
    result.staged = landed.in_repository and not options.commit
    return result
