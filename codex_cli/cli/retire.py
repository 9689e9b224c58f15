"""`codex retire NOTE --reason T`: parse, call ops.retire, render."""

from __future__ import annotations

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.complete import complete_note


def register(app: typer.Typer) -> None:
    app.command("retire")(retire_command)


def retire_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note to retire: a title or a path.", autocompletion=complete_note),
    reason: str = typer.Option(None, "--reason", metavar="T", help="Why it is retired (superseded by…, invalidated by…); asked at a terminal."),
    agent: str = typer.Option(None, "--agent", metavar="NAME", help="Act as this agent (else CODEX_AGENT or the configuration)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the change and the commit message; write nothing."),
    commit: bool = typer.Option(True, "--commit/--no-commit", help="Commit the change (default), or leave it staged."),
    branch: str = typer.Option(None, "--branch", metavar="NAME", help="Commit on this branch (created if missing)."),
    no_branch: bool = typer.Option(False, "--no-branch", help="Stay on the current branch even when it is protected."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation at a terminal."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Mark a note `status: retired` with the reason, and take it off the maps; links to it stay valid."""
    from codex_cli.adapters.prompts import Question, ask_missing
    from codex_cli.cli.map import render
    from codex_cli.ops.commit import CommitOptions
    from codex_cli.ops.retire import retire

    state = settings(ctx)
    out = state.output(json_output)
    vault = state.vault()
    options = CommitOptions(commit=commit, branch=branch, no_branch=no_branch, agent=agent)
    target = vault.find_note(note)
    question = Question("reason", "--reason", "Why is it retired?", instruction="(superseded by…, invalidated by…)")
    answers = ask_missing([question], {"reason": (reason or "").strip()}, can_ask=state.can_ask())
    if not (yes or dry_run) and state.can_ask():  # at a terminal: the change first, then a question
        from codex_cli.adapters.prompts import confirm
        from codex_cli.errors import Refused

        _, preview = retire(vault, target, str(answers["reason"]), options, dry_run=True)
        if preview.change.plan:
            out.line(preview.diff.rstrip("\n"))
            if not confirm(f"Retire {target.path}?", default=True):
                raise Refused("retire declined at the prompt; nothing was written")
    planned, outcome = retire(vault, target, str(answers["reason"]), options, dry_run=dry_run)
    if out.json_mode:
        doc = outcome.to_json()
        doc.update({"note": target.path, "status": "retired", "reason": planned.reason, "files_changed": outcome.change.plan.paths_touched()})
        out.data(doc)
        return
    render(out, outcome, nothing=f"{target.path} is already retired for that reason and no map lists it: nothing to change")
    if outcome.change.plan and not dry_run:
        out.info(f"retired {target.path}")
