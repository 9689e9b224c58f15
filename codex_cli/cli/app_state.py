"""What every command gets from the global options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import typer

from codex_cli.cli.output import Output


@dataclass
class Settings:
    directory: str | None = None
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
