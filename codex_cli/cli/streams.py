"""The standard streams, made safe before a command runs, and their failures reported in one line.

- A closed descriptor 0, 1 or 2 is reopened on /dev/null first, so that no
  file the command opens can take its number (a note opened as descriptor 1
  would receive the output).
- Closed standard input means no one to ask: the command runs headless.
  Closed standard output is refused before anything runs (exit 74).
- Every stream encodes with `errors="backslashreplace"`: with
  PYTHONIOENCODING=ascii, or a byte that is not UTF-8 in a file name, the
  output is escaped rather than a crash after the commit.
- Writing the output fails: a closed pipe (`codex … | head`) ends quietly
  with exit 0, as a command killed by SIGPIPE would in a pipeline; a full
  disk or a bad descriptor is one line on stderr and exit 74.
"""

from __future__ import annotations

import errno
import os
import sys

OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})


def prepare() -> str | None:
    """Reopen closed standard descriptors and make the streams safe; a message when stdout is closed."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
    if 0 in closed or sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if 2 in closed or sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
    if 1 in closed or sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return "standard output is closed; nothing was done (redirect it to a file or /dev/null)"
    return None


def failure(exc: BaseException) -> int | None:
    """The exit code for a failure to write the output (None when `exc` is something else)."""
    from codex_cli.errors import ExitCode

    if isinstance(exc, BrokenPipeError) or isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        _silence()
        return int(ExitCode.OK)
    if isinstance(exc, OSError) and exc.errno in OUTPUT_ERRORS:
        _silence()
        sys.stderr.write(f"codex: error: cannot write the output: {exc.strerror or exc}\n")
        return int(ExitCode.OUTPUT)
    return None


def flush(code: int) -> int:
    """Flush stdout at the end of a command: its exit code, or the output failure's."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        failed = failure(exc) if isinstance(exc, OSError) else None
        return code if failed is None else failed
    return code


def _silence() -> None:
    """Point descriptor 1 at /dev/null, so that what is still buffered goes nowhere instead of failing again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
