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
    if selected is not None:
        return _compute(vault, selected, progress)
    fingerprint = vault.fingerprint()
    digest = cache.digest_of(vault.files, fingerprint)
    remembered = vault.store.load("check", fingerprint)
    if remembered is not None and remembered[0] == digest:
        return Report.unpack(remembered[1])
    report = _compute(vault, None, progress)
    started = vault._scan_started
    if all(cache.trusted(sig, started) for sig in vault.files.values()):
        vault.store.save("check", fingerprint, (digest, report.pack()))
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
    )


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
