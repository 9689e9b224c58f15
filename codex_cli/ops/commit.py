"""The one way a mutating command lands its plan: branch, apply, commit.

Every mutating command (new, link, rename, map, retire, check --fix when it
commits) builds a `Plan`, then calls `land`. Inside a git repository it:

0. checks what can be checked before writing: the plan still matches the
   files, git has an identity to commit with (exit 4 with the
   `git config user.name/user.email` hint otherwise: codex never commits
   under a made-up name), no file the plan touches is dirty;
1. on a protected branch (config `commit.protected_branches`), creates and
   switches to `<agent>/<slug>` (or `--branch NAME`; `--no-branch` stays);
   an agent on another agent's branch is refused (`refuse_foreign_branch`),
   unless `--base REF` made the command start from REF (`start_from_base`,
   before the vault is read, so the plan is made against REF's files): then
   the new branch is created from REF, whatever branch REF is;
2. applies the plan all-or-nothing (adapters.apply);
3. commits exactly the files the plan wrote or removed, with the subject,
   body and trailers of core.commit, running git's hooks (`--no-commit`
   stages them instead).

All of it runs under the vault lock (adapters.journal), after the checks
that can be made before writing (a merge or rebase in progress, a held
index.lock), and inside a transaction whose journal is on disk before the
first write: if anything fails or is interrupted before the commit (or
staging fails), every file is restored, the index entries reset, and a
branch it created removed, so nothing is left behind; a process killed part
way is rolled back the same way by the next command. Only a commit that git
refuses (a hook) leaves the files written and staged, and says so.
A command that switched to `--base` and does not land goes back where it
was (`return_from_base`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codex_cli.adapters import journal, lock
from codex_cli.adapters.apply import Applied, apply, failed, prepare, write
from codex_cli.adapters.git import Repository, require_identity
from codex_cli.adapters.identity import author as find_author
from codex_cli.adapters.identity import unknown_agent
from codex_cli.core import commit as commit_mod
from codex_cli.core.commit import Author
from codex_cli.core.plan import Plan
from codex_cli.errors import DirtyFile, GitFailed, OutsideVault, Refused, StageFailed, UsageError
from codex_cli.vault import Vault


@dataclass
class CommitOptions:
    commit: bool = True
    branch: str | None = None
    no_branch: bool = False
    agent: str | None = None
    force: bool = False  # commit files that already had uncommitted changes
    agent_id: str | None = None  # --agent-id (else CODEX_AGENT_ID)
    base: str | None = None  # --base REF: the command started from REF and branches from it
    return_to: str | None = None  # where start_from_base switched from (a branch, or a commit when detached)
    landed: bool = False  # the plan was applied: stay on its branch
    # called once with a warning when the agent is not under agents/ (the CLI warns, or asks at a terminal)
    on_unknown_agent: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    _agent_checked: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.branch and self.no_branch:
            raise UsageError("--branch and --no-branch cannot be used together")
        if self.base is not None and self.no_branch:
            raise UsageError("--base and --no-branch cannot be used together: --base starts a new branch from REF")


@dataclass
class Message:
    action: str
    what: str | None = None
    why: str | None = None
    connections: str | None = None
    extra: list[str] = field(default_factory=list)


@dataclass
class Landed:
    applied: Applied
    branch: str | None = None
    commit: str | None = None
    message: str | None = None
    previous_branch: str | None = None
    in_repository: bool = False


def author_for(vault: Vault, options: CommitOptions, repo: Repository | None = None) -> Author:
    repo = repo if repo is not None else Repository.find(vault.root)
    who = find_author(vault.config, options.agent, repo.user_name() if repo else None, options.agent_id)
    if options.on_unknown_agent is not None and not options._agent_checked:
        options._agent_checked = True
        warning = unknown_agent(vault.root, vault.config, who)
        if warning is not None:
            options.on_unknown_agent(warning)
    return who


def render_message(vault: Vault, options: CommitOptions, msg: Message, repo: Repository | None = None) -> str:
    """The commit message `land` would write (for --dry-run, too)."""
    who = author_for(vault, options, repo)
    return commit_mod.message(
        vault.config.commit, who, msg.action, what=msg.what, why=msg.why, connections=msg.connections, extra=msg.extra
    )


def planned_branch(vault: Vault, options: CommitOptions, description: str, repo: Repository | None = None) -> str | None:
    """The branch `land` would switch to, or None to stay where it is."""
    repo = repo if repo is not None else Repository.find(vault.root)
    if repo is None or options.no_branch:
        return None
    current = repo.branch()
    if options.branch and options.branch == current:
        return None
    refuse_foreign_branch(vault, options, current)
    if options.branch:
        return options.branch
    protected = set(vault.config.commit.get("protected_branches") or [])
    if current is not None and current not in protected and options.base is None:
        return None
    return commit_mod.branch_name(vault.config.commit, author_for(vault, options, repo), description)


def branch_owner(vault: Vault, branch: str | None) -> str | None:
    """The agent a branch belongs to: `<agent>/…` where the agent is one the vault knows (agents/ or config)."""
    if not branch or "/" not in branch:
        return None
    head = branch.split("/", 1)[0].lower()
    known = {str(k).lower() for k in vault.config.data.get("agents") or {}}
    try:
        known |= {p.name.lower() for p in (vault.root / "agents").iterdir() if p.is_dir()}
    except OSError:
        pass
    return head if head in known else None


def refuse_foreign_branch(vault: Vault, options: CommitOptions, current: str | None) -> None:
    """An agent never commits onto, or branches off, another agent's branch (`--no-branch` insists)."""
    owner = branch_owner(vault, current)
    if owner is None:
        return
    me = author_for(vault, options)
    if not me.is_agent or owner == me.handle:  # a person may work on any branch; an agent on its own
        return
    base = base_branch(vault)
    raise Refused(
        f"you are on {current}, {owner}'s branch: codex does not commit onto another agent's work",
        hint=f"pass --base {base} to start a new branch from {base} (this branch and its files stay as they are), "
        f"or git switch {base} first; --no-branch commits here anyway",
    )


