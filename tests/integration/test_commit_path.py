"""ops.commit.land: the one way mutating commands branch, apply and commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_cli.core.plan import Plan
from codex_cli.errors import ApplyFailed, DirtyFile, GitFailed, RepositoryBusy
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
    from codex_cli.adapters import confined

    v = _vault(vault)
    before = snapshot(vault)

    def fail(*args: object, **kw: object) -> None:
        raise OSError(5, "I/O error", "c.md")

    monkeypatch.setattr(confined, "write_atomic", fail)
    with pytest.raises(ApplyFailed):
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert snapshot(vault) == before
    assert git(vault, "branch", "--format=%(refname:short)").split() == ["main"]


def test_person_without_agent_gets_a_contributor_trailer(vault: Path) -> None:
    v = _vault(vault)
    land(v, _plan(vault), Message("edit a"), CommitOptions(no_branch=True), branch_hint="x")
    assert git(vault, "log", "-1", "--format=%s%n%(trailers)").split("\n")[:2] == ["test-person: edit a", "Contributor: Test Person"]


# --- the commit itself: git's plumbing, with git commit's hooks ------------------


def _hook(root: Path, name: str, body: str) -> None:
    hook = root / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


@pytest.fixture(params=[False, True], ids=["pathspecs", "many-paths"])
def many(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test with few paths (git add), and as if it had many (update-index --stdin)."""
    from codex_cli.adapters import git as git_mod

    if request.param:
        monkeypatch.setattr(git_mod, "MANY_PATHS", 0)
    return bool(request.param)


