"""The documented plain git pre-commit hook gates new broken links only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.helpers import git, git_init, write_vault

HOOK = """#!/bin/sh
git diff --cached --name-only --diff-filter=ACMR -z -- '*.md' | xargs -0 -r "{codex}" check --quiet
"""


def test_hook_blocks_a_new_broken_link_but_not_old_ones(vault: Path) -> None:
    write_vault(vault, {"old.md": "[[an old broken link]]\n", "target.md": "x\n"})
    git_init(vault)
    codex = Path(sys.executable).with_name("codex")
    hook = vault / ".git" / "hooks" / "pre-commit"
    hook.write_text(HOOK.format(codex=codex))
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "NO_COLOR": "1"}

    (vault / "good.md").write_text("links to [[target]]\n")
    git(vault, "add", "good.md")
    ok = subprocess.run(["git", "commit", "-q", "-m", "good"], cwd=vault, capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    (vault / "bad.md").write_text("links to [[targte]]\n")
    git(vault, "add", "bad.md")
    bad = subprocess.run(["git", "commit", "-q", "-m", "bad"], cwd=vault, capture_output=True, text=True, env=env)
    assert bad.returncode != 0
    shown = bad.stdout + bad.stderr  # git passes a hook's output through on stderr
    assert "bad.md" in shown and "[[targte]]" in shown and "did you mean: [[target]]" in shown
