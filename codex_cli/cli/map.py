"""`codex map add|remove|check|sync`: parse, call ops.maps, render."""

from __future__ import annotations

from typing import Any

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
    NoQuestions,
    Why,
    commit_options,
)
from codex_cli.cli.output import counted, finding_lines

map_app = typer.Typer(
    name="map",
    help="Keep the topic maps true: list and unlist notes, check entries, sync maps with the claims.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(map_app, name="map")


H_MAP = "The map: a path, or a domain name for its map (default: the note's domain map)."


def render(out: Any, outcome: Any, *, nothing: str = "the maps are up to date: nothing to change") -> None:
    """Print a MapOutcome: JSON, a dry-run preview, or what was done."""
    change = outcome.change
    if out.json_mode:
        out.data(outcome.to_json())
        return
    if outcome.dry_run:
        if outcome.diff:
            out.line(outcome.diff.rstrip("\n"))
        if outcome.message:
            out.line("")
            out.line(f"# would commit on {outcome.branch or '(current branch)'}:")
            out.line(outcome.message.rstrip("\n"))
    for c in change.added:
        where = f" under “{c.section}”" if c.section else ""
        out.info(f"{'would list' if outcome.dry_run else 'listed'} [[{c.title}]] in {c.map}{where}")
    for c in change.removed:
        out.info(f"{'would remove' if outcome.dry_run else 'removed'} {c.map}:{c.line}: [[{c.title}]]")
    for c in change.dead:
        out.warn(f"{c.map}:{c.line}: [[{c.title}]] lists no note (pass --prune to remove it)")
    for path, why in change.skipped:
        out.warn(f"not listed: {path}: {why}")
    if not change.plan:
        out.info(nothing)
    elif outcome.commit:
        out.committed(outcome.commit, outcome.branch, outcome.previous_branch)
    elif outcome.in_repository and not outcome.dry_run:
        out.info("staged, not committed (--no-commit)")


@map_app.command("add")
def add_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note to list: a title or a path.", autocompletion=complete_note),
    map_path: str = typer.Option(None, "--map", metavar="PATH", help=H_MAP),
    section: str = typer.Option(None, "--section", metavar="H", help="Section heading (created when missing; default: the one whose entries are most similar)."),
    text: str = typer.Option(None, "--text", metavar="T", help="The entry's one line (default: the note's description)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Take the best section without asking (what happens with no terminal)."),
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    json_output: Json = False,
) -> None:
    """List a note in a map: one new line `- [[title]] — text`."""
    from codex_cli.ops.maps import land_change, plan_add, resolve_map_option

    state = settings(ctx)
    out = state.output(json_output)
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    vault = state.vault(write=not dry_run)
    target = vault.find_note(note)
    where = resolve_map_option(vault, map_path) if map_path else None
    if section is None and state.can_ask() and not yes:
        section = _ask_section(vault, target, where)
    change = plan_add(vault, target, map_path=where, section=section, text=text)
    render(out, land_change(vault, change, options, why=why, dry_run=dry_run))


def _ask_section(vault: Any, note: Any, map_path: str | None) -> str | None:
    """At a terminal: the top 3 sections with reasons, and "new section…" (ops.new.choose_section)."""
    from codex_cli.ops.maps import domain_map, parsed, section_choices
    from codex_cli.ops.new import choose_section

    map_path = map_path or domain_map(vault, note)
    if map_path is None or map_path not in vault.notes:
        return None
    m = parsed(vault, map_path)[1]
    if not m.headed:
        return None
    return choose_section(map_path, section_choices(vault, m, map_path, note.title, note.description, exclude=note.path), can_ask=True)


@map_app.command("remove")
def remove_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note to unlist: a title or a path.", autocompletion=complete_note),
    map_path: str = typer.Option(None, "--map", metavar="PATH", help="Only this map (default: every map that lists the note)."),
    yes: NoQuestions = False,
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    json_output: Json = False,
) -> None:
    """Remove a note's entry line from the maps (exit 3 when no map lists it)."""
    from codex_cli.ops.maps import land_change, plan_remove, resolve_map_option

    state = settings(ctx)
    out = state.output(json_output)
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    vault = state.vault(write=not dry_run)
    target = vault.find_note(note)
    where = resolve_map_option(vault, map_path) if map_path else None
    change = plan_remove(vault, target, map_path=where)
    render(out, land_change(vault, change, options, why=why, dry_run=dry_run))


@map_app.command("check")
def check_command(
    ctx: typer.Context,
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Report map entries that resolve to nothing, duplicates, entries with no text and unlisted claims; exit 1 on errors."""
    from codex_cli.ops.maps import check_maps

    state = settings(ctx)
    out = state.output(json_output)
    vault = state.vault()
    report = check_maps(vault, progress=out.progress("reading notes"))
    failed = report.errors > 0 or (strict and report.warnings > 0)
    if out.json_mode:
        out.data(report.to_json())
        raise typer.Exit(1 if failed else 0)
    lines = finding_lines(out, report.findings)
    lines.append(f"{len(report.maps)} maps, {report.entries} entries: {counted(report.errors, 'error')}, {counted(report.warnings, 'warning')}")
    out.lines(lines)
    raise typer.Exit(1 if failed else 0)


@map_app.command("sync")
def sync_command(
    ctx: typer.Context,
    prune: bool = typer.Option(False, "--prune", help="Remove entries that resolve to no note (without it, they are listed)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking (needed when there is no terminal)."),
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    json_output: Json = False,
) -> None:
    """List every unlisted claim in its domain map (most similar section); --prune drops dead entries."""
    from codex_cli.errors import MissingInput
    from codex_cli.ops.maps import land_change, plan_sync

    state = settings(ctx)
    out = state.output(json_output)
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    vault = state.vault(write=not dry_run)
    change = plan_sync(vault, prune=prune, progress=out.progress("reading notes"))
    if dry_run or not change.plan:
        render(out, land_change(vault, change, options, why=why, dry_run=dry_run))
        return
    if not yes:
        if not state.can_ask():
            raise MissingInput(["--yes"], why="map sync writes files and there is no terminal to confirm; --dry-run previews")
        from codex_cli.adapters.prompts import confirm

        out.line(change.plan.diff().rstrip("\n"))
        summary = f"{len(change.added)} to add, {len(change.removed)} to remove, in {len(change.plan.paths_touched())} files"
        if not confirm(f"Apply these map changes ({summary})?", default=True):
            from codex_cli.errors import Refused

            raise Refused("map sync declined at the prompt; nothing was written")
    render(out, land_change(vault, change, options, why=why))