def test_hooks_run_in_git_commits_order_and_may_edit_the_message(vault: Path, many: bool) -> None:
    v = _vault(vault)
    log = vault / ".git" / "hook-log"
    _hook(vault, "pre-commit", f'echo "pre-commit $(git diff --cached --name-only | tr "\\n" " ")" >> {log}\ntest -f "$GIT_INDEX_FILE"\n')
    _hook(vault, "prepare-commit-msg", f'echo "prepare-commit-msg $(basename "$1") $2" >> {log}\n')
    _hook(vault, "commit-msg", f'echo "commit-msg $(basename "$1") $GIT_EDITOR" >> {log}\nprintf "\\nReviewed-by: hook\\n" >> "$1"\n')
    _hook(vault, "post-commit", f'echo "post-commit $(git log -1 --format=%s)" >> {log}\n')
    landed = land(v, _plan(vault), Message("edit a", what="a change"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert log.read_text().splitlines() == [
        "pre-commit a.md c.md ",
        "prepare-commit-msg COMMIT_EDITMSG message",
        "commit-msg COMMIT_EDITMSG :",
        "post-commit rio: edit a",
    ]
    assert landed.commit == git(vault, "rev-parse", "HEAD").strip()
    assert git(vault, "log", "-1", "--format=%(trailers:key=Reviewed-by,valueonly)").strip() == "hook"
    assert git(vault, "reflog", "-1", "--format=%gs").strip() == "commit: rio: edit a"
    assert git(vault, "rev-parse", "HEAD~1").strip() == git(vault, "rev-parse", "main").strip()


@pytest.mark.parametrize("name", ["pre-commit", "commit-msg"])
def test_a_rejecting_hook_leaves_the_files_written_and_staged(vault: Path, many: bool, name: str) -> None:
    v = _vault(vault)
    _hook(vault, name, "echo 'policy: no' >&2\nexit 1\n")
    head = git(vault, "rev-parse", "HEAD")
    with pytest.raises(GitFailed) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert info.value.message == "git commit failed: policy: no"
    assert "policy: no" in info.value.output and "git commit -- a.md c.md" in (info.value.hint or "")
    assert git(vault, "rev-parse", "HEAD") == head
    assert (vault / "a.md").read_text() == "ALPHA\n" and (vault / "c.md").read_text() == "new\n"
    assert git(vault, "diff", "--cached", "--name-only").split() == ["a.md", "c.md"]


@pytest.mark.parametrize("name", ["pre-commit", "commit-msg"])
def test_the_hint_after_a_rejected_commit_is_the_command_that_finishes_it(vault: Path, many: bool, name: str) -> None:
    import subprocess

    v = _vault(vault)
    _hook(vault, name, "exit 1\n")
    with pytest.raises(GitFailed) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    hint = info.value.hint or ""
    assert hint.startswith("the files are written and staged on rio/edit-a; fix what git reported, then: git commit -- ")
    assert git(vault, "branch", "--show-current").strip() == "rio/edit-a"
    assert not (vault / ".git" / "codex" / "journal.json").exists()  # kept on purpose: nothing for the next command to undo
    (vault / ".git" / "hooks" / name).unlink()
    command = hint.split("then: ", 1)[1]
    assert command.startswith("git commit -- ")
    subprocess.run(command.replace("git commit", "git commit -m 'by hand'", 1), shell=True, cwd=vault, check=True, capture_output=True)
    assert git(vault, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:4] == ["by hand", "", "a.md", "c.md"]
    assert git(vault, "status", "--porcelain", "-uno") == ""


def test_a_failed_git_add_rolls_everything_back(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters.git import Repository

    v = _vault(vault)
    before = snapshot(vault)
    real = Repository.stage

    def blocked(self: Repository, paths: list[str]) -> None:
        (vault / ".git" / "index.lock").write_text("")  # as when the disk is full or another git holds it
        try:
            real(self, paths)
        finally:
            (vault / ".git" / "index.lock").unlink()

    monkeypatch.setattr(Repository, "stage", blocked)
    with pytest.raises(GitFailed) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert info.value.message.startswith("git add failed: ") and info.value.message.endswith("; every file was restored")
    assert info.value.hint is None
    assert snapshot(vault) == before
    assert git(vault, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(vault, "status", "--porcelain", "-uno") == ""


def test_an_empty_message_after_the_hooks_aborts(vault: Path) -> None:
    v = _vault(vault)
    _hook(vault, "commit-msg", 'printf "# only a comment\\n" > "$1"\n')
    head = git(vault, "rev-parse", "HEAD")
    with pytest.raises(GitFailed) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(no_branch=True), branch_hint="edit a")
    assert "empty commit message" in info.value.message
    assert git(vault, "rev-parse", "HEAD") == head


def test_the_index_matches_the_commit_afterwards(vault: Path, many: bool) -> None:
    v = _vault(vault)
    (vault / "notes.txt").write_text("staged by someone else\n")
    git(vault, "add", "notes.txt")
    (vault / "b.md").write_text("beta, edited and unstaged\n")
    land(v, _plan(vault), Message("edit a"), CommitOptions(no_branch=True), branch_hint="edit a")
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == ["a.md", "c.md"]
    assert git(vault, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert git(vault, "diff-files", "--name-only").split() == ["b.md"]  # the index's stat data is current: no refresh needed
    assert git(vault, "status", "--porcelain").splitlines() == [" M b.md", "M  notes.txt"]
    assert not list((vault / ".git").glob("codex-index-*")) and not (vault / ".git" / "index.lock").exists()


def test_the_first_commit_of_a_repository(vault: Path) -> None:
    write_vault(vault, {"a.md": "alpha\n"})
    git_init(vault, commit=False)
    v = Vault.open(vault)
    plan = Plan()
    plan.create("c.md", "new\n")
    landed = land(v, plan, Message("start"), CommitOptions(no_branch=True), branch_hint="start")
    assert landed.commit == git(vault, "rev-parse", "HEAD").strip()
    assert git(vault, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(vault, "reflog", "-1", "--format=%gs").strip() == "commit (initial): test-person: start"


@pytest.mark.parametrize(
    ("marker", "what"),
    [
        ("MERGE_HEAD", "a merge"),
        ("rebase-merge/", "a rebase"),
        ("rebase-apply/", "a rebase (or git am)"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
        ("BISECT_LOG", "a bisect"),
    ],
)
def test_refuses_before_writing_while_git_is_in_the_middle_of_something(vault: Path, marker: str, what: str) -> None:
    v = _vault(vault)
    if marker.endswith("/"):
        (vault / ".git" / marker).mkdir()
    else:
        (vault / ".git" / marker).write_text(git(vault, "rev-parse", "HEAD"))
    head = git(vault, "rev-parse", "HEAD")
    before = snapshot(vault)
    with pytest.raises(RepositoryBusy) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert info.value.message == f"{what} is in progress (.git/{marker.rstrip('/')}); nothing was written"
    assert info.value.exit_code == 4
    assert snapshot(vault) == before and git(vault, "rev-parse", "HEAD") == head
    assert git(vault, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(vault, "status", "--porcelain", "--untracked-files=no") == ""


def test_refuses_before_writing_while_the_index_is_locked(vault: Path) -> None:
    v = _vault(vault)
    (vault / ".git" / "index.lock").write_text("")
    before = snapshot(vault)
    with pytest.raises(RepositoryBusy) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert "index is locked (.git/index.lock)" in info.value.message
    assert snapshot(vault) == before
    assert git(vault, "branch", "--format=%(refname:short)").split() == ["main"]


def test_the_commit_is_git_commit_itself_so_signing_settings_apply(vault: Path) -> None:
    # commit.gpgSign is honoured: with a signing program that fails, no unsigned commit slips through
    v = _vault(vault)
    git(vault, "config", "commit.gpgSign", "true")
    git(vault, "config", "gpg.program", "false")
    head = git(vault, "rev-parse", "HEAD")
    with pytest.raises(GitFailed) as info:
        land(v, _plan(vault), Message("edit a"), CommitOptions(agent="rio"), branch_hint="edit a")
    assert "gpg" in info.value.output
    assert git(vault, "rev-parse", "HEAD") == head
