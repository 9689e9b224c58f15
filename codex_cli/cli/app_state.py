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
