"""The `codex review` cases: a pull request's branch reviewed as CI would, cold.

Registered with benchmarks/run.py by benchmarks/cases.py. Each case checks
out a branch made from main (the vault's one commit) once, untimed, and
removes the codex cache before each run (a CI job starts from a fresh clone):

- `codex review --no-judgement, one claim added (cold)`: the branch adds one
  claim in an ordinary claim's folder, linking to that claim and its map,
  committed with a `Pentagon-Agent` trailer. Target 1x `git grep -c -F '[['`
  and a peak of 300 MB for the process tree.
- `codex review --no-judgement, one claim enriched (cold)`: the branch adds
  a paragraph and a link to an ordinary claim: a modified note, so the
  review also checks the claim as it was at the base and walks the cascade
  (the notes that mention its title: one `git grep`). Reported, no target.

Both write to the vault (a branch, a commit): give run.py a copy (`cp -a`),
not a shared vault. The last run switches back to main and deletes the
branches.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

TRAILER = "Pentagon-Agent: Rio <2EA8DBCB-A29B-43E8-B726-45E571A1F3C8>"
ADDED = "bench/review-one-claim"
ENRICHED = "bench/review-enrichment"
NEW_TITLE = "benchmark claims about review cost scale with the change not the vault"


def _git(ctx: Any, *args: str) -> str:
    return subprocess.run(["git", "-C", ctx.vault, *args], check=True, capture_output=True, text=True).stdout


def _branch(ctx: Any, name: str, write: Any) -> None:
    """Check out `name`, made from main by `write(ctx)` and one commit the first time (untimed)."""
    if _git(ctx, "branch", "--list", name).strip():
        _git(ctx, "switch", "-q", name)
        return
    _git(ctx, "switch", "-q", "-c", name, "main")
    paths = write(ctx)
    _git(ctx, "add", "--", *paths)
    _git(ctx, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", f"rio: benchmark change\n\n{TRAILER}")


def _add_claim(ctx: Any) -> list[str]:
    ordinary = ctx.manifest["ordinary"][0]
    folder = str(Path(ordinary["path"]).parent)
    path = f"{folder}/{NEW_TITLE}.md"
    text = (
        "---\ntype: claim\ndomain: internet-finance\ndescription: measured on a 100,000-note vault in 2026\n"
        "confidence: experimental\nsource: \"benchmarks/bench_review.py\"\ncreated: 2026-12-01\n---\n\n"
        f"# {NEW_TITLE}\n\nSmith (2024) found the cost of a review grows with the change.\n\n---\n\n"
        f"Relevant Notes:\n- [[{ordinary['title']}]] — an ordinary claim it builds on\n\nTopics:\n- [[_map]]\n"
    )
    (Path(ctx.vault) / path).write_text(text, encoding="utf-8")
    return [path]


def _enrich_claim(ctx: Any) -> list[str]:
    ordinary = ctx.manifest["ordinary"]
    path = Path(ctx.vault) / ordinary[1]["path"]
    text = path.read_text(encoding="utf-8")
    extra = f"\n\nMore evidence (Jones 2025) agrees, see [[{ordinary[0]['title']}]].\n"
    head, sep, tail = text.partition("\n---\n\nRelevant Notes:")
    path.write_text(head + extra + sep + tail if sep else text + extra, encoding="utf-8")
    return [ordinary[1]["path"]]


def _back_to_main(ctx: Any) -> None:
    _git(ctx, "switch", "-q", "main")
    for name in (ADDED, ENRICHED):
        if _git(ctx, "branch", "--list", name).strip():
            _git(ctx, "branch", "-q", "-D", name)


def register_cases(cases: Any) -> None:
    """Add the review cases to benchmarks/run.py's registry (benchmarks/cases.py)."""

    cases.register(
        cases.Case(
            name="codex review --no-judgement, one claim added (cold)",
            argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "review", "--no-judgement"],
            baseline=cases.GREP,
            target=1.0,
            cache=cases.COLD,
            prepare=lambda ctx: _branch(ctx, ADDED, _add_claim),
            finish=_back_to_main,
            ok_codes=(0, 1),
            memory_mb=300,
            about="a branch adding one claim: the listing, the claim, the maps that mention it (no git grep)",
            tags=("review", "scoped"),
        )
    )
    cases.register(
        cases.Case(
            name="codex review --no-judgement, one claim enriched (cold)",
            argv=lambda ctx: [ctx.codex, "-C", ctx.vault, "review", "--no-judgement"],
            baseline=cases.GREP,
            cache=cases.COLD,
            prepare=lambda ctx: _branch(ctx, ENRICHED, _enrich_claim),
            finish=_back_to_main,
            ok_codes=(0, 1),
            memory_mb=300,
            about="a branch editing one claim: also the claim at the base and the notes that mention it (one git grep)",
            tags=("review", "scoped"),
        )
    )
