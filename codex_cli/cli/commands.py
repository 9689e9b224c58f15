"""The `codex` Typer application: global options and command registration.

Kept apart from the entry point (cli.app) so that the entry point can start
slow work before this module imports typer (cli.early).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

from codex_cli import __version__
from codex_cli.cli.app_state import Settings, start_in

# Each module has `register(app)`.
COMMAND_MODULES = ["init", "new", "source", "extract", "link", "rename", "map", "retire", "impact", "check", "review"]
# The order of `codex --help`: the work's own order, from a new vault to review.
HELP_ORDER = ["init", "new", "source", "extract", "enrich", "link", "rename", "map", "retire", "impact", "check", "review"]


class _InWorkOrder(TyperGroup):
    """Commands listed in HELP_ORDER (typer lists single commands first, then the groups: new came tenth)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        rank = {name: n for n, name in enumerate(HELP_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))


app = typer.Typer(
    cls=_InWorkOrder,
    name="codex",
    help="Write and keep a claim-based knowledge base: new claims, links, renames, maps and checks.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"codex {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    directory: str = typer.Option(None, "-C", "--directory", help="Run as if started in DIR: the vault is found from there, and relative paths (arguments and options) are read from there.", metavar="DIR"),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON document on stdout (messages go to stderr)."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt: a missing value is an error naming its flag."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only data and errors."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    ctx.obj = Settings(directory=start_in(directory), json=json_output, no_input=no_input, debug=debug, quiet=quiet)
    ctx.call_on_close(ctx.obj.close)  # the vault lock a writing command holds


class _PlainUsage(TyperCommand):
    """Usage as click writes it, `codex rename [OPTIONS] NOTE [NEW_TITLE]`: typer wraps a
    required argument in braces (`{NOTE}`), which reads as a set of choices."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]

    def invoke(self, ctx: click.Context) -> Any:
        """A missing input's hint names this command's help (`codex new claim -h`), not `--help` of nothing in particular."""
        from codex_cli.errors import HELP_HINT, MissingInput

        try:
            return super().invoke(ctx)
        except MissingInput as exc:
            if exc.hint == HELP_HINT:
                exc.hint = f"`{ctx.command_path} -h` says what each one takes"
            raise


# The one line each command has in its group's list (click cut the docstrings' first
# sentences at the screen's width: "Create a knowledge base: schemas, a domain with its map,...").
SHORT_HELP = {
    "init": "Start a new knowledge base.",
    "new": "Write a new note from its template.",
    "source": "Archive sources and track their processing.",
    "extract": "Turn a source into claims, entities and enrichments.",
    "enrich": "Add a source's evidence to an existing claim.",
    "link": "Suggest, add or repair a note's links.",
    "rename": "Rename a note and every reference to it.",
    "map": "Keep the topic maps true.",
    "retire": "Retire a claim and take it off the maps.",
    "impact": "List what depends on a note.",
    "check": "Check links, frontmatter, file names and maps.",
    "review": "Run the review checklist on a branch.",
    "new source": "A source in inbox/archive/, status unprocessed.",
    "new belief": "A belief in agents/<agent>/beliefs/, on 3+ claims.",
    "map remove": "Remove a note's entries from the maps.",
    "map check": "Report dead, duplicate and empty entries.",
    "map sync": "List unlisted claims in their domain maps.",
    "source start": "Mark a source processing.",
    "source done": "Mark a source processed.",
    "source null": "Mark a source null-result (nothing to extract).",
    "source list": "List the archived sources and their status.",
    "source add": "Archive a source (as codex new source).",
}


def _finish_commands(typer_app: typer.Typer, prefix: str = "") -> None:
    """Every command of the app and its groups: built as _PlainUsage (unless it names its
    own class), and listed with its SHORT_HELP line."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = _PlainUsage
        info.short_help = SHORT_HELP.get(f"{prefix}{info.name}", info.short_help)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            group.short_help = SHORT_HELP.get(f"{prefix}{group.name}", group.short_help)
            _finish_commands(group.typer_instance, f"{prefix}{group.name} ")


for _name in COMMAND_MODULES:
    importlib.import_module(f"codex_cli.cli.{_name}").register(app)
_finish_commands(app)
