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

    def vault(self) -> Any:
        """The vault (found from -C DIR or the current folder), opened once."""
        if self._vault is None:
            from codex_cli.vault import Vault

            self._vault = Vault.open(self.directory)
            if self._vault.config.source is None and not self.quiet:
                from codex_cli.adapters.worktree import top

                if top(self._vault.root) is None:  # no .codex.yaml, no git: say which folder is taken
                    self.output().warn(f"no .codex.yaml or git repository here or above; using {self._vault.root} as the vault")
        return self._vault

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
