"""The options every mutating command shares, declared once.

Each is an `Annotated` type for a command's signature (`agent: Agent = None`):
typer reads the option from it, so the flag, its metavar and its help are
written here only. A command whose option means something more (rename's
`--branch` default, the agent a musing belongs to) declares its own.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

# typer reads these annotations at run time: Optional[str], not `str | None` strings
Text = Optional[str]  # noqa: UP045

Agent = Annotated[
    Text,
    typer.Option(
        "--agent",
        metavar="NAME",
        help="Act as this agent (else CODEX_AGENT, the vault or user configuration; else git's user.name as contributor).",
    ),
]
AgentId = Annotated[
    Text,
    typer.Option(
        "--agent-id",
        metavar="UUID",
        help="The agent's UUID for the Pentagon-Agent trailer (else CODEX_AGENT_ID, the configuration; else HEADLESS).",
    ),
]
Why = Annotated[Text, typer.Option("--why", metavar="TEXT", help="The `- Why:` line of the commit message.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the change and the commit message; write nothing.")]
Commit = Annotated[bool, typer.Option("--commit/--no-commit", help="Commit the change (default), or leave it staged.")]
Branch = Annotated[Text, typer.Option("--branch", metavar="NAME", help="Commit on this branch (created if missing).")]
NoBranch = Annotated[bool, typer.Option("--no-branch", help="Stay on the current branch even when it is protected.")]
Base = Annotated[
    Text,
    typer.Option(
        "--base",
        metavar="REF",
        help="Start from REF (checked out before anything is read) and commit on a new branch from it; "
        "the way off another agent's branch (config review.base names the usual one, default main).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
# For a command that asks nothing: a script (an agent) may pass --yes to every writing command
NoQuestions = Annotated[bool, typer.Option("--yes", "-y", help="Accepted for scripts that pass it to every writing command; this one asks nothing.")]


def commit_options(
    commit: bool, branch: str | None, no_branch: bool, agent: str | None, agent_id: str | None = None, base: str | None = None
) -> Any:
    """The `ops.commit.CommitOptions` those flags make.

    An agent the vault does not know (not under agents/) is a warning when
    headless, and a question at a terminal (answering no exits 3).
    `--base REF` checks REF out here, under the vault lock and before the
    command reads the vault (ops.commit.start_from_base), and back again
    when the command ends without landing (ops.commit.return_from_base):
    call this before `state.vault()`.
    """
    from typer._click.globals import get_current_context

    from codex_cli.cli.app_state import settings
    from codex_cli.core.commit import agent_name_problem, uuid_problem
    from codex_cli.errors import UsageError
    from codex_cli.ops.commit import CommitOptions

    if agent is not None and (why := agent_name_problem(agent)) is not None:
        raise UsageError(f"--agent {agent!r} {why}")
    if agent_id is not None and (why := uuid_problem(agent_id)) is not None:
        raise UsageError(f"--agent-id {agent_id!r} {why}")
    ctx = get_current_context(silent=True)
    state = settings(ctx) if ctx is not None else None  # type: ignore[arg-type]  # a typer.Context at run time

    def on_unknown_agent(warning: str) -> None:
        if state is None:
            return
        if state.can_ask():
            from codex_cli.adapters.prompts import confirm
            from codex_cli.errors import Refused

            if not confirm(f"{warning}. Commit as this agent anyway?", default=False):
                raise Refused(f"{warning}; nothing was written", hint="pass --agent with one of the vault's agents")
        else:
            state.output().warn(warning)

    options = CommitOptions(
        commit=commit, branch=branch, no_branch=no_branch, agent=agent, agent_id=agent_id, base=base, on_unknown_agent=on_unknown_agent
    )
    if base is not None:
        from pathlib import Path

        from codex_cli.ops.commit import start_from_base

        where = Path(state.directory) if state is not None and state.directory else Path.cwd()
        if state is not None:
            state.vault(write=True, hold=True)  # the vault lock from here on, and a change a killed command left rolled back first
        if start_from_base(where, options):
            if state is not None:
                state._vault = None  # read again, from REF (the lock stays held)
            if ctx is not None:
                ctx.call_on_close(lambda: _back(where, options, state))
    return options


def _back(where: Any, options: Any, state: Any) -> None:
    """After the command: back from `--base` unless it landed; a failure to get back is a warning, not a new error."""
    from codex_cli.errors import GitFailed
    from codex_cli.ops.commit import return_from_base

    back = options.return_to
    try:
        return_from_base(where, options)
    except GitFailed as exc:
        if state is not None:
            state.output().warn(f"could not switch back to {back}: {exc}; run git switch {back}")
    return options
