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
Why = Annotated[Text, typer.Option("--why", metavar="TEXT", help="The `- Why:` line of the commit message.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the change and the commit message; write nothing.")]
Commit = Annotated[bool, typer.Option("--commit/--no-commit", help="Commit the change (default), or leave it staged.")]
Branch = Annotated[Text, typer.Option("--branch", metavar="NAME", help="Commit on this branch (created if missing).")]
NoBranch = Annotated[bool, typer.Option("--no-branch", help="Stay on the current branch even when it is protected.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def commit_options(commit: bool, branch: str | None, no_branch: bool, agent: str | None) -> Any:
    """The `ops.commit.CommitOptions` those flags make."""
    from codex_cli.ops.commit import CommitOptions

    return CommitOptions(commit=commit, branch=branch, no_branch=no_branch, agent=agent)
