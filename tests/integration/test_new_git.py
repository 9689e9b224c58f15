"""`codex new` and git: branches, hooks, and other people's staged work."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.helpers import git, run
from tests.integration.new_vault import FLAGS, MARKETS, NEW, branch, head_files, make_vault

NOTE = f"domains/ai/{NEW}.md"


def new(vault: Path, *args: str) -> object:
    return run(["--no-input", "new", "claim", NEW, *FLAGS, *args], cwd=vault)


def test_rejecting_hook_keeps_the_note_shows_output_and_how_to_retry(vault: Path) -> None:
    make_vault(vault)
    hook = vault / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: claims need two reviewers' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    head = git(vault, "rev-parse", "HEAD")
    result = new(vault)
    assert result.code == 4, result.stderr
    assert "policy: claims need two reviewers" in result.stderr
    assert "the note is kept and staged" in result.stderr and "git commit -F" in result.stderr
    assert (vault / NOTE).is_file()
    assert git(vault, "rev-parse", "HEAD") == head
    staged = git(vault, "diff", "--cached", "--name-only").split("\n")
    assert NOTE in staged and "domains/ai/_map.md" in staged
    # the retry the hint names works once the hook passes
    hook.write_text("#!/bin/sh\nexit 0\n")
    saved = vault / ".git/CODEX_NEW_MSG"
    git(vault, "commit", "-q", "-F", str(saved), "--", NOTE, "domains/ai/_map.md")
    assert git(vault, "log", "-1", "--format=%s").startswith("test-person: add claim — ")


def test_staged_and_unstaged_changes_of_others_stay_out_and_as_they_were(vault: Path) -> None:
    make_vault(vault)
    (vault / "staged.md").write_text("someone else's staged work\n")
    other = vault / f"domains/ai/{MARKETS}.md"
    other.write_text(other.read_text() + "\nan unstaged edit\n")
    git(vault, "add", "staged.md")
    result = new(vault)
    assert result.code == 0, result.stderr
    assert head_files(vault) == sorted([NOTE, "domains/ai/_map.md"])
    assert git(vault, "diff", "--cached", "--name-only").split() == ["staged.md"]
    assert git(vault, "diff", "--name-only").strip() == f"domains/ai/{MARKETS}.md"


def test_no_commit_leaves_the_files_staged(vault: Path) -> None:
    make_vault(vault)
    head = git(vault, "rev-parse", "HEAD")
    result = new(vault, "--no-commit", "--no-branch")
    assert result.code == 0, result.stderr
    assert git(vault, "rev-parse", "HEAD") == head and branch(vault) == "main"
    assert sorted(git(vault, "diff", "--cached", "--name-only").split("\n")[:-1]) == sorted([NOTE, "domains/ai/_map.md"])


def test_branches_protected_feature_named_and_none(vault: Path) -> None:
    make_vault(vault)
    git(vault, "switch", "-q", "-c", "rio/work")
    assert new(vault).code == 0
    assert branch(vault) == "rio/work"  # not protected: stays

    git(vault, "switch", "-q", "main")
    named = run(["--no-input", "new", "claim", "forecasting tournaments reward calibration over confidence", *FLAGS, "--branch", "rio/named"], cwd=vault)
    assert named.code == 0, named.stderr
    assert branch(vault) == "rio/named"

    git(vault, "switch", "-q", "main")
    stay = run(["--no-input", "new", "claim", "markets punish overconfidence faster than reviews do", *FLAGS, "--no-branch"], cwd=vault)
    assert stay.code == 0, stay.stderr
    assert branch(vault) == "main"
    assert git(vault, "log", "-1", "--format=%s").startswith("test-person: add claim — markets punish")


def test_branch_and_no_branch_together_is_a_usage_error(vault: Path) -> None:
    make_vault(vault)
    assert new(vault, "--branch", "x", "--no-branch").code == 2
