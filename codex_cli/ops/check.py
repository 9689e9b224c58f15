"""Run `codex check` on a vault: load, check, optionally fix, and remember.

The full-vault report is remembered in the cache keyed by every file's stat
signature and the configuration, so a second run over an unchanged vault
only walks the tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from codex_cli.adapters import cache
from codex_cli.core.check import Fix, Report, check, find_fixes
from codex_cli.core.suggest import Suggester
from codex_cli.errors import UsageError
from codex_cli.vault import Progress, Vault


@dataclass
class CheckOutcome:
    report: Report
    fixes: list[Fix] = field(default_factory=list)
    selected: set[str] | None = None


def select_paths(vault: Vault, paths: list[str]) -> set[str]:
    """Vault-relative note paths named by PATH arguments (files or folders)."""
    root = vault.root.resolve()
    files = vault.files
    chosen: set[str] = set()
    for raw in paths:
        full = Path(raw)
        full = (full if full.is_absolute() else Path.cwd() / full).resolve()
        try:
            rel = full.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{raw}: outside the vault at {root}") from None
        if rel == ".":
            chosen.update(files)
        elif full.is_dir():
            prefix = rel + "/"
            chosen.update(p for p in files if p.startswith(prefix))
        elif rel in files:
            chosen.add(rel)
        elif not os.path.lexists(full) and not raw.endswith(".md"):
            raise UsageError(f"{raw}: no such file or folder")
        # anything else (a deleted note, a non-note file) has nothing to check
    return chosen


def run_check(
    vault: Vault,
    paths: list[str] | None = None,
    *,
    fix: bool = False,
    progress: Progress | None = None,
) -> CheckOutcome:
    selected = select_paths(vault, paths) if paths else None
    fixes: list[Fix] = []
    if fix:
        fixes = apply_fixes(vault, selected, progress)
        if fixes:
            vault = Vault(vault.root, vault.config)  # read the fixed files afresh
    report = _report(vault, selected, progress)
    return CheckOutcome(report, fixes, selected)


def _report(vault: Vault, selected: set[str] | None, progress: Progress | None) -> Report:
    """The report, remembered between runs.

    The remembered report is keyed twice: by what git says of the work tree
    (adapters.worktree: HEAD, every changed, untracked or ignored path and
    the signatures of the listed notes), which answers "nothing changed"
    without a stat walk, and by the stat signature of every note, for vaults
    git cannot vouch for. Either key matching means the same files.
    """
    from codex_cli.adapters import worktree

    if selected is not None:
        return _compute(vault, selected, progress)
    fingerprint = vault.fingerprint()
    proc = worktree.start(vault.root)
    remembered = vault.store.load("check", fingerprint)
    git_state = worktree.finish(proc, vault.root)
    if remembered is not None and git_state is not None and git_state[1] and len(remembered) > 2 and remembered[2] == git_state[0]:
        return Report.unpack(remembered[1])
    digest = cache.digest_of(vault.files, fingerprint)
    if remembered is not None and remembered[0] == digest:
        report = Report.unpack(remembered[1])
    else:
        report = _compute(vault, None, progress)
    started = vault._scan_started
    if all(cache.trusted(sig, started) for sig in vault.files.values()):
        state = git_state[0] if git_state is not None and git_state[1] else None
        vault.store.save("check", fingerprint, (digest, report.pack(), state))
    return report


def _compute(vault: Vault, selected: set[str] | None, progress: Progress | None) -> Report:
    notes = vault.load(progress)
    return check(
        notes,
        vault.resolver,
        vault.config.claim_types,
        vault.config.is_map,
        vault.scan().problems,
        selected,
        read_text=vault.read_text,
        suggest_many=Suggestions(vault, [n.title for n in notes.values()]),
    )


PARALLEL_SUGGESTIONS_FROM = 2000
_WORKER_SUGGESTER: Suggester | None = None


class Suggestions:
    """"Did you mean" for many targets: remembered between runs, spread over cores.

    Suggestions depend only on the target and the set of titles, so they are
    kept in the cache keyed by a digest of every title (an edit that changes
    no title keeps them all; a new, renamed or deleted note drops them).
    """

    def __init__(self, vault: Vault, titles: list[str]) -> None:
        self.vault = vault
        self.titles = titles

    def __call__(self, targets: list[str]) -> dict[str, list[str]]:
        import hashlib

        store, fingerprint = self.vault.store, self.vault.fingerprint()
        digest = hashlib.sha1("\n".join(sorted(self.titles)).encode("utf-8", "surrogateescape")).hexdigest()
        remembered = store.load("suggestions", fingerprint)
        known: dict[str, list[str]] = remembered[1] if remembered is not None and remembered[0] == digest else {}
        todo = [t for t in targets if t not in known]
        if todo:
            known.update(_suggest_all(Suggester(self.titles), todo))
            store.save("suggestions", fingerprint, (digest, {t: known[t] for t in targets}))
        return {t: known[t] for t in targets}


def _suggest_all(suggester: Suggester, targets: list[str]) -> dict[str, list[str]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(targets) < PARALLEL_SUGGESTIONS_FROM or workers < 2 or not _can_fork():
        return suggester.suggest_many(targets)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_SUGGESTER
    _WORKER_SUGGESTER = suggester.prepare()  # built once, shared with the forked workers
    try:
        step = max(200, len(targets) // (workers * 4))
        chunks = [targets[i : i + step] for i in range(0, len(targets), step)]
        out: dict[str, list[str]] = {}
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_suggest_chunk, chunks):
                out.update(part)
        return out
    finally:
        _WORKER_SUGGESTER = None


def _suggest_chunk(targets: list[str]) -> dict[str, list[str]]:
    assert _WORKER_SUGGESTER is not None
    return _WORKER_SUGGESTER.suggest_many(targets)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def apply_fixes(vault: Vault, selected: set[str] | None, progress: Progress | None = None) -> list[Fix]:
    from codex_cli.adapters import fs
    from codex_cli.adapters.apply import apply
    from codex_cli.core.plan import Plan

    notes = vault.load(progress)
    fixes = find_fixes(notes, vault.resolver, selected)
    if not fixes:
        return []
    plan = Plan()
    raw_cache: dict[str, bytes] = {}
    for f in fixes:
        raw = raw_cache.get(f.file)
        if raw is None:
            raw = raw_cache[f.file] = fs.read_bytes(vault.root, f.file)
        plan.edit(f.file, raw, f.link.target_start, f.link.target_end, f.new_target)
    apply(vault.root, plan)
    return fixes
