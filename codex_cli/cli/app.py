"""The `codex` command: global options, command registration, error mapping.

Command modules only parse, call one library function, and render. Errors
become exit codes here and nowhere else (docs/exit-codes.md). Heavy
libraries are imported inside the commands that need them, so `codex
--help` stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from codex_cli import __version__
from codex_cli.cli.app_state import Settings
from codex_cli.cli.output import Output

# Each module has `register(app)`; the order here is the order in `--help`.
COMMAND_MODULES = ["init", "new", "link", "rename", "map", "retire", "check"]

app = typer.Typer(
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
    directory: str = typer.Option(None, "-C", "--directory", help="Run as if started in DIR (the vault is found from there).", metavar="DIR"),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON document on stdout (messages go to stderr)."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt: a missing value is an error naming its flag."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only data and errors."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    ctx.obj = Settings(directory=directory, json=json_output, no_input=no_input, debug=debug, quiet=quiet)


for _name in COMMAND_MODULES:
    importlib.import_module(f"codex_cli.cli.{_name}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every error to its exit code."""
    from codex_cli.errors import CodexError, ExitCode

    command = typer.main.get_command(app)
    args = hoist_global_flags(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args or os.environ.get("CODEX_DEBUG", "") not in ("", "0")
    out = Output(quiet="--quiet" in args or "-q" in args)
    code: int
    try:
        result = command.main(args=args, prog_name="codex", standalone_mode=False)
        code = int(result) if isinstance(result, int) else 0
    except CodexError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        out.error(exc.message)
        output = getattr(exc, "output", "")
        if output:
            sys.stderr.write(output.rstrip() + "\n")
        if exc.hint:
            sys.stderr.write(f"hint: {exc.hint}\n")
        code = int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        code = int(ExitCode.INTERRUPTED)
    except Exception as exc:  # click's own errors, then anything unexpected
        code = _click_error(exc, debug, out)
    sys.stdout.flush()
    return code


GLOBAL_FLAGS = frozenset({"--json", "--no-input", "--quiet", "-q", "--debug"})


def hoist_global_flags(args: list[str]) -> list[str]:
    """Accept the global flags after the command too (`codex check --quiet`)."""
    end = args.index("--") if "--" in args else len(args)
    front = [a for a in args[:end] if a in GLOBAL_FLAGS]
    if not front:
        return args
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return front + rest + args[end:]


def _click_error(exc: Exception, debug: bool, out: Output) -> int:
    from typer._click import exceptions as click_exc

    from codex_cli.errors import ExitCode

    if isinstance(exc, typer.Exit):
        return int(exc.exit_code or 0)
    if isinstance(exc, typer.Abort):
        sys.stderr.write("\ninterrupted\n")
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, click_exc.ClickException):
        exc.show()
        return int(ExitCode.USAGE)
    if isinstance(exc, BrokenPipeError):
        return 0
    if debug:
        import traceback

        traceback.print_exc()
    out.error(f"unexpected {type(exc).__name__}: {exc}".rstrip(": "))
    sys.stderr.write("hint: rerun with --debug to see the traceback, and report it\n")
    return int(ExitCode.INTERNAL)


def run() -> None:
    sys.exit(main())
