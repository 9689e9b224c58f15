"""The `codex` entry point: run the CLI and map every error to its exit code.

Command modules only parse, call one library function, and render. Errors
become exit codes here and nowhere else (docs/exit-codes.md). The Typer
application (global options, command registration) is in cli.commands;
this module imports it only once cli.early has started what can run while
Python imports the rest. Heavy libraries are imported inside the commands
that need them, so `codex --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from codex_cli.cli.output import Output


class Terminated(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP: a change in progress is rolled back (adapters.journal) as it unwinds."""


_signalled: list[str] = []  # the signals that came during this command


def _on_signal(number: int, frame: object) -> None:
    import signal

    name = signal.Signals(number).name
    _signalled.append(name)
    raise Terminated(name)


def _catch_signals() -> list[tuple[int, Any]]:
    """SIGINT, SIGTERM and SIGHUP raise Terminated, and are remembered; the handlers they replace.

    Remembered, because typer turns a KeyboardInterrupt into a silent exit
    130 before it reaches this module.
    """
    import signal

    old: list[tuple[int, Any]] = []
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            old.append((number, signal.signal(number, _on_signal)))
        except (ValueError, OSError):  # not the main thread
            pass
    return old


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every error to its exit code."""
    import signal

    from codex_cli.cli import streams

    closed = streams.prepare()
    if closed is not None:
        sys.stderr.write(f"codex: error: {closed}\n")
        return 74

    _signalled.clear()
    replaced = _catch_signals()
    journal = sys.modules.get("codex_cli.adapters.journal")
    if journal is not None:
        journal.forget()  # what an earlier command in this process did
    try:
        args = hoist_global_flags(list(sys.argv[1:] if argv is None else argv))
        from codex_cli.cli import early

        early.start(args)
        try:
            here: str | None = os.getcwd()
        except OSError:
            here = None
        try:
            return _main(args)
        finally:
            early.stop()
            if here is not None:  # -C DIR moved the process (cli.app_state.start_in): back, for in-process callers
                os.chdir(here)
    except KeyboardInterrupt as exc:  # before the command started (imports), or while it ended
        return interrupted(exc)
    finally:
        for number, handler in replaced:
            signal.signal(number, handler)


def interrupted(exc: BaseException | None = None) -> int:
    """One line saying what Ctrl-C (or SIGTERM, SIGHUP) left: rolled back, written, or nothing."""
    from codex_cli.errors import ExitCode

    journal = sys.modules.get("codex_cli.adapters.journal")  # not imported: nothing was written
    state = journal.outcome() if journal is not None else "nothing was written"
    name = _signalled[0] if _signalled else "SIGINT"
    why = f" ({name})" if name != "SIGINT" else ""
    try:
        fresh = "\n" if sys.stderr.isatty() else ""  # after the terminal's ^C
        sys.stderr.write(f"{fresh}codex: interrupted{why}: {state}\n")
    except (OSError, ValueError):
        pass
    return int(ExitCode.INTERRUPTED)


def _main(args: list[str]) -> int:
    import typer

    from codex_cli.cli import output as output_module
    from codex_cli.cli.commands import app
    from codex_cli.cli.output import Output
    from codex_cli.errors import CodexError, ExitCode, Interrupted

    output_module.DATA_WRITTEN = False  # one run, one document (the tests run many in one process)
    command = typer.main.get_command(app)
    debug = "--debug" in args or os.environ.get("CODEX_DEBUG", "") not in ("", "0")
    out = Output(quiet="--quiet" in args or "-q" in args)
    code: int
    try:
        result = command.main(args=args, prog_name="codex", standalone_mode=False)
        code = int(result) if isinstance(result, int) else 0
        if _signalled or code == ExitCode.INTERRUPTED:
            code = interrupted()  # typer made the interrupt (a signal, or Ctrl-C at a prompt) a silent exit 130
    except Interrupted:
        code = interrupted()
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
        if "--json" in args and code != ExitCode.INTERRUPTED:
            out.error_document(code, _kind(exc), exc.message, exc.hint, getattr(exc, "flags", None))
    except KeyboardInterrupt as exc:
        code = interrupted(exc)
    except SystemExit as exc:  # click ends with exit 1 when the output pipe closes: the output failure decides
        from codex_cli.cli import streams

        cause = exc.__context__
        failed = streams.failure(cause) if isinstance(cause, OSError) else None
        if failed is None:
            raise
        code = failed
    except Exception as exc:  # click's own errors, then anything unexpected
        code = _click_error(exc, debug, out, "--json" in args)
    from codex_cli.cli import streams

    return streams.flush(code)


GLOBAL_FLAGS = frozenset({"--json", "--no-input", "--quiet", "-q", "--debug"})


def hoist_global_flags(args: list[str]) -> list[str]:
    """Accept the global flags after the command too (`codex check --quiet`)."""
    end = args.index("--") if "--" in args else len(args)
    front = [a for a in args[:end] if a in GLOBAL_FLAGS]
    if not front:
        return args
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return front + rest + args[end:]


def _kind(exc: BaseException) -> str:
    """An error's kind for a program: its class name in snake case (`missing_input`, `refused`)."""
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def _click_error(exc: Exception, debug: bool, out: Output, as_json: bool = False) -> int:
    import typer
    from typer._click import exceptions as click_exc

    from codex_cli.errors import ExitCode

    if isinstance(exc, typer.Exit):
        return int(exc.exit_code or 0)
    if isinstance(exc, typer.Abort):
        return interrupted(exc)
    if isinstance(exc, click_exc.UsageError) and not isinstance(exc, click_exc.NoArgsIsHelpError):
        message = usage_message(exc.format_message())
        out.error(message)  # one line, as every error (docs/exit-codes.md)
        hint = None
        if exc.ctx is not None:
            usage = exc.ctx.get_usage().removeprefix("Usage: ")
            hint = f"usage: {usage} (`{exc.ctx.command_path} -h` for help)"
            sys.stderr.write(f"hint: {hint}\n")
        if as_json:
            out.error_document(int(ExitCode.USAGE), "usage_error", message, hint)
        return int(ExitCode.USAGE)
    if isinstance(exc, click_exc.ClickException):
        exc.show()
        return int(ExitCode.USAGE)
    from codex_cli.cli import streams

    failed = streams.failure(exc)  # the output could not be written: a closed pipe, a full disk
    if failed is not None:
        return failed
    if debug:
        import traceback

        traceback.print_exc()
    message = f"unexpected {type(exc).__name__}: {exc}".rstrip(": ")
    out.error(message)
    hint = "rerun with --debug to see the traceback, and report it"
    sys.stderr.write(f"hint: {hint}\n")
    if as_json:
        out.error_document(int(ExitCode.INTERNAL), "internal_error", message, hint)
    return int(ExitCode.INTERNAL)


def usage_message(text: str) -> str:
    """click's "No such option: --x." as codex says every error: lower case, no final period."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def run() -> None:
    """The console script: run the CLI, then end the process at once."""
    _exit(main())


def _exit(code: int) -> NoReturn:
    """Exit without the interpreter's teardown once the command is done.

    Python's own exit frees every object one by one and clears every module
    (a rename of the hub holds 100,000 paths and 1,000 parsed notes; typer and
    pydantic their classes): about 0.1 s of CPU after the output is written.
    Exit handlers still run and the standard streams are flushed first; with
    a thread still running (none is, normally) the usual exit waits for it.
    """
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # a closed or broken stream: let Python report it as it always has
    os._exit(code)

