"""Time the apply of the hub rename in-process: its check (adapters.apply.prepare) and its writes (apply.write).

    python benchmarks/bench_apply.py --vault COPY_OF_A_GENERATED_VAULT [--runs 2]

The end-to-end rename (bench_rename.py) is seconds of planning and git
around a few hundred milliseconds of apply, so a change to the apply alone
(adapters.confined: every write relative to folder descriptors) drowns in
its noise. This plans the rename once per run (ops.rename.prepare, timed
as `plan`), then times the check and the writes, wall and CPU (process
time, which moves less with the machine's load), and puts the vault back
(`git checkout -f main`, `git clean -fd`). It writes into the vault: give
it a copy (`cp -a`). To compare two checkouts, run it under each, e.g.
`PYTHONPATH=CHECKOUT:SITE_PACKAGES python -S benchmarks/bench_apply.py ...`
(`-S`, so that an editable install does not win), alternating.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

NEW_TITLE = "the hub claim was renamed for the benchmark"


def _reset(root: Path) -> None:
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "main"], check=True)
    subprocess.run(["git", "-C", str(root), "clean", "-q", "-fd"], check=True)


def measure(root: Path, runs: int) -> dict[str, list[int]]:
    """Milliseconds per run: plan, check and write (wall), check_cpu and write_cpu (process time)."""
    from codex_cli.adapters import apply
    from codex_cli.ops import rename
    from codex_cli.vault import Vault

    hub = json.loads((root / ".bench-manifest.json").read_text())["hub"]["title"]
    out: dict[str, list[int]] = {"plan": [], "check": [], "write": [], "check_cpu": [], "write_cpu": []}
    try:
        for _ in range(runs):
            _reset(root)
            vault = Vault.open(root)
            t0 = time.perf_counter()
            plan = rename.prepare(vault, rename.RenameRequest(hub, NEW_TITLE)).renamed.plan
            t1, c1 = time.perf_counter(), time.process_time()
            prepared = apply.prepare(root, plan)
            t2, c2 = time.perf_counter(), time.process_time()
            apply.write(root, prepared)
            t3, c3 = time.perf_counter(), time.process_time()
            for name, seconds in (("plan", t1 - t0), ("check", t2 - t1), ("write", t3 - t2), ("check_cpu", c2 - c1), ("write_cpu", c3 - c2)):
                out[name].append(round(seconds * 1000))
    finally:
        _reset(root)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", required=True, help="a copy of a vault written by benchmarks/generate.py (it is written to)")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(measure(Path(args.vault).resolve(), args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
