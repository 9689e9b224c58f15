"""`codex rename NOTE [NEW_TITLE] [--move-to FOLDER] [--dry-run] [--yes] [--commit | --no-commit]`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.complete import complete_note
from codex_cli.cli.options import AgentId, Base, commit_options

if TYPE_CHECKING:
    from codex_cli.cli.output import Output
    from codex_cli.ops.rename import Prepared

SHOWN_FILES = 15


def register(app: typer.Typer) -> None:
    app.command("rename")(rename_command)


def rename_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note: its title (any case) or its path.", autocompletion=complete_note),
    new_title: str = typer.Argument(None, metavar="NEW_TITLE", help="The new title (the file name; the H1 keeps characters a file name cannot). Asked for at a terminal when missing."),
    move_to: str = typer.Option(None, "--move-to", metavar="FOLDER", help="Move the note to FOLDER too (vault-relative); its domain and map entry follow."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the whole change as a diff; write nothing."),
    yes: bool = typer.Option(False, "-y", "--yes", help="Do it without asking (needed with no terminal)."),
    force: bool = typer.Option(False, "--force", help="Commit even files that already had uncommitted changes (they go into the commit too)."),
    commit: bool = typer.Option(True, "--commit/--no-commit", help="Commit the rename (default), or leave it staged."),
    branch: str = typer.Option(None, "--branch", metavar="NAME", help="Commit on branch NAME (default: a new <agent>/rename-... branch when on main)."),
    no_branch: bool = typer.Option(False, "--no-branch", help="Commit on the current branch, even a protected one."),
    base: Base = None,
    agent: str = typer.Option(None, "--agent", metavar="NAME", help="The agent the commit is for (default: CODEX_AGENT or the configuration)."),
    agent_id: AgentId = None,
    why: str = typer.Option(None, "--why", metavar="TEXT", help="Why the note is renamed (the commit's `- Why:` line)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
) -> None:
    """Rename a note and rewrite every link and frontmatter reference to it, in one commit."""
    from codex_cli.errors import MissingInput
    from codex_cli.ops.impact import impact
    from codex_cli.ops.rename import RenameRequest, rename

    state = settings(ctx)
    out = state.output(json_output)
    can_ask = state.can_ask()
    if new_title is None and move_to is None:
        new_title = _ask_title(can_ask)
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)
    request = RenameRequest(note, new_title, move_to, force, why)

    vault = state.vault(write=not dry_run)
    found: dict[str, Any] = {}

    def confirm(prepared: Prepared) -> bool:
        if out.json_mode:  # what depends on the note, before it moves
            found["impact"] = impact(vault, prepared.target.old_path).as_dict()
        if yes:
            return True
        if not can_ask:  # asked after planning: a note that is not there, or a bad title, is said first
            s = prepared.renamed.summary()
            raise MissingInput(["--yes"], why=f"no terminal to confirm renaming {s['from']} ({_counts(s)}); --dry-run shows it first")
        return _confirm(out, prepared, vault)

    result = rename(vault, request, options, dry_run=dry_run, confirm=confirm)
    for text in result.notes:
        out.warn(text)
    if out.json_mode:
        doc = result.to_json()
        doc["impact"] = found.get("impact") or impact(vault, result.old_path).as_dict()
        out.data(doc)
        return
    s = result.summary
    counts = _counts(s)
    if result.dry_run:
        out.line(result.diff.rstrip("\n") if result.diff else "")
        out.info(f"would rename {result.old_path} -> {result.new_path}: {counts}" + _extras(s))
        if result.branch:
            out.info(f"would commit on a new branch {result.branch}")
        out.info("nothing was written (--dry-run)")
        return
    out.info(f"renamed {result.old_path} -> {result.new_path}: {counts}" + _extras(s))
    if result.commit:
        out.committed(result.commit, result.branch, result.previous_branch)
    elif result.staged:
        out.info("staged, not committed (--no-commit)")


def _counts(s: dict[str, Any]) -> str:
    return f"{s['links']} link{'s' if s['links'] != 1 else ''} in {s['linking_files']} file{'s' if s['linking_files'] != 1 else ''}"


def _extras(s: dict[str, Any]) -> str:
    parts = []
    if s["h1"]:
        parts.append("H1 updated")
    if s["domain"]:
        parts.append("domain updated")
    if s["map"]:
        parts.append(f"map entry moved to {s['map'][1]}")
    return "; " + ", ".join(parts) if parts else ""


def _ask_title(can_ask: bool) -> str:
    from codex_cli.adapters.prompts import Question, ask_missing
    from codex_cli.ops.rename import check_title

    def validate(value: Any) -> str:
        check_title(str(value))
        return str(value)

    question = Question("new_title", "NEW_TITLE", "New title:", validate=validate)
    answers = ask_missing([question], {}, can_ask=can_ask)
    return str(answers["new_title"])


def _confirm(out: Output, prepared: Prepared, vault: Any) -> bool:
    from codex_cli.adapters.prompts import confirm
    from codex_cli.cli.impact import cascade_lines
    from codex_cli.ops.impact import impact

    renamed = prepared.renamed
    s = renamed.summary()
    out.info(f"rename {s['from']}")
    out.info(f"    -> {s['to']}")
    out.info(f"rewrites {_counts(s)}" + _extras(s))
    files = renamed.files_changed
    for path in files[:SHOWN_FILES]:
        out.info(f"  {path}")
    if len(files) > SHOWN_FILES:
        out.info(f"  … and {len(files) - SHOWN_FILES} more (--dry-run shows the whole diff)")
    # the links are rewritten; what the beliefs and positions built on the note say may need a look
    for text in cascade_lines(impact(vault, prepared.target.old_path)):
        out.info(text)
    return confirm("Rename?", default=True)
