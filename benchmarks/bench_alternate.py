"""Two versions of codex, alternated: cold then warm `codex check` on a vault, wall and CPU time.

    python benchmarks/bench_alternate.py --vault COPY_OF_VAULT --before CODEX_A --after CODEX_B [--rounds 6] [--warm 3]

Each round deletes the cache, runs one cold `check` and `--warm` warm ones
with one version, then the same with the other (the order swapped every
round). CPU time is the whole process tree's (RUSAGE_CHILDREN: the workers
included), which a loaded machine disturbs far less than wall time. The
vault's `.git/codex-cache` is deleted: pass a copy (`cp -a`), not a vault
you must keep read-only. CODEX_A and CODEX_B are any executables; for a
checkout that is not installed, a wrapper such as

    PYTHONPATH=/path/to/checkout exec python -c 'from codex_cli.cli.app import run; run()' "$@"

(docs/performance.md, issue 17's measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path


def timed(codex: str, vault: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([codex, "check"], cwd=vault, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, required=True, help="a copy of a vault made by benchmarks/generate.py")
    parser.add_argument("--before", required=True, help="the codex executable to compare against")
    parser.add_argument("--after", required=True, help="the codex executable being measured")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--warm", type=int, default=3, help="warm runs after each cold one")
    parser.add_argument("--json", type=Path, help="where to write every run's times")
    args = parser.parse_args(argv)
    versions = {"before": args.before, "after": args.after}
    runs: dict[str, dict[str, list[float]]] = {v: {"cold": [], "cold_cpu": [], "warm": [], "warm_cpu": []} for v in versions}
    for r in range(args.rounds):
        for name in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
            shutil.rmtree(args.vault / ".git" / "codex-cache", ignore_errors=True)
            wall, cpu = timed(versions[name], args.vault)
            runs[name]["cold"].append(wall)
            runs[name]["cold_cpu"].append(cpu)
            for _ in range(args.warm):
                wall, cpu = timed(versions[name], args.vault)
                runs[name]["warm"].append(wall)
                runs[name]["warm_cpu"].append(cpu)
            print(f"round {r} {name}: cold {runs[name]['cold'][-1]:.2f} s (cpu {runs[name]['cold_cpu'][-1]:.2f} s), load {os.getloadavg()[0]:.1f}", flush=True)
    for measure in ("cold", "cold_cpu", "warm", "warm_cpu"):
        before, after = statistics.median(runs["before"][measure]), statistics.median(runs["after"][measure])
        print(f"{measure:9} before {before:8.3f} s  after {after:8.3f} s  after/before {after / before:.3f}")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
