"""`codex link NOTE --suggest` cases for benchmarks/run.py (issue 4: speed).

Targets: at most 1x `git grep -c -F '[['` with a warm cache (the search
index in .git/codex-cache/match.sqlite is current), at most 3x cold (no
cache at all: the answer comes from one `git grep` pass, and a detached,
low-priority process builds the index for next time). A third case edits
one note first, so only that note is re-indexed.

The warm cases build the index first with CODEX_INDEX_INLINE=1 (a cold
run would only start the background build); the cold case waits at the end
for its last background builder to stop (it stops once the cache folder is
deleted), so that it does not run during the next case.

Imported by benchmarks/cases.py, which calls `register_cases`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import ModuleType


def _env() -> dict[str, str]:
    """The runner's environment (with --snapshot, its PYTHONPATH), plus CODEX_INDEX_INLINE=1."""
    env = dict(getattr(sys.modules.get("__main__"), "ENV", os.environ))
    env["CODEX_INDEX_INLINE"] = "1"
    return env


def _builders(vault: str) -> list[int]:
    """Background index builders working on `vault` (from /proc)."""
    found = []
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                args = handle.read().split(b"\0")
        except OSError:
            continue
        if b"codex_cli.adapters.search_index" in args and os.fsencode(os.path.abspath(vault)) in [os.path.abspath(a) for a in args if a]:
            found.append(int(name))
    return found


def register_cases(cases: ModuleType) -> None:
    Case = cases.Case

    def argv(ctx):  # type: ignore[no-untyped-def]
        return [ctx.codex, "-C", ctx.vault, "link", ctx.note(0), "--suggest", "--json"]

    def build_index(ctx):  # type: ignore[no-untyped-def]
        subprocess.run(argv(ctx), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    def stop_builders(ctx):  # type: ignore[no-untyped-def]
        cases.clear_cache(ctx)
        deadline = time.monotonic() + 120
        while _builders(ctx.vault) and time.monotonic() < deadline:
            time.sleep(0.5)

    def touch(ctx):  # type: ignore[no-untyped-def]
        build_index(ctx)
        cases.touch_note(ctx)

    cases.register(
        Case(
            name="codex link --suggest (cold)",
            argv=argv,
            baseline=cases.GREP,
            target=3.0,
            cache=cases.COLD,
            finish=stop_builders,
            about="first run: one git grep pass answers; the index is built in the background",
            tags=("link",),
        )
    )
    cases.register(
        Case(
            name="codex link --suggest (warm)",
            argv=argv,
            baseline=cases.GREP,
            target=1.0,
            cache=cases.WARM,
            prepare=build_index,
            about="the index is current: scan signatures, query, rank",
            tags=("link",),
        )
    )
    cases.register(
        Case(
            name="codex link --suggest (one note changed)",
            argv=argv,
            baseline=cases.GREP,
            cache=cases.WARM,
            prepare=touch,
            finish=lambda ctx: cases.untouch_note(ctx),
            about="one note edited since the last run: only it is re-indexed",
            tags=("link",),
        )
    )
