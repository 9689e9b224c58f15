"""`codex init [DIR] [--example]`."""

from __future__ import annotations

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.options import NoQuestions


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)


def init_command(
    ctx: typer.Context,
    directory: str = typer.Argument(".", metavar="DIR", help="Folder for the new knowledge base (created if missing)."),
    example: bool = typer.Option(False, "--example", help="Add a few linked example claims."),
    domain: str = typer.Option("knowledge", "--domain", metavar="NAME", help="Name of the first domain (folder domains/NAME)."),
    commit: bool = typer.Option(True, "--commit/--no-commit", help="Commit the new files (default), or leave them staged."),
    yes: NoQuestions = False,
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create a knowledge base: schemas, a domain with its map, .codex.yaml, a git repository."""
    from pathlib import Path

    from codex_cli.ops.init import run_init

    state = settings(ctx)
    out = state.output(json_output)
    result = run_init(Path(directory).absolute(), domain=domain, example=example, commit=commit)
    if out.json_mode:
        out.data(
            {
                "root": result.root,
                "files": result.files,
                "commit": result.commit,
                "branch": result.branch,
                "new_repository": result.new_repository,
            }
        )
        return
    out.info(f"created a knowledge base in {result.root} ({len(result.files)} files)")
    for f in result.files:
        out.info(f"  {f}")
    if result.commit:
        out.info(f"committed {result.commit[:10]} on {result.branch}")
    out.info(f"next: {next_steps(directory, result.root, state.directory, example)}")


def next_steps(directory: str, root: str, started_in: str | None, example: bool) -> str:
    """What to run next, from where the user is: in the new vault, `cd DIR` first, or after -C, `codex -C ROOT`."""
    import os
    import shlex

    commands = ["check"] if example else ["check", "new claim"]
    if started_in is not None:
        return ", or ".join(f"codex -C {shlex.quote(root)} {c}" for c in commands)
    steps = ", or ".join(f"codex {c}" for c in commands)
    if os.path.realpath(root) == os.path.realpath(os.getcwd()):
        return steps
    return f"cd {shlex.quote(directory)}, then {steps}"
