"""`codex map`: not built yet (see the open issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing to register until the command lands."""
