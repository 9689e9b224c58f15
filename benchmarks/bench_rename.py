"""Benchmark `codex rename` on the hub note (1,000 backlinks) against `git grep -l -F '<title>'`.

    python benchmarks/bench_rename.py --vault benchmarks/.vaults/100k [--runs 5]

The targets (issue 5, restated by issue 15): `--dry-run` at most 2x one
`git grep -l -F '<hub title>'` over the same tree, `--no-commit` at most
2.5x, and the commit case at most 1.1x of (`--no-commit` + `git commit` of
the same change on the same index): the commit is git's own, so it is
measured against git. Each `--no-commit` run is followed by a timed
`git commit` of what it staged (the row `git commit (after --no-commit)`),
and the row `rename (commit) / (--no-commit + git commit)` gives, run by
run, the commit case over that sum. Each run restores the vault first
(untimed: back to main's commit, rename branches deleted), then times, in
turn: the baseline, `codex rename HUB NEW --dry-run` (plan and diff),
`--no-commit` (plan, apply, stage) and the full command (plan, apply, one
commit on a new branch), each right after a baseline run of its own.
Medians and ratios are printed as a markdown table (docs/performance.md)
and, with --json FILE, written as JSON. `--compare CODEX` times another
codex (an older checkout) the same way, interleaved.

Imported by benchmarks/cases.py, it also registers the same cases with
benchmarks/run.py (`register_cases`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

NEW_TITLE = "the hub claim was renamed for the benchmark"
BASELINE = "git grep -l -F <hub title>"
_START: dict[str, str] = {}


def _git(vault: str, *args: str) -> str:
    return subprocess.run(["git", "-C", vault, *args], capture_output=True, text=True, check=True).stdout


def reset(vault: str) -> None:
    """Put the vault back as it was before the first rename (untimed)."""
    start = _START.setdefault(vault, _git(vault, "rev-parse", "main").strip())
    _git(vault, "checkout", "-q", "-f", "main")
    _git(vault, "reset", "-q", "--hard", start)
    _git(vault, "clean", "-q", "-fd")
    for branch in _git(vault, "for-each-ref", "--format=%(refname:short)", "refs/heads/").split():
        if "/rename-" in branch:
            _git(vault, "branch", "-q", "-D", branch)


def commands(vault: str, codex: str, hub: str) -> dict[str, list[str]]:
    base = [codex, "-C", vault, "rename", hub, NEW_TITLE, "--agent", "bench"]
    return {
        BASELINE: ["git", "-C", vault, "grep", "-l", "-F", hub],
        "rename --dry-run": [*base, "--dry-run"],
        "rename --no-commit": [*base, "--yes", "--no-commit"],
        "rename (commit)": [*base, "--yes"],
    }


def _time(argv: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])}… failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def measure(vault: str, codex: str, runs: int, compare: str | None = None) -> dict[str, Any]:
    """Time every case `runs` times, each run of each case after a baseline run.

    With `compare` (another codex, say a checkout of an older commit), each
    case of that codex is timed too, right after the same case of `codex`,
    with its own baseline run; its rows are named `<case> (compare)`. Each
    result also has the median of the per-run ratios (`pair_ratio`), which
    moves less than the ratio of medians when the machine's load changes.
    """
    manifest = json.loads((Path(vault) / ".bench-manifest.json").read_text())
    hub = manifest["hub"]["title"]
    cmds = commands(vault, codex, hub)
    if compare is not None:
        others = commands(vault, compare, hub)
        cmds.update({f"{name} (compare)": others[name] for name in others if name != BASELINE})
    times: dict[str, list[float]] = {name: [] for name in cmds}
    pairs: dict[str, list[float]] = {name: [] for name in cmds}
    git_commit = [] if "rename --no-commit" in cmds else None  # `git commit` of what --no-commit staged
    reset(vault)
    _time(cmds[BASELINE])  # warm the page cache once, untimed
    for _ in range(runs):
        for name, argv in cmds.items():
            if name == BASELINE:
                continue
            reset(vault)
            base_time = _time(cmds[BASELINE])
            reset(vault)
            elapsed = _time(argv)
            times[BASELINE].append(base_time)
            times[name].append(elapsed)
            pairs[name].append(elapsed / base_time)
            if name == "rename --no-commit" and git_commit is not None:
                git_commit.append(_time(["git", "-C", vault, "commit", "-q", "-m", "bench: the staged rename"]))
    reset(vault)
    base = statistics.median(times[BASELINE])
    derived = []
    if git_commit and times.get("rename (commit)"):
        sums = [a + b for a, b in zip(times["rename --no-commit"], git_commit, strict=True)]
        per_run = [c / s for c, s in zip(times["rename (commit)"], sums, strict=True)]
        derived = [
            {"case": "git commit (after --no-commit)", "median_s": round(statistics.median(git_commit), 3),
             "ratio": round(statistics.median(git_commit) / base, 2), "pair_ratio": None, "runs_s": [round(t, 3) for t in git_commit]},
            {"case": "rename (commit) / (--no-commit + git commit)", "median_s": None,
             "ratio": round(statistics.median(times["rename (commit)"]) / statistics.median(sums), 3),
             "pair_ratio": round(statistics.median(per_run), 3), "runs_s": [round(r, 3) for r in per_run]},
        ]
    return {
        "vault": vault,
        "notes": manifest.get("notes"),
        "hub_backlinks": manifest["hub"]["backlinks"],
        "runs": runs,
        "baseline": BASELINE,
        "codex": codex,
        "compare": compare,
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "results": [
            {
                "case": name,
                "median_s": round(statistics.median(ts), 3),
                "ratio": round(statistics.median(ts) / base, 2),
                "pair_ratio": round(statistics.median(pairs[name]), 2) if pairs[name] else 1.0,
                "runs_s": [round(t, 3) for t in ts],
            }
            for name, ts in times.items()
        ]
        + derived,
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['notes']} notes, hub with {report['hub_backlinks']} backlinks, median of {report['runs']} runs",
        "",
        "| case | median (s) | x baseline | median of per-run ratios |",
        "|---|---:|---:|---:|",
    ]
    for r in report["results"]:
        median = "" if r["median_s"] is None else f"{r['median_s']:.2f}"
        pair = "" if r["pair_ratio"] is None else f"{r['pair_ratio']:.2f}"
        lines.append(f"| `{r['case']}` | {median} | {r['ratio']:.2f} | {pair} |")
    return "\n".join(lines)


def register_cases(cases: Any) -> None:
    """Add the rename cases to benchmarks/run.py's registry (benchmarks/cases.py)."""
    cases.BASELINES.setdefault(BASELINE, lambda ctx: ["git", "-C", ctx.vault, "grep", "-l", "-F", ctx.hub()])
    for name, extra in (("rename --dry-run", ["--dry-run"]), ("rename (commit)", ["--yes"])):
        if any(c.name == f"codex {name}" for c in cases.CASES):
            continue
        cases.register(
            cases.Case(
                name=f"codex {name}",
                argv=lambda ctx, extra=extra: [ctx.codex, "-C", ctx.vault, "rename", ctx.hub(), NEW_TITLE, "--agent", "bench", *extra],
                baseline=BASELINE,
                target=2.0,
                prepare=lambda ctx: reset(ctx.vault),
                finish=lambda ctx: reset(ctx.vault),
                about="rename the hub (1,000 backlinks): prefilter, parse the candidates, plan"
                + (", apply and commit" if "--yes" in extra else ", diff"),
                tags=("rename",),
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", required=True, help="a vault written by benchmarks/generate.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--codex", default=shutil.which("codex") or str(Path(sys.executable).parent / "codex"))
    parser.add_argument("--compare", metavar="CODEX", help="also time this codex (say, an older checkout), interleaved")
    parser.add_argument("--json", dest="json_file", help="also write the report here")
    args = parser.parse_args(argv)
    # as installed, with bytecode (see run.py)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "codex_cli")], check=False)
    report = measure(str(Path(args.vault).resolve()), args.codex, args.runs, args.compare)
    print(table(report))
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
