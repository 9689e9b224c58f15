"""`codex link NOTE --suggest` cases for benchmarks/run.py (issue 4: speed).

Targets: at most 1x `git grep -c -F '[['` with a warm cache (the search
index in .git/codex-cache/match.sqlite is current), at most 3x cold (no
cache at all: every note read and indexed). A third case edits one note
first, so only that note is re-indexed.

Imported by benchmarks/cases.py, which calls `register_cases`.
"""

from __future__ import annotations

from types import ModuleType


def register_cases(cases: ModuleType) -> None:
    Case = cases.Case

    def argv(ctx):  # type: ignore[no-untyped-def]
        return [ctx.codex, "-C", ctx.vault, "link", ctx.note(0), "--suggest", "--json"]

    cases.register(
        Case(
            name="codex link --suggest (cold)",
            argv=argv,
            baseline=cases.GREP,
            target=3.0,
            cache=cases.COLD,
            about="first run: every note read and put in the search index",
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
            prepare=lambda ctx: cases.touch_note(ctx),
            finish=lambda ctx: cases.untouch_note(ctx),
            about="one note edited since the last run: only it is re-indexed",
            tags=("link",),
        )
    )
