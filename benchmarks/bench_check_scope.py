"""The scoped `codex check` cases (issue 15): one note, and a change set, cold.

Registered with benchmarks/run.py by benchmarks/cases.py:

- `codex check ONE_NOTE (cold)`: an ordinary claim named by its path, the
  codex cache removed before each run; target 0.5x `git grep -c -F '[['`.
- `codex check --changed, 20 notes (cold)`: 19 ordinary claims edited (one
  line added to each, with a broken link in every other one) and one
  deleted, none of it committed; `--changed` compares the work tree with the
  merge base with main (the vault's one commit). Target 1x. This case
  writes to the vault: give run.py a copy (`cp -a`), not a shared vault.

Both have a peak memory target of 300 MB (the process tree's PSS).

- `codex check --changed --new-only, 20 notes (cold)`: the same change,
  reporting only its new findings: the notes with a finding are checked
  again at the merge base (no target; its cost over `--changed` is the
  figure).

- `git grep for the change's titles (the --changed search alone)`: the one
  search `--changed` runs for that change set (the deleted title in its
  three spellings and `aliases`, `-l -z -i -F`), timed against the same
  baseline: the floor of the `--changed` case, since a note that links to
  the deleted one can be anywhere.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

CHANGED = 19  # edited notes; one more is deleted: a 20-note change


def change_set(ctx: Any) -> None:
    """The vault back at its commit, then 19 ordinary claims edited and one deleted (untimed)."""
    _restore(ctx)
    ordinary = ctx.manifest["ordinary"]
    for i, entry in enumerate(ordinary[2 : 2 + CHANGED]):
        path = Path(ctx.vault) / entry["path"]
        extra = f"\nEdited for the benchmark ({i}): see [[{ordinary[0]['title']}]]" + (" and [[a claim nobody wrote]]" if i % 2 else "") + ".\n"
        path.write_bytes(path.read_bytes() + extra.encode())
    (Path(ctx.vault) / ordinary[2 + CHANGED]["path"]).unlink()


def _search_argv(ctx: Any) -> list[str]:
    """The `git grep` that `check --changed` runs for `change_set` (adapters.grep.Search's arguments)."""
    from urllib.parse import quote

    title = ctx.manifest["ordinary"][2 + CHANGED]["title"]
    words = list(dict.fromkeys([title, title.replace("%", "%25").replace(" ", "%20"), quote(title, safe="/"), "aliases"]))
    return ["git", "-C", ctx.vault, "grep", "-l", "-z", "-i", "-F", *(a for w in words for a in ("-e", w)), "--", "*.md"]


def _restore(ctx: Any) -> None:
    paths = [e["path"] for e in ctx.manifest["ordinary"][2 : 3 + CHANGED]]
    subprocess.run(["git", "-C", ctx.vault, "checkout", "-q", "HEAD", "--", *paths], check=True)


def register_cases(cases: Any) -> None:
    """Add the scoped check cases to benchmarks/run.py's registry (benchmarks/cases.py)."""

    cases.register(
        cases.Case(
            name="codex check ONE_NOTE (cold)",
            argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "check", ctx.note_path(0)],
            baseline=cases.GREP,
            target=0.5,
            cache=cases.COLD,
            ok_codes=(0, 1),
            memory_mb=300,
            about="one note named by its path: the listing, that note, the maps that mention it",
            tags=("check", "scoped"),
        )
    )
    cases.register(
        cases.Case(
            name="codex check --changed, 20 notes (cold)",
            argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "check", "--changed"],
            baseline=cases.GREP,
            target=1.0,
            cache=cases.COLD,
            prepare=change_set,
            finish=_restore,
            ok_codes=(0, 1),
            memory_mb=300,
            about="19 notes edited and one deleted since main: those notes, the notes linking to the deleted one (one git grep), the maps",
            tags=("check", "scoped"),
        )
    )
    cases.register(
        cases.Case(
            name="codex check --changed --new-only, 20 notes (cold)",
            argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "check", "--changed", "--new-only"],
            baseline=cases.GREP,
            cache=cases.COLD,
            prepare=change_set,
            finish=_restore,
            ok_codes=(0, 1),
            memory_mb=300,
            about="the --changed case, then the notes with a finding checked again at the merge base (git ls-tree, git cat-file --batch)",
            tags=("check", "scoped"),
        )
    )
    cases.register(
        cases.Case(
            name="git grep for the change's titles (the --changed search alone)",
            argv=_search_argv,
            baseline=cases.GREP,
            prepare=change_set,
            finish=_restore,
            ok_codes=(0, 1),
            about="the one search check --changed runs for the 20-note change: its floor",
            tags=("check", "scoped"),
        )
    )