def base_branch(vault: Vault) -> str:
    """The branch work starts from: the first of the configuration's base branches that
    exists (`review.base`, else main, then master), as `codex review` compares with."""
    bases = vault.config.base_branches
    repo = Repository.find(vault.root)
    return next((b for b in bases if repo is not None and repo.branch_exists(b)), bases[0])


def start_from_base(root: Path, options: CommitOptions) -> bool:
    """`--base REF`: check REF out before anything is read, so the plan is made against REF's files.

    A local branch is switched to, anything else (a tag, a commit,
    `origin/main`) checked out detached; `land` then creates the new branch
    there. Refused, with nothing changed, when REF names no commit or when
    tracked files have uncommitted changes (they would ride along onto REF).
    Returns whether it switched; `return_from_base` undoes it unless the
    command landed.
    """
    ref = options.base
    if ref is None:
        return False
    repo = Repository.find(root)
    if repo is None:
        raise UsageError("--base needs a git repository")
    target = repo.commit_of(ref)
    if target is None:
        raise UsageError(f"--base {ref}: no such branch or commit")
    current = repo.branch()
    if current == ref:
        return False
    changed = repo.changed_tracked()
    if changed:
        raise DirtyFile(changed, hint=f"--base {ref} checks {ref} out before planning: commit or stash those changes first")
    options.return_to = current or repo.head()
    repo.switch(ref, detach=not repo.branch_exists(ref))
    return True


def return_from_base(root: Path, options: CommitOptions) -> None:
    """Back to the branch `start_from_base` left, unless the command landed (then its branch is where the work is)."""
    if options.return_to is None or options.landed:
        return
    repo = Repository.find(root)
    if repo is not None:
        back = options.return_to
        repo.switch(back, detach=not repo.branch_exists(back))
    options.return_to = None


