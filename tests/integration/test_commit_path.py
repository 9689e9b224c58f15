"""ops.commit.land: the one way mutating commands branch, apply and commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_cli.core.plan import Plan
from codex_cli.errors import ApplyFailed, DirtyFile
from codex_cli.ops.commit import CommitOptions, Message, land
from codex_cli.vault import Vault
from tests.helpers import git, git_init, snapshot, write_vault


def _vault(root: Path) -> Vault:
    write_vault(root, {"a.md": "alpha\n", "b.md": "beta\n", "notes.txt": "unrelated\n"})
    git_init(root)
    return Vault.open(root)


def _plan(root: Path) -> Plan:
    plan = Plan()
    plan.edit("a.md", (root / "a.md").read_bytes(), 0, 5, "ALPHA")
    plan.create("c.md", "new\n")
    return plan


def test_lands_on_a_new_branch_with_only_its_files(vault: Path) -> None:
    v = _vault(vault)
    (vault / "notes.txt").write_text("staged by someone else\n")
    git(vault, "add", "notes.txt")
    (vault / "b.md").write_text("beta, edited and unstaged\n")
    landed = land(v, _plan(vault), Message("edit a", what="a change"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert landed.branch == "rio/edit-a" and landed.previous_branch == "main"
    assert git(vault, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:4] == ["rio: edit a", "", "a.md", "c.md"]
    body = git(vault, "log", "-1", "--format=%B")
    assert "- What: a change" in body and "Pentagon-Agent: Rio <HEADLESS>" in body
    status = git(vault, "status", "--porcelain")
    assert "M  notes.txt" in status  # still staged, not committed
    assert " M b.md" in status  # still unstaged


def test_refuses_to_commit_a_file_with_uncommitted_changes(vault: Path) -> None:
    v = _vault(vault)
    (vault / "a.md").write_text("alpha, edited by hand\n")
    plan = Plan()
    plan.edit("a.md", (vault / "a.md").read_bytes(), 0, 5, "ALPHA")
    before = snapshot(vault)
    with pytest.raises(DirtyFile) as info:
        land(v, plan, Message("edit a"), CommitOptions(), branch_hint="edit a")
    assert info.value.paths == ["a.md"] and "--no-commit" in (info.value.hint or "")
    assert snapshot(vault) == before
    assert git(vault, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    staged = land(v, plan, Message("edit a"), CommitOptions(commit=False, no_branch=True), branch_hint="edit a")
    assert staged.commit is None
    assert (vault / "a.md").read_text() == "ALPHA, edited by hand\n"
    assert "M  a.md" in git(vault, "status", "--porcelain")


def test_a_failed_apply_removes_the_branch_it_made(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import apply as apply_mod

    v = _vault(vault)
    before = snapshot(vault)

    def fail(*args: object) -> None:
        raise OSError(5, "I/O error", str(vault / "c.md"))

    monkeypatch.setattr(apply_mod, "_write_atomic", fail)
    with pytest.raises(ApplyFailed):
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert snapshot(vault) == before
    assert git(vault, "branch", "--format=%(refname:short)").split() == ["main"]


def test_person_without_agent_gets_a_contributor_trailer(vault: Path) -> None:
    v = _vault(vault)
    land(v, _plan(vault), Message("edit a"), CommitOptions(no_branch=True), branch_hint="x")
    assert git(vault, "log", "-1", "--format=%s%n%(trailers)").split("\n")[:2] == ["test-person: edit a", "Contributor: Test Person"]
