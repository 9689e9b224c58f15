"""The one way a mutating command lands its plan: branch, apply, commit.

Every mutating command (new, link, rename, map, retire, check --fix when it
commits) builds a `Plan`, then calls `land`. Inside a git repository it:

0. checks what can be checked before writing: the plan still matches the
   files, git has an identity to commit with (exit 4 with the
   `git config user.name/user.email` hint otherwise: codex never commits
   under a made-up name), no file the plan touches is dirty;
1. on a protected branch (config `commit.protected_branches`), creates and
   switches to `<agent>/<slug>` (or `--branch NAME`; `--no-branch` stays);
2. applies the plan all-or-nothing (adapters.apply);
3. commits exactly the files the plan wrote or removed, with the subject,
   body and trailers of core.commit, running git's hooks (`--no-commit`
   stages them instead).

If applying fails, a branch it created is removed again and the previous
branch checked out, so nothing is left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from codex_cli.adapters.apply import Applied, apply, verify
from codex_cli.adapters.git import Repository, require_identity
from codex_cli.adapters.identity import author as find_author
from codex_cli.adapters.identity import unknown_agent
from codex_cli.core import commit as commit_mod
from codex_cli.core.commit import Author
from codex_cli.core.plan import Plan
from codex_cli.errors import DirtyFile, GitFailed, Refused, UsageError
from codex_cli.vault import Vault


@dataclass
class CommitOptions:
    commit: bool = True
    branch: str | None = None
    no_branch: bool = False
    agent: str | None = None
    force: bool = False  # commit files that already had uncommitted changes
    agent_id: str | None = None  # --agent-id (else CODEX_AGENT_ID)
    # called once with a warning when the agent is not under agents/ (the CLI warns, or asks at a terminal)
    on_unknown_agent: Callable[[str], None] | None = field(default=None, repr=False, compare=False)
    _agent_checked: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.branch and self.no_branch:
            raise UsageError("--branch and --no-branch cannot be used together")


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
    if current is not None and current not in protected:
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
    base = (vault.config.commit.get("protected_branches") or ["main"])[0]
    raise Refused(
        f"you are on {current}, {owner}'s branch: codex does not commit onto another agent's work",
        hint=f"git switch {base} first (or your own branch), then run the command again; --no-branch commits here anyway",
    )


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
    repo = Repository.find(vault.root)
    if repo is None:
        return Landed(apply(vault.root, plan))
    message = render_message(vault, options, msg, repo)
    verify(vault.root, plan)  # a file changed since planning: say so before anything else
    if options.commit:
        require_identity(repo.top)  # never a commit under a made-up name, and nothing written first
    if options.commit and not options.force:
        refuse_dirty(vault, plan, repo)
    previous = repo.branch()
    target = planned_branch(vault, options, branch_hint, repo)
    created: str | None = None
    if target is not None:
        if options.branch and repo.branch_exists(options.branch):
            repo._run("switch", options.branch)
        else:
            created = repo.switch_new_branch(target)
    try:
        applied = apply(vault.root, plan)
    except BaseException:
        if created is not None and previous is not None:
            try:
                repo._run("switch", previous)
                repo._run("branch", "-D", created)
            except GitFailed:
                pass
        raise
    paths = [repo.rel(vault.root, p) for p in (*applied.written, *applied.removed)]
    landed = Landed(applied, repo.branch(), None, message, previous, True)
    if options.commit:
        landed.commit = repo.commit(paths, message)
    else:
        repo.stage(paths)
    return landed
