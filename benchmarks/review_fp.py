"""False positives of each `codex review` gate on real claims (docs/review.md).

Protocol: in a copy of the knowledge base, pick N claims at random with a
fixed seed; run the review gates on each as `codex review` would on a branch
that adds it (ops.review.gate_findings: `codex check`'s findings for the
note, and the claim gates). Every flag was judged by reading the note; the
judgements are in benchmarks/review_labels.json (path -> gate -> "true" or
"false", with why). A gate's false-positive rate is its false flags over the
claims that do not have the problem (FP / (FP + TN)); its precision is its
true flags over its flags. A flag with no judgement is reported as such, so
a changed gate cannot pass unnoticed.

The commit gate is measured on the real history
(../shared/sample-codex-history.bundle): every non-merge commit, flagged or
not, against the manual's rule (every commit carries a `Pentagon-Agent`
trailer of a known agent), without and with the default
`review.trailer_exempt`; and every merged pull request (a merge's second
parent back to its first), failed by any of its commits or not.

    .venv/bin/python benchmarks/review_fp.py ../shared/sample-codex [--seed 14] [--n 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from codex_cli.core.review import commit_findings, exempt_why, exemptions
from codex_cli.ops.review import gate_findings, known_agents
from codex_cli.vault import Vault

LABELS = Path(__file__).with_name("review_labels.json")
# check's codes, grouped as the review checklist names them
GATES = {
    "schema": {"missing-field", "bad-value", "bad-type", "bad-date", "yaml-invalid", "frontmatter-unclosed"},
    "title": {"invalid-title", "title-not-a-claim", "h1-mismatch", "name-too-long"},
    "universal-quantifier": {"universal-quantifier"},
    "description-restates-title": {"description-restates-title"},
    "unchallenged": {"unchallenged"},
    "no-evidence": {"no-evidence"},
    "links": {"broken-link", "ambiguous-link", "malformed-link", "md-suffix", "empty-link"},
    "unmapped": {"unmapped"},
}


def gate_of(code: str) -> str:
    for gate, codes in GATES.items():
        if code in codes:
            return gate
    return "other"


def pick(vault: Vault, n: int, seed: int) -> list[str]:
    claims = sorted(p for p, note in vault.notes.items() if note.type in vault.config.claim_types)
    return sorted(random.Random(seed).sample(claims, n))


def measure(sample: Path, n: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "codex"
        shutil.copytree(sample, root)
        vault = Vault.open(root)
        chosen = pick(vault, n, seed)
        found = gate_findings(vault, chosen)
        known = known_agents(vault)
    labels = json.loads(LABELS.read_text(encoding="utf-8")) if LABELS.is_file() else {}
    flags: dict[str, dict[str, list[str]]] = {p: {} for p in chosen}
    for path, findings in found.items():
        for f in findings:
            flags[path].setdefault(gate_of(f.code), []).append(f"{f.code}: {f.message}")
    table = {}
    unjudged = []
    for gate in GATES:
        tp = fp = 0
        for path in chosen:
            if gate not in flags[path]:
                continue
            verdict = labels.get(path, {}).get(gate, {}).get("verdict")
            if verdict == "true":
                tp += 1
            elif verdict == "false":
                fp += 1
            else:
                unjudged.append((path, gate, flags[path][gate]))
        flagged = sum(1 for p in chosen if gate in flags[p])
        negatives = len(chosen) - tp - (flagged - tp - fp)  # claims without the problem, as judged
        table[gate] = {
            "flagged": flagged,
            "true": tp,
            "false": fp,
            "false_positive_rate": round(fp / negatives, 3) if negatives else 0.0,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        }
    return {"seed": seed, "claims": chosen, "flags": flags, "gates": table, "unjudged": unjudged, "commits": commits(sample, known)}


def calibration(sample: Path) -> dict[str, float]:
    """`restatement` over every claim with a description: where review.restatement sits."""
    from codex_cli.core.review import restatement

    vault = Vault.open(sample)
    scores = sorted(
        restatement(n.title, n.description) for n in vault.notes.values() if n.type in vault.config.claim_types and n.description
    )
    at = lambda q: round(scores[int(q * (len(scores) - 1))], 3)  # noqa: E731
    return {"claims": len(scores), "median": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": scores[-1] if scores else 0.0}


def commits(sample: Path, known: set[str]) -> dict[str, object] | None:
    """The commit gate on the real history: how many non-merge commits it flags, by code,
    without and with the default `review.trailer_exempt`; and how many of the merged pull
    requests (each merge's second parent back to its first) it would fail either way."""
    bundle = sample.parent / "sample-codex-history.bundle"
    if not bundle.is_file():
        return None
    import git

    from codex_cli.config import DEFAULTS

    rules = exemptions(DEFAULTS["review"]["trailer_exempt"])
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "clone", "-q", str(bundle), tmp + "/h"], check=True)
        repo = git.Repo(tmp + "/h")
        total = 0
        codes: Counter[str] = Counter()
        exempt_codes: Counter[str] = Counter()
        agents: Counter[str] = Counter()
        exempted = 0

        def gate(c: git.Commit, with_rules: bool) -> list[object]:
            subject = c.summary if isinstance(c.summary, str) else c.summary.decode()
            why = exempt_why(rules, subject, f"{c.author.name} <{c.author.email}>", c.trailers_list) if with_rules else None
            return list(commit_findings(c.hexsha, subject, c.trailers_list, len(c.parents), known, why))

        for c in repo.iter_commits("HEAD"):
            if len(c.parents) > 1:
                continue
            total += 1
            found = gate(c, False)
            codes.update(f.code for f in found)  # type: ignore[attr-defined]
            after = gate(c, True)
            exempt_codes.update(f.code for f in after)  # type: ignore[attr-defined]
            exempted += len(found) > len(after)
            if not found:
                agents.update(v.split("<")[0].strip() for k, v in c.trailers_list if k == "Pentagon-Agent")
        pulls = [m for m in repo.iter_commits("HEAD", merges=True)]
        failing = {False: 0, True: 0}
        for m in pulls:
            branch = list(repo.iter_commits(f"{m.parents[0].hexsha}..{m.parents[1].hexsha}", no_merges=True))
            for with_rules in (False, True):
                failing[with_rules] += any(gate(c, with_rules) for c in branch)
        return {
            "non_merge_commits": total,
            "flagged": dict(codes),
            "passed_by_agent": dict(agents),
            "exempted_by_default": exempted,
            "flagged_with_exemption": dict(exempt_codes),
            "pull_requests": len(pulls),
            "pull_requests_failing": failing[False],
            "pull_requests_failing_with_exemption": failing[True],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sample", type=Path)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--json", dest="json_file", type=Path)
    parser.add_argument("--flags", action="store_true", help="print every flag (to judge them)")
    parser.add_argument("--calibrate", action="store_true", help="print where the restatement scores of every claim fall")
    args = parser.parse_args(argv)
    if args.calibrate:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(args.sample, Path(tmp) / "codex")
            print("restatement of every claim:", json.dumps(calibration(Path(tmp) / "codex")))
    result = measure(args.sample, args.n, args.seed)
    if args.flags:
        for path, gates in result["flags"].items():  # type: ignore[attr-defined]
            print(path)
            for gate, messages in gates.items():
                for m in messages:
                    print(f"    {gate:<28} {m}")
    print(f"{args.n} claims, seed {args.seed}")
    print(f"{'gate':<28} {'flagged':>7} {'true':>5} {'false':>6} {'FP rate':>8} {'precision':>9}")
    for gate, row in result["gates"].items():  # type: ignore[attr-defined]
        precision = "-" if row["precision"] is None else f"{row['precision']:.2f}"
        print(f"{gate:<28} {row['flagged']:>7} {row['true']:>5} {row['false']:>6} {row['false_positive_rate']:>8.2f} {precision:>9}")
    if result["commits"]:
        print("commit gate on the real history:", json.dumps(result["commits"]))
    for path, gate, messages in result["unjudged"]:  # type: ignore[attr-defined]
        print(f"UNJUDGED {gate}: {path}: {messages}", file=sys.stderr)
    if args.json_file:
        args.json_file.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if result["unjudged"] else 0


if __name__ == "__main__":
    sys.exit(main())
