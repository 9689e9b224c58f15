"""The scoped `codex review` against the one that loads every note, on the real history.

Clones ../shared/sample-codex-history.bundle, and for every merged pull
request (a merge's second parent, reviewed against its first) runs
ops.review.review both ways, gates only and with the judgement; prints
whether each pair is identical (findings, cascades, exemptions, exit) and
the counts (docs/review.md, docs/performance.md).

    .venv/bin/python benchmarks/review_agree.py ../shared/sample-codex-history.bundle
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from codex_cli.ops.review import review
from codex_cli.vault import Vault


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else "../shared/sample-codex-history.bundle").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        subprocess.run(["git", "clone", "-q", str(bundle), str(root)], check=True)

        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()

        merges = git("log", "--merges", "--format=%H", "HEAD").split()
        same = 0
        for merge in merges:
            git("switch", "-q", "--detach", merge + "^2")
            for judge in (False, True):
                scoped = review(Vault.open(root), merge + "^1..HEAD", judge=judge, scoped=True).as_dict()
                full = review(Vault.open(root), merge + "^1..HEAD", judge=judge, scoped=False).as_dict()
                same += scoped == full
                exempted = sum(e["commits"] for e in scoped["exempted"])
                print(
                    f"{git('log', '-1', '--format=%s', merge)[:48]:<48} {'judgement' if judge else 'gates':<9} "
                    f"{'same' if scoped == full else 'DIFFERENT'}: {scoped['errors']} errors, {scoped['warnings']} warnings, {exempted} commits exempted"
                )
        print(f"{same} of {2 * len(merges)} reviews identical")
        return 0 if same == 2 * len(merges) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
