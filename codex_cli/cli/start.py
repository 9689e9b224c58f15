"""The console script's first module: Ctrl-C while Python is still importing codex is one line.

`codex` (pyproject `[project.scripts]`) and `python -m codex_cli` import this
module, then call `run`. Its first statement installs a handler for SIGINT
(from the built-in `_signal`: nothing to import first) that prints
`codex: interrupted: nothing was written` and ends the process with exit
130, so an interrupt while the rest of codex is imported is that line, not
a traceback; cli.app.main puts its own handlers in place as soon as it
starts. Only what runs before this module is left to Python: its own
start-up (`site`, and the script's `import re`), a few hundredths of a
second in which nothing has been written (docs/safety.md).
"""

import _signal
import os
import sys


def _interrupted(number: int, frame: object) -> None:
    app = sys.modules.get("codex_cli.cli.app")
    if app is not None and hasattr(app, "interrupted"):  # what the command left, if it got that far
        code = app.interrupted()
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(code)
    try:
        os.write(2, (b"\n" if os.isatty(2) else b"") + b"codex: interrupted: nothing was written\n")
    except OSError:
        pass
    os._exit(130)


_signal.signal(_signal.SIGINT, _interrupted)


def run() -> None:
    """The console script: codex as cli.app runs it (which ends the process)."""
    from codex_cli.cli.app import run as run_codex

    run_codex()
