"""Run `codex check` on a vault: check every note, optionally fix, and remember.

Each note is read, parsed and checked against the index of every note's
path in worker processes, which send back only what the note adds to the
report (`core.check.Part`); the parent assembles the report. Nothing holds
every parsed note, so memory stays flat however large the vault. Parts are
kept note by note in the cache, and the whole report too: a second run over
an unchanged vault asks git what changed and reads nothing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_cli.adapters import cache, fs, pool
from codex_cli.adapters.fs import Signature
from codex_cli.core.check import Fix, FixFinder, Part, Report, assemble, note_part, through_aliases
from codex_cli.core.links import encode_like
from codex_cli.core.note import ParseContext, Problem, decode, title_of
from codex_cli.core.plan import Plan
from codex_cli.core.resolve import BROKEN, PartialIndex, PathRef, Resolver, cased_keys
from codex_cli.core.suggest import Suggester
from codex_cli.errors import UsageError
from codex_cli.vault import PARALLEL_FROM, Progress, Vault, read_note

if TYPE_CHECKING:
    from codex_cli.ops.commit import CommitOptions, Landed, Message


@dataclass
class CheckOutcome:
    report: Report
    fixes: list[Fix] = field(default_factory=list)
    selected: set[str] | None = None
    skipped: list[str] = field(default_factory=list)  # PATHs that name no note (deleted, or a typo)
    landed: Landed | None = None  # where the fixes went: the branch, the commit (None when nothing was fixed)
    known: int | None = None  # --new-only: the findings left out, those the base already had


@dataclass
class Fixing:
    """What `--fix` may do, and how it lands (ops.commit)."""

    strip: bool = False  # --strip-broken
    options: CommitOptions | None = None
    confirm: Callable[[Plan, list[Fix]], bool] | None = None  # shown the change first; False: nothing is written


def select_paths(vault: Vault, paths: list[str], skipped: list[str] | None = None, files: Collection[str] | None = None) -> set[str]:
    """Vault-relative note paths named by PATH arguments (files or folders).

    A path that names no note (deleted, a typo, a file the vault does not
    read) is a usage error, unless `skipped` is given (--missing-ok: a
    pre-commit hook passes deleted notes): then it is listed there. Relative
    paths are from the process's folder, which `-C DIR` has made DIR.
    `files` is every note (default: the scan's).
    """
    root = vault.root.resolve()
    files = vault.files if files is None else files
    chosen: set[str] = set()
    for raw in paths:
        full = Path(raw).absolute().resolve()
        try:
            rel = full.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{raw}: outside the vault at {root}") from None
        if rel == ".":
            chosen.update(files)
        elif full.is_dir():
            prefix = rel + "/"
            chosen.update(p for p in files if p.startswith(prefix))
        elif rel in files and full.is_file():
            chosen.add(rel)
        elif skipped is not None:
            skipped.append(raw)
        elif os.path.lexists(full):
            raise UsageError(f"{raw}: not a note the vault reads", hint="pass --missing-ok to skip paths that name no note")
        else:
            raise UsageError(f"{raw}: no such note", hint="pass --missing-ok to skip paths that name no note")
    return chosen


SCOPED_UP_TO = 2000  # more notes to check than this: the whole vault's check (in parallel, cached), restricted


def run_check(
    vault: Vault,
    paths: list[str] | None = None,
    *,
    fix: Fixing | bool | None = None,
    missing_ok: bool = False,
    changed: bool = False,
    since: str | None = None,
    staged: bool = False,
    progress: Progress | None = None,
    new_only: bool = False,
) -> CheckOutcome:
    """Check the vault, or the notes named (PATH) and changed (--changed) alone.

    A scoped check reads only what those notes need (ops.check_scope); with
    many notes, or --fix, the whole vault's check is restricted to them.
    `new_only` (with `changed`): only the findings the change added, those a
    check of the base commit does not report on the same notes (`_new_only`).
    """
    skipped: list[str] = []
    fixing = Fixing() if fix is True else fix or None
    if new_only and (not changed or fixing is not None):
        raise UsageError("--new-only goes with --changed, --staged or --since, and not with --fix")
    if not (paths or changed):
        fixes, landed = _fix(vault, None, progress, fixing)
        if fixes:
            vault = Vault(vault.root, vault.config)  # read the fixed files afresh
        return CheckOutcome(_report(vault, None, progress), fixes, None, skipped, landed)
    from codex_cli.adapters import listing
    from codex_cli.ops.check_scope import Scope, read

    listed = listing.notes(vault.root, vault.config.ignore)
    known = set(listed.paths)
    base: str | None = None
    listing_base = None
    scope = Scope(select_paths(vault, paths, skipped if missing_ok else None, known) if paths else set())
    if changed:
        exists = listing.on_disk(vault.root)
        bases = vault.config.base_branches
        edited, added, gone, base = listing.changes(vault.root, since, bases, staged)
        listing_base = listing.list_commit(vault.root, base) if new_only and base != listing.EMPTY_TREE else None  # runs meanwhile
        untracked = [] if staged else listed.untracked
        scope.notes.update(p for p in (*edited, *added, *untracked) if p in known and exists(p))
        scope.added = [p for p in (*added, *untracked) if p in known and exists(p)]
        scope.gone = [p for p in gone if not exists(p)]
        scope.changed = True
        scope.before = listing.at_base(vault.root, base, [p for p in (*edited, *scope.gone) if p in scope.notes or p in scope.gone])
        if scope.gone:  # still in git's index, perhaps: not a note any more
            dropped = set(scope.gone)
            listed.paths = [p for p in listed.paths if p not in dropped]
    if fixing is not None or len(scope.notes) > SCOPED_UP_TO:
        selected = scope.notes if paths or fixing is not None else None  # many changes: the whole vault
        fixes, landed = _fix(vault, selected, progress, fixing)
        if fixes:
            vault = Vault(vault.root, vault.config)
        outcome = CheckOutcome(_report(vault, selected, progress), fixes, selected, skipped, landed)
        return _new_only(vault, outcome, base, None, listing_base) if new_only and base is not None else outcome
    reading = read(vault, listed.paths, scope)
    found, checked = reading.report, reading.checked
    if found is None:  # the change reaches too many notes: the whole vault's check, restricted to them
        outcome = CheckOutcome(_report(vault, checked, progress), [], checked, skipped)
    else:
        outcome = CheckOutcome(found, [], checked, skipped)
    if not (new_only and base is not None):
        return outcome
    aliased = None
    if reading.aliased is not None:  # those the base may hold: the work tree's, and any note that differs from the base
        differs = listing.changes(vault.root, base, [], False) if staged else None  # (the staged notes differ from the index's)
        aliased = reading.aliased | set(listed.untracked) | set(scope.notes) | set(scope.gone)
        aliased.update(*(differs[:3] if differs is not None else (edited, added, gone)))
    del reading, listed, scope  # the work tree's index and listing, before the base's are built (memory)
    return _new_only(vault, outcome, base, aliased, listing_base)


def _new_only(vault: Vault, outcome: CheckOutcome, base: str, aliased: set[str] | None = None, listed: Any = None) -> CheckOutcome:
    """The outcome with only the findings that a check of commit `base` does not
    report on the same notes (core.check.new_findings). Only the notes with a
    finding now are checked at the base (ops.check_scope.at_commit: the same
    reading, of the commit's listing and blobs); a note the base lacks has
    only new findings."""
    from codex_cli.core.check import new_findings
    from codex_cli.ops.check_scope import at_commit

    if not outcome.report.findings:
        if listed is not None:
            listed.stop()
        outcome.known = 0
        return outcome
    before = at_commit(vault, base, {f.file for f in outcome.report.findings}, aliased, listed)
    new = new_findings(outcome.report, before)
    outcome.known = len(outcome.report.findings) - len(new.findings)
    outcome.report = new
    return outcome


def _report(vault: Vault, selected: set[str] | None, progress: Progress | None) -> Report:
    """The report, remembered between runs.

    The whole report is remembered keyed twice: by what git says of the
    work tree (adapters.worktree: HEAD, every changed, untracked or ignored
    path and the signatures of the listed notes), which answers "nothing
    changed" without a stat walk, and by the stat signature of every note,
    for vaults git cannot vouch for. Either key matching means the same
    files. Otherwise the report is assembled from every note's part, which
    are themselves kept note by note (`note_parts`).
    """
    from codex_cli.adapters import worktree

    fingerprint = vault.fingerprint()
    proc = None
    git_state: tuple[str, bool] | None = None
    if selected is None:
        proc = worktree.start(vault.root)
        remembered = vault.store.load("check", fingerprint)  # (stat digest, git state, pickled report)
        if remembered is not None:
            git_state = worktree.finish(proc, vault.root)
            proc = None
            digest, state, blob = remembered
            vouched = git_state[0] if git_state is not None and git_state[1] else None
            if vouched is not None and state == vouched:
                return Report.unpack(pickle.loads(blob))
            if digest == cache.digest_of(vault.files, fingerprint):
                if vouched is not None:  # let git vouch next time
                    vault.store.save("check", fingerprint, (digest, vouched, blob))
                return Report.unpack(pickle.loads(blob))
    # nothing remembered: git status runs on while the notes are checked, and
    # the "did you mean" index is built while the workers read
    suggest = Suggestions(vault)
    parts, files, problems, started = note_parts(vault, progress, meanwhile=suggest.prepare)
    if suggest.titles is None:  # no workers ran
        suggest.know(parts)
    from codex_cli.core.check import RETIRED
    from codex_cli.ops.check_scope import retired_link_findings

    more = retired_link_findings(vault, list(parts), {p for p, part in parts.items() if part.flags & RETIRED})
    report = assemble(parts, problems, selected, suggest, more=more)
    if selected is not None:
        return report
    if proc is not None:
        git_state = worktree.finish(proc, vault.root, since_ns=started)
    if all(sig is not None and cache.trusted(sig, started) for sig in files.values()):
        state = git_state[0] if git_state is not None and git_state[1] else None
        blob = pickle.dumps(report.pack(), protocol=pickle.HIGHEST_PROTOCOL)
        vault.store.save("check", fingerprint, (cache.digest_of(files, fingerprint), state, blob))
    return report


# --- every note's part, in worker processes, kept note by note ------------------

PARTS = "check-parts"
FEW = 8  # up to this many notes to check, a partial index is cheaper than a full one


@dataclass
class _Job:
    """What a worker needs to check notes: shared with forked workers, never pickled."""

    root: str
    ctx: ParseContext
    index: Resolver[PathRef]  # every path, or a PartialIndex
    claim_types: frozenset[str]
    is_map: Callable[[str], bool]
    drift: str | None  # the severity of `link-case`, None when off
    aliases: bool
    cased: frozenset[str] | None  # core.resolve.cased_keys, for many notes


_JOB: _Job | None = None


def note_parts(
    vault: Vault, progress: Progress | None = None, meanwhile: Callable[[list[str]], object] | None = None
) -> tuple[dict[str, Part], dict[str, Signature | None], list[tuple[str, Problem]], int]:
    """Every note's `core.check.Part`, its signature, the scan's problems, and when the scan started.

    `meanwhile(paths)` runs while worker processes check notes, if they do.

    A part depends on the note and on the set of every note's path (which
    its links resolve against), so the parts are kept under a key that
    includes a digest of the paths: a new, deleted or renamed note checks
    every note again, an edit only the notes edited. On a first run the
    files are listed without stat'ing them: each worker stats the files it
    opens.
    """
    store = vault.store
    started = cache.now_ns()
    if store.has(PARTS):
        scan = vault.scan()
        started = vault._scan_started
        signatures: dict[str, Signature] | None = scan.files
    else:
        scan = fs.scan(vault.root, vault.config.ignore, stat=False)
        signatures = None
    paths = list(scan.files)
    digest = hashlib.sha1("\n".join(sorted(paths)).encode("utf-8", "surrogateescape")).hexdigest()
    key = f"{vault.fingerprint()}:{digest}"

    def compute(todo: list[str]) -> Iterator[tuple[list[str], list[Any], bytes]]:
        global _JOB
        config = vault.config
        # a few edited notes: index only what their links can reach (see _check_chunk)
        index = PartialIndex(paths) if len(todo) <= FEW else Resolver(PathRef(p) for p in paths)
        cased = cased_keys(paths) if config.case_drift is not None and len(todo) > FEW else None
        _JOB = _Job(str(vault.root), vault.context(), index, frozenset(config.claim_types), config.is_map, config.case_drift, config.aliases, cased)
        try:
            after = (lambda: meanwhile(paths)) if meanwhile is not None else None
            for part, (sigs, blob) in pool.chunks(_check_chunk, todo, parallel_from=PARALLEL_FROM, progress=progress, meanwhile=after):
                yield part, sigs, blob
        finally:
            _JOB = None

    parts, sigs = cache.per_file(store, PARTS, key, paths, signatures, started, compute)
    files = {p: sigs.get(p) for p in paths}
    return parts, files, scan.problems, started


def _check_chunk(paths: list[str]) -> tuple[list[Signature | None], bytes]:
    """Read, parse and check notes against the index of every path (in a worker)."""
    job = _JOB
    assert job is not None
    sigs: list[Signature | None] = []
    parts: list[Part] = []
    index = job.index
    from codex_cli.adapters.confined import cached

    with cached(job.root):  # one walk per folder, not per note
        for path in paths:
            sig, note, raw = read_note(job.root, path, job.ctx)
            if isinstance(index, PartialIndex):
                index.cover(path, *(link.target for link in note.links))
            text = decode(raw)[0] if raw and job.is_map(path) else None
            parts.append(note_part(note, index, job.claim_types, job.is_map, text, job.drift, job.aliases, job.cased))
            sigs.append(sig)
    return sigs, pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)


# --- "did you mean" -------------------------------------------------------------

PARALLEL_SUGGESTIONS_FROM = 2000
_WORKER_SUGGESTER: Suggester | None = None


class Suggestions:
    """"Did you mean" for many targets: remembered between runs, spread over cores.

    Suggestions depend only on the target and the set of titles, so they are
    kept in the cache keyed by a digest of every title (an edit that changes
    no title keeps them all; a new, renamed or deleted note drops them).
    """

    def __init__(self, vault: Vault, paths: Iterable[str] | None = None) -> None:
        self.vault = vault
        self.titles: list[str] | None = None
        self._digest = ""
        self._suggester: Suggester | None = None
        self._known: tuple[str, dict[str, list[str]]] | None = None  # (digest, suggestions)
        if paths is not None:
            self.know(paths)

    def know(self, paths: Iterable[str]) -> None:
        """The notes whose titles are suggested (their digest keys the remembered suggestions)."""
        self.titles = [title_of(p) for p in paths]
        self._digest = hashlib.sha1("\n".join(sorted(self.titles)).encode("utf-8", "surrogateescape")).hexdigest()

    def prepare(self, paths: Iterable[str]) -> None:
        """Know the titles, and build the word index now if the remembered suggestions are stale."""
        self.know(paths)
        self._remembered()
        if self._known is None or self._known[0] != self._digest:
            assert self.titles is not None
            self._suggester = Suggester(self.titles).prepare()

    def _remembered(self) -> tuple[str, dict[str, list[str]]]:
        if self._known is None:
            remembered = self.vault.store.load("suggestions", self.vault.fingerprint())
            self._known = remembered if remembered is not None else ("", {})
        return self._digest, (self._known[1] if self._known[0] == self._digest else {})

    def __call__(self, targets: list[str]) -> dict[str, list[str]]:
        if self.titles is None:
            raise ValueError("Suggestions: no titles yet (call know)")
        digest, known = self._remembered()
        todo = [t for t in targets if t not in known]
        if todo:
            suggester = self._suggester or Suggester(self.titles)
            known = dict(known)
            known.update(_suggest_all(suggester, todo))
            self.vault.store.save("suggestions", self.vault.fingerprint(), (digest, {t: known[t] for t in targets}))
        return {t: known[t] for t in targets}


def _suggest_all(suggester: Suggester, targets: list[str]) -> dict[str, list[str]]:
    global _WORKER_SUGGESTER
    _WORKER_SUGGESTER = suggester.prepare()  # built once, shared with the forked workers
    try:
        out: dict[str, list[str]] = {}
        step = max(200, len(targets) // (pool.workers() * 4))
        for _, found in pool.chunks(_suggest_chunk, targets, parallel_from=PARALLEL_SUGGESTIONS_FROM, step=step):
            out.update(found)
        return out
    finally:
        _WORKER_SUGGESTER = None


def _suggest_chunk(targets: list[str]) -> dict[str, list[str]]:
    assert _WORKER_SUGGESTER is not None
    return _WORKER_SUGGESTER.suggest_many(targets)


FIXABLE = ("broken-link", "md-suffix", "link-case")


def _fix(vault: Vault, selected: set[str] | None, progress: Progress | None, fixing: Fixing | None) -> tuple[list[Fix], Landed | None]:
    """Plan the fixes, show them (`confirm`), and land them through the one commit path."""
    if fixing is None:
        return [], None
    from codex_cli.errors import Refused
    from codex_cli.ops.commit import CommitOptions, land

    plan, fixes = plan_fixes(vault, selected, progress, strip=fixing.strip)
    if not fixes:
        return [], None
    if fixing.confirm is not None and not fixing.confirm(plan, fixes):
        raise Refused("check --fix declined at the prompt; nothing was written")
    return fixes, land(vault, plan, fix_message(fixes), fixing.options or CommitOptions(), branch_hint="check-fix")


def plan_fixes(vault: Vault, selected: set[str] | None, progress: Progress | None = None, *, strip: bool = False) -> tuple[Plan, list[Fix]]:
    """Every fix with one possible answer, as one plan.

    Only the notes whose part holds a broken link, a `.md` suffix or a link
    in another case than its target are read again: on a large vault that
    is a few notes, not all of them. A markdown link's new path is written
    encoded as the link was (`core.links.encode_like`). With `strip`, a
    wiki link in a note's body that resolves to nothing and has no such
    fix becomes its plain text (the alias if it has one): what a knowledge
    base's own "strip broken wiki links" pipeline does (maps are left to
    `codex map sync --prune`).
    """
    from codex_cli.core.plan import Plan

    parts, _, _, _ = note_parts(vault, progress)
    parts = dict(through_aliases(parts))  # a link an alias resolves is not broken
    todo = [p for p, part in parts.items() if (selected is None or p in selected) and any(f[1] in FIXABLE for f in part.findings)]
    if not todo:
        return Plan(), []
    finder = FixFinder(parts)
    refs = {p: PathRef(p) for p in parts}
    index = Resolver(refs.values(), [(a, refs[p]) for p, part in parts.items() for a in part.aliases])
    root, ctx = str(vault.root), vault.context()
    plan = Plan()
    fixes: list[Fix] = []
    drift = vault.config.case_drift is not None
    for path in todo:
        _, note, raw = read_note(root, path, ctx)
        text = decode(raw)[0]
        for f in finder.for_note(note, index, drift):
            new = f.new_target
            if f.link.markdown:
                written = text[f.link.target_start : f.link.target_end]
                new = encode_like(new, written, angle=text[f.link.target_start - 1 : f.link.target_start] == "<")
            plan.edit(f.file, raw, f.link.target_start, f.link.target_end, new)
            fixes.append(f)
        if strip and not vault.config.is_map(path):
            fixed = {id(f.link) for f in fixes if f.file == path}
            for link in note.links:
                if id(link) in fixed or link.field or link.bare or link.markdown or link.target_start < 0:
                    continue
                if index.resolve_link(link, path).status == BROKEN:
                    plain = link.alias or link.target
                    plan.edit(path, raw, link.start, link.end, plain)
                    fixes.append(Fix(path, link.line, link, plain, STRIPPED))
    return plan, fixes


STRIPPED = "stripped: no note, and no single repair"


def fix_message(fixes: list[Fix]) -> Message:
    """The commit message of `check --fix`."""
    from codex_cli.cli.output import counted
    from codex_cli.ops.commit import Message

    stripped = sum(1 for f in fixes if f.reason == STRIPPED)
    files = len({f.file for f in fixes})
    action = f"fix {counted(len(fixes) - stripped, 'link')}" if stripped < len(fixes) else ""
    if stripped:
        action += (" and " if action else "") + f"strip {counted(stripped, 'broken wiki link')}"
    return Message(f"check --fix: {action} in {counted(files, 'note')}", why="links that resolve to no note, repaired where there is one answer")