def refuse_dirty(vault: Vault, plan: Plan, repo: Repository) -> None:
    """Refuse to commit files that already hold someone's uncommitted changes.

    A commit holds whole files, so those changes would ride along in it.
    Files the plan creates are new and cannot be dirty.
    """
    from codex_cli.core.note import encode

    existing = {
        repo.rel(vault.root, c.old_path): encode(c.before) if c.before is not None else b""
        for c in plan.effective()
        if c.old_path is not None
    }
    if not existing:
        return
    dirty = repo.dirty_contents(existing)  # the bytes the plan read: no stat of a large tree
    if dirty:
        raise DirtyFile(
            sorted(dirty),
            hint="commit or stash those changes first, pass --no-commit to only stage the result, or --force to commit them too",
        )


def land(vault: Vault, plan: Plan, msg: Message, options: CommitOptions, *, branch_hint: str) -> Landed:
    with lock.locked(vault.root):
        repo = Repository.find(vault.root)
        if repo is None:
            return Landed(apply(vault.root, plan))
        return _land(vault, repo, plan, msg, options, branch_hint)


def _land(vault: Vault, repo: Repository, plan: Plan, msg: Message, options: CommitOptions, branch_hint: str) -> Landed:
    """Under the vault lock: check, record, branch, write, commit; any failure before the commit undoes it all."""
    repo.preflight()  # a merge or rebase in progress, a held index.lock: refuse before anything
    message = render_message(vault, options, msg, repo)
    if options.commit:
        require_identity(repo.top)  # never a commit under a made-up name, and nothing written first
    previous, head = repo.branch(), repo.head()
    if options.base is not None and options.return_to is None and previous != options.base:
        raise UsageError(f"--base {options.base}: the command did not start from {options.base}")  # a caller skipped start_from_base
    target = planned_branch(vault, options, branch_hint, repo)
    existing = target is not None and options.branch is not None and repo.branch_exists(options.branch)
    if existing:
        repo._run("switch", "-q", target or "")  # the plan is checked against that branch's files
    txn = journal.Transaction(vault.root)
    try:
        with txn:
            try:
                prepared = prepare(vault.root, plan)  # a file changed since planning: say so before anything else
                if options.commit and not options.force:
                    refuse_dirty(vault, plan, repo)
            except BaseException:
                if existing and previous is not None:
                    repo._run("switch", "-q", previous)
                raise
            branch = None if target is None else target if existing else repo.free_branch_name(target)
            paths = [repo.rel(vault.root, p) for p in plan.paths_touched()]
            intent = journal.GitIntent(head, previous, branch or previous, created=branch is not None and not existing, paths=paths)
            txn.begin(prepared.entries, prepared.folders, intent)
            if branch is not None:
                lock.moved_head(vault.root, branch)
            if intent.created and branch is not None:
                repo.create_branch(branch)
                journal.step()
            applied = write(vault.root, prepared)
            txn.staging()
            landed = Landed(applied, branch or previous, None, message, options.return_to or previous, True)
            try:
                if options.commit:
                    landed.commit = repo.commit(paths, message)
                else:
                    repo.stage(paths)
            except StageFailed:
                raise  # nothing is staged: the transaction rolls every file back
            except GitFailed:
                options.landed = True  # written and staged on this branch: stay on it (`--base` does not switch back)
                txn.end("the files were written and staged")  # kept on purpose: the hint says how to finish
                raise
            options.landed = True
            journal.step()
            txn.end("the change was committed" if options.commit else "the files were written and staged")
    except OSError as exc:
        raise failed(vault.root, exc, txn) from exc
    except StageFailed as exc:
        exc.hint = None
        exc.message += "; " + ("every file was restored" if txn.undo_clean else txn.undo_report or "")
        raise
    except OutsideVault as exc:  # the git adapter's check before staging: a folder became a link after the writes
        if txn.undo_report is not None:
            exc.message = exc.message.removesuffix("; nothing was written") + "; " + ("every file was restored" if txn.undo_clean else txn.undo_report)
        raise
    return landed
