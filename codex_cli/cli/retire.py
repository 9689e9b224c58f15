"""`codex retire NOTE --reason T`: parse, call ops.retire, render."""

from __future__ import annotations

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.complete import complete_note
from codex_cli.cli.options import (
    Agent,
    AgentId,
    Base,
    Branch,
    Commit,
    DryRun,
    Json,
    NoBranch,
    commit_options,
)


def register(app: typer.Typer) -> None:
    app.command("retire")(retire_command)


def retire_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note to retire: a title or a path.", autocompletion=complete_note),
    reason: str = typer.Option(None, "--reason", metavar="T", help="Why it is retired (superseded by…, invalidated by…); asked at a terminal."),
    agent: Agent = None,
    agent_id: AgentId = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation at a terminal."),
    json_output: Json = False,
) -> None:
    """Mark a note `status: retired` with the reason, and take it off the maps; links to it stay valid."""
    from codex_cli.adapters.prompts import Question, ask_missing
    from codex_cli.cli.impact import impact_lines
    from codex_cli.cli.map import render
    from codex_cli.ops.impact import impact
    from codex_cli.ops.retire import plan_retire, retire

    state = settings(ctx)
    out = state.output(json_output)
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    vault = state.vault(write=not dry_run)
    target = vault.find_note(note)
    question = Question("reason", "--reason", "Why is it retired?", instruction="(superseded by…, invalidated by…)")
    answers = ask_missing([question], {"reason": (reason or "").strip()}, can_ask=state.can_ask())
    planned = plan_retire(vault, target, str(answers["reason"]))
    found = impact(vault, target.path)  # what depends on it, shown before anything is written
    if not out.json_mode and found.dependents:
        for text in impact_lines(found):
            out.info(text)
    if not (yes or dry_run) and state.can_ask() and planned.change.plan:  # at a terminal: the change, then a question
        from codex_cli.adapters.prompts import confirm
        from codex_cli.errors import Refused

        out.line(planned.change.plan.diff().rstrip("\n"))
        if not confirm(f"Retire {target.path}?", default=True):
            raise Refused("retire declined at the prompt; nothing was written")
    planned, outcome = retire(vault, target, planned.reason, options, dry_run=dry_run, planned=planned)
    if out.json_mode:
        doc = outcome.to_json()
        doc.update({"note": target.path, "status": "retired", "reason": planned.reason, "files_changed": outcome.change.plan.paths_touched()})
        doc["impact"] = found.as_dict()
        out.data(doc)
        return
    render(out, outcome, nothing=f"{target.path} is already retired for that reason and no map lists it: nothing to change")
    if outcome.change.plan and not dry_run:
        out.info(f"retired {target.path}")
