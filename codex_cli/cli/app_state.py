"""What every command gets from the global options.

`-C DIR` means "run as if started in DIR", as it does for git, make and tar:
`start_in` changes the process's folder to DIR before any command parses
its own arguments (click runs the group's callback first), so every
relative path a command is given (`check PATH`, `--body-file`, `init DIR`,
a NOTE given as a path, any option added later) already means the file it
names from DIR. A command therefore needs nothing of its own for -C: read
a path with `Path(value)` (or `open(value)`), never join it with
`Settings.directory`. The entry point (cli.app) puts the process's folder
back when the command ends, for callers that run codex in-process.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from codex_cli.cli.output import Output


def start_in(directory: str | None) -> str | None:
    """Make `-C DIR` the process's folder; DIR as an absolute path (None without -C)."""
    if directory is None:
        return None
    from codex_cli.errors import UsageError

    try:
        os.chdir(directory)
    except OSError as exc:
        reason = "not a folder" if isinstance(exc, (FileNotFoundError, NotADirectoryError)) else exc.strerror
        raise UsageError(f"-C {directory}: {reason}") from None
    return str(Path.cwd())


@dataclass
class Settings:
    directory: str | None = None  # -C DIR, absolute; already the process's folder (start_in)
    json: bool = False
    no_input: bool = False
    debug: bool = False
    quiet: bool = False
    _vault: Any = field(default=None, repr=False)
    _held: Any = field(default=None, repr=False)

    def vault(self, *, write: bool = False, hold: bool = False) -> Any:
        """The vault (found from -C DIR or the current folder), opened once.

        Every command comes here first: a change a killed command left half
        done is rolled back now (adapters.journal; one stat when there is
        none). A command that will write (`write`) holds the vault lock from
        here to its end, planning included; at a terminal it lets go while
        a person answers, and lands only if HEAD did not move meanwhile
        (adapters.lock.planning). `hold` keeps it all along even there
        (`--base`: the checkout of REF happens under it).
        """
        if self._vault is None:
            from codex_cli.vault import Vault

            self._vault = Vault.open(self.directory)
            self._recover(write, hold)
            if self._vault.config.source is None and not self.quiet:
                from codex_cli.adapters.worktree import top

                if top(self._vault.root) is None:  # no .codex.yaml, no git: say which folder is taken
                    self.output().warn(f"no .codex.yaml or git repository here or above; using {self._vault.root} as the vault")
        return self._vault

    def _recover(self, write: bool, hold: bool = False) -> None:
        from codex_cli.adapters import lock

        root = self._vault.root
        if write and not hold and self.can_ask():
            with lock.locked(root):  # wait for a running command, roll back what a killed one left
                self._recover(False)
                lock.planning(root)  # then let go while a person answers (adapters.lock)
            return
        if write:
            self.hold(lock.locked(root))
        if not lock.journal_left(root):  # one stat: nothing to recover
            return
        from codex_cli.adapters import journal

        said = journal.recover(root, locked_already=write)
        if said:
            self.output().warn(said)

    def hold(self, context: Any) -> None:
        """Enter `context` until the command ends (cli.app closes it)."""
        import contextlib

        if self._held is None:
            self._held = contextlib.ExitStack()
        self._held.enter_context(context)

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
        if "codex_cli.adapters.lock" in sys.modules:
            sys.modules["codex_cli.adapters.lock"].command_ended()

    def can_ask(self) -> bool:
        from codex_cli.adapters.prompts import interactive

        return interactive(self.no_input)

    def output(self, json_flag: bool = False) -> Output:
        return Output(json_mode=self.json or json_flag, quiet=self.quiet)


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj
