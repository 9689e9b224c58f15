"""The benchmark cases: one registry that `benchmarks/run.py` times.

To add a case, append a `Case` to CASES (or call `register`) in this file:

    register(Case(
        name="link --suggest",
        argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "link", ctx.note(), "--suggest", "--json"],
        baseline=GREP, target=1.0, cache=WARM,
    ))

`argv` builds the command from a `Context` (the vault, its manifest, the
`codex` executable). `prepare` runs before every timed run, untimed: use it
to restore a vault that the command changes (`reset_vault`). `cache` says
what state the codex cache is in when the clock starts: COLD clears it
before each run, WARM runs the command once untimed first, ANY leaves it
alone. `ok_codes` are the exit codes that count as success (`codex check`
exits 1 when it finds errors, which a synthetic vault has on purpose).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GREP = "git grep"  # `git grep -c -F '[['` over the vault: one read of every file
PYTHON = "python -c pass"  # the interpreter starting and doing nothing

COLD = "cold"
WARM = "warm"
ANY = "any"


@dataclass
class Context:
    vault: str
    manifest: dict[str, Any]
    codex: str
    python: str = sys.executable

    def hub(self) -> str:
        """Title of the note with exactly manifest['hub']['backlinks'] backlinks."""
        return str(self.manifest["hub"]["title"])

    def note(self, i: int = 0) -> str:
        """Title of an ordinary claim (a few links out, no special role)."""
        return str(self.manifest["ordinary"][i]["title"])

    def note_path(self, i: int = 0) -> str:
        return str(self.manifest["ordinary"][i]["path"])


@dataclass(frozen=True)
class Case:
    name: str
    argv: Callable[[Context], list[str]]
    baseline: str = GREP
    target: float | None = None  # the ratio to the baseline not to exceed
    cache: str = ANY
    prepare: Callable[[Context], None] | None = None
    finish: Callable[[Context], None] | None = None  # after the case's last run
    ok_codes: tuple[int, ...] = (0,)
    memory_mb: float | None = None  # peak memory target for the whole process tree
    about: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


BASELINES: dict[str, Callable[[Context], list[str]]] = {
    GREP: lambda ctx: ["git", "-C", ctx.vault, "grep", "-c", "-F", "[["],
    PYTHON: lambda ctx: [ctx.python, "-c", "pass"],
}

CASES: list[Case] = []


def register(case: Case) -> Case:
    if any(c.name == case.name for c in CASES):
        raise ValueError(f"benchmark case {case.name!r} registered twice")
    CASES.append(case)
    return case


# --- helpers for cases -----------------------------------------------------------


def clear_cache(ctx: Context) -> None:
    """Delete the codex cache (it lives in the vault's git directory)."""
    shutil.rmtree(Path(ctx.vault) / ".git" / "codex-cache", ignore_errors=True)


def reset_vault(ctx: Context) -> None:
    """Put the vault back to its one commit: for cases that change files."""
    subprocess.run(["git", "-C", ctx.vault, "reset", "-q", "--hard", "HEAD"], check=True)
    subprocess.run(["git", "-C", ctx.vault, "clean", "-q", "-fd"], check=True)
    branch = subprocess.run(
        ["git", "-C", ctx.vault, "branch", "--show-current"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if branch != "main":
        subprocess.run(["git", "-C", ctx.vault, "checkout", "-q", "main"], check=True)


# --- the cases -------------------------------------------------------------------

register(
    Case(
        name="codex --help",
        argv=lambda ctx: [ctx.codex, "--help"],
        baseline=PYTHON,
        target=6.0,
        about="start-up cost: heavy imports must stay lazy",
        tags=("startup",),
    )
)

# `codex check` as a person or a hook runs it (findings as text) carries the
# targets; the `--json` rows show what the one JSON document adds.
for _json in (False, True):
    _flag = ["--json"] if _json else []
    _suffix = " --json" if _json else ""

    register(
        Case(
            name=f"codex check{_suffix} (cold)",
            argv=lambda ctx, f=_flag: [ctx.codex, "-C", ctx.vault, "check", *f],
            baseline=GREP,
            target=None if _json else 2.0,
            cache=COLD,
            ok_codes=(0, 1),
            memory_mb=500,
            about="first run: no cache, every note parsed, every broken link gets suggestions",
            tags=("check",),
        )
    )

    register(
        Case(
            name=f"codex check{_suffix} (warm)",
            argv=lambda ctx, f=_flag: [ctx.codex, "-C", ctx.vault, "check", *f],
            baseline=GREP,
            target=None if _json else 1.0,
            cache=WARM,
            ok_codes=(0, 1),
            memory_mb=500,
            about="second run, nothing changed: the remembered report",
            tags=("check",),
        )
    )

register(
    Case(
        name="codex check (one note changed)",
        argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "check"],
        baseline=GREP,
        cache=WARM,
        prepare=lambda ctx: touch_note(ctx),
        finish=lambda ctx: untouch_note(ctx),
        ok_codes=(0, 1),
        memory_mb=500,
        about="one note edited since the last run: only it is re-read, the report recomputed",
        tags=("check",),
    )
)


_ORIGINALS: dict[Path, bytes] = {}


def touch_note(ctx: Context) -> None:
    """Change one ordinary note's text (a new line at its end each run)."""
    import time

    path = Path(ctx.vault) / ctx.note_path(1)
    original = _ORIGINALS.setdefault(path, path.read_bytes())
    path.write_bytes(original + f"\nTouched by the benchmark at {time.time_ns()}.\n".encode())


def untouch_note(ctx: Context) -> None:
    for path, original in _ORIGINALS.items():
        path.write_bytes(original)
    _ORIGINALS.clear()


# --- cases registered from their own modules ---------------------------------------

import bench_rename  # noqa: E402  (benchmarks/ is on sys.path, as for `cases`)

bench_rename.register_cases(sys.modules[__name__])

import bench_link  # noqa: E402

bench_link.register_cases(sys.modules[__name__])

import bench_check_scope  # noqa: E402

bench_check_scope.register_cases(sys.modules[__name__])

import bench_review  # noqa: E402

bench_review.register_cases(sys.modules[__name__])
