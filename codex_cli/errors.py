"""One exception tree for the whole tool; exit codes live here and nowhere else.

The core raises these with data on them; only the CLI layer turns them into a
message and an exit code (see docs/exit-codes.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    REFUSED = 3
    GIT = 4
    INTERNAL = 70
    OUTPUT = 74  # the output could not be written (stdout closed, disk full)
    INTERRUPTED = 130


class CodexError(Exception):
    """Base of every error the tool reports on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CodexError):
    """Bad flags or a bad combination of them (exit 2)."""

    exit_code = ExitCode.USAGE


HELP_HINT = "see --help for what each one takes"  # cli.commands names the command's own -h


class MissingInput(UsageError):
    """A value is needed and there is no terminal to ask (exit 2)."""

    def __init__(self, flags: Sequence[str], *, why: str = "no terminal to ask") -> None:
        self.flags = list(flags)
        names = ", ".join(self.flags)
        super().__init__(f"missing input ({why}): pass {names}", hint=HELP_HINT)


class Refused(CodexError):
    """The operation is refused: nothing was written (exit 3)."""

    exit_code = ExitCode.REFUSED


class NotFound(Refused):
    def __init__(self, what: str, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.suggestions = list(suggestions)
        message = f"not found: {what}"
        if self.suggestions:
            message += "; closest: " + "; ".join(repr(s) for s in self.suggestions)
        super().__init__(message)


class Ambiguous(Refused):
    def __init__(self, what: str, candidates: Sequence[str]) -> None:
        self.what = what
        self.candidates = list(candidates)
        super().__init__(
            f"ambiguous: {what!r} matches {len(self.candidates)} notes: "
            + "; ".join(self.candidates),
            hint="pass the note's path instead of its title",
        )


class Exists(Refused):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"already exists: {path}")


class InvalidTitle(Refused):
    def __init__(self, title: str, reason: str) -> None:
        self.title = title
        self.reason = reason
        super().__init__(f"invalid title: {reason}")


class StaleFile(Refused):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"{path} changed since the plan was made; nothing was written",
            hint="run the command again",
        )


class PlanOutdated(Refused):
    """The repository moved (HEAD's branch or commit) between planning and landing: nothing was written (exit 3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="run the command again: it plans against the repository as it is now")


class DirtyFile(Refused):
    def __init__(self, paths: Sequence[str], *, hint: str = "commit or stash them first, or pass --force") -> None:
        self.paths = list(paths)
        super().__init__("uncommitted changes in files this would touch: " + ", ".join(self.paths), hint=hint)


class OutsideVault(Refused):
    """A path would leave the vault, or go through a symbolic link: nothing was read or written (exit 3)."""

    def __init__(self, path: str, reason: str, *, verb: str = "write") -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"refusing to {verb} {path}: {reason}; nothing was written",
            hint="codex never reads, writes or commits through a symbolic link or outside the vault (docs/safety.md)",
        )


class ApplyFailed(CodexError):
    """A write failed; every file touched was restored."""

    exit_code = ExitCode.REFUSED


class GitFailed(CodexError):
    exit_code = ExitCode.GIT

    def __init__(self, message: str, *, output: str = "", hint: str | None = None) -> None:
        self.output = output
        super().__init__(message, hint=hint)


class RepositoryBusy(CodexError):
    """Another codex command holds the vault's lock, or git's state forbids writing now (exit 4); nothing was written."""

    exit_code = ExitCode.GIT


class StageFailed(GitFailed):
    """Staging the written files failed: nothing is staged, and the files are rolled back."""


class ConfigError(UsageError):
    """The vault's .codex.yaml (or the user configuration) is not usable."""


class Interrupted(CodexError):
    exit_code = ExitCode.INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted; nothing was written")
