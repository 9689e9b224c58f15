"""How the CLI talks: data on stdout, messages on stderr, colour only on a terminal.

Colour is used only when the stream is a terminal and NO_COLOR is not set
(https://no-color.org); `--quiet` silences messages but never data or
errors; a progress bar appears on stderr only at a terminal, and only for
work that has already taken more than a second.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

_CODES = {"red": "31", "yellow": "33", "green": "32", "cyan": "36", "dim": "2", "bold": "1"}


def use_color(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


DATA_WRITTEN = False  # whether a JSON document went to stdout (an error then adds none)


@dataclass
class Output:
    json_mode: bool = False
    quiet: bool = False

    def __post_init__(self) -> None:
        self.out_color = use_color(sys.stdout)
        self.err_color = use_color(sys.stderr)

    def style(self, text: str, color: str, *, err: bool = False) -> str:
        if not (self.err_color if err else self.out_color):
            return text
        return f"\033[{_CODES[color]}m{text}\033[0m"

    # --- stdout: data ---
    def data(self, obj: Any) -> None:
        """One JSON document: indented for a person at a terminal, compact for a program."""
        indent = 2 if self.out_color or _isatty(sys.stdout) else None
        text = json.dumps(obj, ensure_ascii=False, indent=indent)
        try:
            text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            text = json.dumps(obj, ensure_ascii=True, indent=indent)  # \u escapes: still JSON in any encoding
        global DATA_WRITTEN
        DATA_WRITTEN = True
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def error_document(self, code: int, kind: str, message: str, hint: str | None, flags: list[str] | None = None) -> None:
        """With --json, an error as one JSON document on stdout too, unless the command
        already wrote its document: `{"error": {"exit_code", "type", "message", "hint"}}`
        (and `flags`, for a missing input), so a program reads every outcome as JSON."""
        if DATA_WRITTEN:
            return
        doc: dict[str, Any] = {"exit_code": code, "type": kind, "message": message, "hint": hint}
        if flags:
            doc["flags"] = flags
        try:
            self.data({"error": doc})
        except OSError:
            pass  # the output itself failed: stderr has said what happened

    def line(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def lines(self, texts: list[str]) -> None:
        """Many lines in one write (a large report is tens of thousands)."""
        if texts:
            sys.stdout.write("\n".join(texts) + "\n")

    def made(self, path: str, message: str) -> None:
        """A path the command wrote, and what it did: the path on stdout for a
        program (or with --quiet), the message on stderr for a person; at a
        terminal the message alone, which names it (they read as one line twice)."""
        if self.quiet or not _isatty(sys.stdout):
            self.line(path)
        self.info(message)

    # --- stderr: messages ---
    def info(self, text: str) -> None:
        if not self.quiet:
            sys.stderr.write(text + "\n")

    def committed(self, commit: str | None, branch: str | None, previous: str | None = None) -> None:
        """Where the work landed, and the way back when that is another branch."""
        if commit:
            self.info(f"committed {commit[:10]} on {branch}")
        if previous and branch and previous != branch:
            self.info(f"back to where you were: git switch {previous}")

    def warn(self, text: str) -> None:
        sys.stderr.write(self.style("warning:", "yellow", err=True) + " " + text + "\n")

    def error(self, text: str) -> None:
        sys.stderr.write(self.style("codex: error:", "red", err=True) + " " + text + "\n")

    def progress(self, label: str) -> Callable[[int, int], None]:
        """A callback(done, total) drawing a bar on stderr once work passes one second."""
        if self.quiet or self.json_mode and not sys.stderr.isatty() or not sys.stderr.isatty():
            return lambda done, total: None
        started = time.monotonic()
        state = {"shown": False}

        def update(done: int, total: int) -> None:
            if time.monotonic() - started < 1.0 and not state["shown"]:
                return
            state["shown"] = True
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\r" + " " * (len(label) + width + 24) + "\r")
            sys.stderr.flush()

        return update


SUGGESTING = frozenset({"broken-link", "unresolved-entry"})


def finding_lines(out: Output, findings: Any) -> list[str]:
    """Findings grouped by file, one line each: `line: severity code message`."""
    lines: list[str] = []
    current = None
    for f in findings:
        if f.file != current:
            current = f.file
            lines.append(out.style(current, "bold"))
        where = f"{f.line:>5}" if f.line else "    -"
        sev = out.style(f"{f.severity:<7}", "red" if f.severity == "error" else "yellow")
        text = f.message
        if f.code in SUGGESTING and f.suggestions:
            text += " - did you mean: " + "; ".join(f"[[{s}]]" for s in f.suggestions)
        lines.append(f"{where}: {sev} {f.code:<16} {text}")
    return lines


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
