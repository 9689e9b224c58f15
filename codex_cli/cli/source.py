"""`codex source add|start|done|null|list`: parse, call ops.source (or ops.new), render."""

from __future__ import annotations

from typing import Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.options import (
    Agent,
    AgentId,
    Base,
    Branch,
    Commit,
    Json,
    NoBranch,
    NoQuestions,
    commit_options,
)

source_app = typer.Typer(
    name="source",
    help="Archive sources and move them through unprocessed → processing → processed | null-result.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    from codex_cli.cli.new import source_command

    source_app.command("add", help="Archive a source (the same as `codex new source`); refused if already archived.")(source_command)
    app.add_typer(source_app, name="source")


def _move(ctx: typer.Context, query: str, move: str, common: dict[str, Any], notes: str | None = None) -> None:
    from codex_cli.ops.source import move as do_move

    state = settings(ctx)
    out = state.output(common["json_output"])
    options = commit_options(common["commit"], common["branch"], common["no_branch"], common["agent"], common.get("agent_id"), common.get("base"))
    moved = do_move(state.vault(write=True), query, move, options, notes=notes)
    if out.json_mode:
        out.data(moved.to_json())
        return
    out.made(moved.path, f"{moved.path}: status {moved.status}")
    out.committed(moved.commit, moved.branch, moved.previous_branch)


H_SOURCE = "The source: its path or file name (a title works too)."


# Each move: its help, and what its --notes say (null needs them; ops.source checks).
MOVE_HELP = {
    "start": ("Mark a source `processing` (you are extracting from it), on its extract/<source> branch.", "Why it stays in processing (say, paywalled)."),
    "done": ("Mark a source `processed`, with processed_by and processed_date (`codex extract` does this itself).", "Extraction notes."),
    "null": ("Mark a source `null-result`: reviewed, nothing to extract (--notes says why).", "Why nothing was extracted (required)."),
}


def _move_command(move: str) -> Any:
    doc, notes_help = MOVE_HELP[move]

    def command(
        ctx: typer.Context,
        source: str = typer.Argument(..., metavar="SOURCE", help=H_SOURCE),
        notes: str = typer.Option(None, "--notes", metavar="TEXT", help=notes_help),
        yes: NoQuestions = False,
        agent: Agent = None,
        agent_id: AgentId = None,
        commit: Commit = True,
        branch: Branch = None,
        no_branch: NoBranch = False,
        base: Base = None,
        json_output: Json = False,
    ) -> None:
        _move(ctx, source, move, locals(), notes)

    command.__doc__ = doc
    return command


for _name in MOVE_HELP:
    source_app.command(_name)(_move_command(_name))


@source_app.command("list")
def list_command(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", metavar="S", help="Only sources with this status: unprocessed | processing | processed | null-result."),
    domain: str = typer.Option(None, "--domain", metavar="D", help="Only sources of this domain."),
    json_output: Json = False,
) -> None:
    """Archived sources with their status (a legacy source without one is unprocessed), oldest first."""
    from codex_cli.ops.source import sources

    state = settings(ctx)
    out = state.output(json_output)
    vault = state.vault()
    rows = sources(vault, status=status, domain=domain)
    # older archive files have no `domain:`: --domain cannot match them, and an agent picking work should know
    unfiled = 0 if domain is None else sum(1 for r in sources(vault, status=status) if not r.domain)
    if out.json_mode:
        out.data({"sources": [r.to_json() for r in rows]} | ({"without_domain": unfiled} if domain is not None else {}))
        return
    if rows:  # the columns named, on stderr: a script reading stdout gets the rows alone
        out.info(f"{'status':<12} {'date':<10} {'domain':<18} path")
    for r in rows:
        out.line(f"{r.status:<12} {r.date or '-':<10} {r.domain or '-':<18} {r.path}")
    out.info(f"{len(rows)} source{'s' if len(rows) != 1 else ''}")
    if unfiled:
        out.info(f"{unfiled} more {'have' if unfiled != 1 else 'has'} no domain (older files) and so no --domain matches: leave --domain out to see them")
