"""Time codex commands against baselines measured in the same run.

    python benchmarks/run.py --vault benchmarks/.vaults/100k [--runs 5] [--case check] [--json FILE]
    python benchmarks/run.py --notes 100000          # generate benchmarks/.vaults/100000 first if missing

Each case (benchmarks/cases.py) is timed `--runs` times, interleaved with
its baseline (`git grep -c -F '[['` over the vault, or `python -c pass`) so
that both see the same machine load; the report gives the medians and their
ratio (wall clock), and the CPU time each used (user + system, workers
included), which a busy machine disturbs less. Memory: the largest resident
set of any one process (wait4's ru_maxrss, every run) and the peak memory
of the command's whole process tree: the sum of proportional set sizes
(PSS: private pages plus a share of shared ones, so the pages forked
workers share with their parent count once), sampled from /proc every
50 ms in one extra, untimed run. Prints a markdown table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases as cases_mod  # noqa: E402
from cases import BASELINES, CASES, COLD, WARM, Case, Context, clear_cache  # noqa: E402


@dataclass
class Timing:
    seconds: float
    max_rss_mb: float
    tree_pss_mb: float | None
    code: int
    cpu: float = 0.0  # user + system seconds of the command and the workers it waited for


@dataclass
class Result:
    case: Case
    runs: list[Timing] = field(default_factory=list)
    baseline_runs: list[Timing] = field(default_factory=list)
    tree_sample: Timing | None = None  # the untimed run that sampled memory
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(t.seconds for t in self.runs)

    @property
    def baseline_median(self) -> float:
        return statistics.median(t.seconds for t in self.baseline_runs)

    @property
    def ratio(self) -> float:
        return self.median / self.baseline_median

    @property
    def cpu_median(self) -> float:
        return statistics.median(t.cpu for t in self.runs)

    @property
    def baseline_cpu_median(self) -> float:
        return statistics.median(t.cpu for t in self.baseline_runs)

    @property
    def max_rss_mb(self) -> float:
        runs = self.runs + ([self.tree_sample] if self.tree_sample else [])
        return max(t.max_rss_mb for t in runs)

    @property
    def tree_pss_mb(self) -> float | None:
        return self.tree_sample.tree_pss_mb if self.tree_sample else None

    @property
    def passed(self) -> bool | None:
        if self.error:
            return False
        ok = True
        if self.case.target is not None:
            ok = self.ratio <= self.case.target
        if self.case.memory_mb is not None:
            peak = self.tree_pss_mb if self.tree_pss_mb is not None else self.max_rss_mb
            ok = ok and peak <= self.case.memory_mb
        return ok if (self.case.target is not None or self.case.memory_mb is not None) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "about": self.case.about,
            "cache": self.case.cache,
            "baseline": self.case.baseline,
            "median_s": None if self.error else round(self.median, 4),
            "baseline_median_s": None if self.error else round(self.baseline_median, 4),
            "ratio": None if self.error else round(self.ratio, 3),
            "cpu_s": None if self.error else round(self.cpu_median, 3),
            "baseline_cpu_s": None if self.error else round(self.baseline_cpu_median, 3),
            "target_ratio": self.case.target,
            "max_rss_mb": None if self.error else round(self.max_rss_mb, 1),
            "tree_pss_mb": None if self.tree_pss_mb is None else round(self.tree_pss_mb, 1),
            "target_memory_mb": self.case.memory_mb,
            "passed": self.passed,
            "runs_s": [round(t.seconds, 4) for t in self.runs],
            "baseline_runs_s": [round(t.seconds, 4) for t in self.baseline_runs],
            "error": self.error,
        }


# --- measuring one command --------------------------------------------------------


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def _rss_kb(pid: int) -> int:
    """A process's proportional set size: its private pages plus its share of
    the pages it shares (forked workers share most of their parent's), so
    that the sum over a process tree is the memory the tree really holds.
    Falls back to the resident set where the kernel has no smaps_rollup."""
    return _proc_kb(pid, "smaps_rollup", b"Pss:") or _proc_kb(pid, "status", b"VmRSS:")


def _proc_kb(pid: int, name: str, field: bytes) -> int:
    """A `field: N kB` line of /proc/PID/NAME (0 when absent)."""
    try:
        with open(f"/proc/{pid}/{name}", "rb") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed proportional set sizes of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            tree = _children_of()
            pids, todo = [], [self.pid]
            while todo:
                p = todo.pop()
                pids.append(p)
                todo.extend(tree.get(p, []))
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))
            self.stopped.wait(self.every)


ENV: dict[str, str] = dict(os.environ)


def measure(argv: list[str], sample_tree: bool) -> Timing:
    has_proc = sample_tree and os.path.isdir("/proc/self")
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=ENV)
    sampler = TreeSampler(proc.pid) if has_proc else None
    if sampler:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        sampler.stopped.set()
        sampler.join()
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Timing(
        seconds,
        usage.ru_maxrss / scale,
        sampler.peak_kb / 1024 if sampler else None,
        proc.returncode,
        usage.ru_utime + usage.ru_stime,
    )


def run_case(case: Case, ctx: Context, runs: int, sample_tree: bool) -> Result:
    result = Result(case)
    argv = case.argv(ctx)
    baseline = BASELINES[case.baseline](ctx)
    try:
        if case.cache == WARM:
            if case.prepare:
                case.prepare(ctx)
            measure(argv, False)
        # The timed runs sample nothing (reading /proc costs CPU on a small
        # machine); one more run, untimed, samples the process tree's memory.
        for i in range(runs + (1 if sample_tree else 0)):
            sampled = i == runs
            if not sampled:
                result.baseline_runs.append(measure(baseline, False))
            if case.prepare:
                case.prepare(ctx)
            if case.cache == COLD:
                clear_cache(ctx)
            timing = measure(argv, sampled)
            if timing.code not in case.ok_codes:
                result.error = f"exit code {timing.code}: {' '.join(argv)}"
                break
            if sampled:
                result.tree_sample = timing
            else:
                result.runs.append(timing)
    finally:
        if case.finish:
            case.finish(ctx)
    return result


# --- reporting --------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            info["memory_mb"] = int(handle.readline().split()[1]) // 1024
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True)
    info["git"] = git.stdout.strip()
    return info


def table(results: list[Result]) -> str:
    head = "| case | median | baseline | baseline median | ratio | target | CPU (codex / baseline) | max RSS | tree PSS | ok |"
    rows = [head, "|" + "---|" * 10]
    for r in results:
        if r.error:
            rows.append(f"| {r.case.name} | error: {r.error} | | | | | | | | no |")
            continue
        target = f"≤ {r.case.target:g}x" if r.case.target is not None else ""
        tree = f"{r.tree_pss_mb:.0f} MB" if r.tree_pss_mb is not None else "-"
        ok = {True: "yes", False: "**no**", None: ""}[r.passed]
        rows.append(
            f"| {r.case.name} | {r.median:.3f} s | {r.case.baseline} | {r.baseline_median:.3f} s "
            f"| {r.ratio:.2f}x | {target} | {r.cpu_median:.2f} s / {r.baseline_cpu_median:.2f} s "
            f"| {r.max_rss_mb:.0f} MB | {tree} | {ok} |"
        )
    return "\n".join(rows)


def git_head() -> str | None:
    out = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or None


def make_snapshot() -> tuple[str, str]:
    """(commit, folder): a detached worktree of HEAD to import codex_cli from."""
    import tempfile

    commit = git_head() or "HEAD"
    folder = tempfile.mkdtemp(prefix="codex-bench-")
    os.rmdir(folder)
    subprocess.run(["git", "-C", str(HERE.parent), "worktree", "add", "-q", "--detach", folder, commit], check=True)
    return commit, folder


def default_codex() -> str:
    sibling = Path(sys.executable).with_name("codex")
    return str(sibling) if sibling.exists() else (shutil.which("codex") or "codex")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--vault", type=Path, help="a vault made by benchmarks/generate.py")
    where.add_argument("--notes", type=int, help="use benchmarks/.vaults/<N>, generating it if missing")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median reported)")
    parser.add_argument("--case", action="append", default=[], help="only cases whose name contains this (repeatable)")
    parser.add_argument("--codex", default=default_codex(), help="the codex executable")
    parser.add_argument("--json", type=Path, help="where to write the results (default benchmarks/results/<N>-<time>.json)")
    parser.add_argument("--no-tree-memory", action="store_true", help="skip sampling /proc for the process tree's memory")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="time the committed code: a git worktree of HEAD first on PYTHONPATH "
        "(the cache is keyed on the package's modification times, so edits during a run would void it)",
    )
    args = parser.parse_args(argv)

    if args.list:
        for case in CASES:
            print(f"{case.name}: {case.about}")
        return 0
    vault = args.vault
    if vault is None:
        vault = HERE / ".vaults" / str(args.notes)
        if not (vault / ".bench-manifest.json").is_file():
            import generate

            generate.generate(args.notes, vault)
    vault = vault.resolve()
    manifest = json.loads((vault / ".bench-manifest.json").read_text(encoding="utf-8"))
    ctx = Context(str(vault), manifest, args.codex)
    chosen = [c for c in cases_mod.CASES if not args.case or any(s in c.name for s in args.case)]
    results = []
    snapshot = make_snapshot() if args.snapshot else None
    # As installed: pip compiles a package's bytecode; without it every run
    # would compile the tool from source first (about 0.15 s of CPU), as it
    # does where PYTHONDONTWRITEBYTECODE is set and the package is editable.
    package = Path(snapshot[1]) / "codex_cli" if snapshot else HERE.parent / "codex_cli"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False)
    try:
        if snapshot:
            ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [snapshot[1], ENV.get("PYTHONPATH")]))
            print(f"code: {snapshot[0]} ({snapshot[1]})", file=sys.stderr)
        for case in chosen:
            print(f"timing {case.name} ...", file=sys.stderr)
            results.append(run_case(case, ctx, args.runs, not args.no_tree_memory))
    finally:
        if snapshot:
            subprocess.run(["git", "-C", str(HERE.parent), "worktree", "remove", "--force", snapshot[1]], check=False)
    print(table(results))
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "vault": {"path": str(vault), "notes": manifest["notes"], "seed": manifest.get("seed")},
        "runs": args.runs,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "code": snapshot[0] if snapshot else git_head(),
        "results": [r.to_json() for r in results],
    }
    out = args.json or HERE / "results" / f"{manifest['notes']}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
