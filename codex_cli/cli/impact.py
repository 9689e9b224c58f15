"""`codex impact NOTE [--json]`: parse, call ops.impact, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.complete import complete_note
from codex_cli.cli.options import Json

if TYPE_CHECKING:
    from codex_cli.core.impact import Impact

SHOWN = 20


def register(app: typer.Typer) -> None:
    app.command("impact")(impact_command)


def impact_command(
    ctx: typer.Context,
    note: str = typer.Argument(..., metavar="NOTE", help="The note: its title (any case) or its path.", autocompletion=complete_note),
    json_output: Json = False,
) -> None:
    """List what depends on a note (links, depends_on, challenged_by, maps, sources), and the beliefs and positions it reaches, with each chain."""
    from codex_cli.ops.impact import impact

    state = settings(ctx)
    out = state.output(json_output)
    vault = state.vault()
    path = vault.find_path(note)
    found = impact(vault, path)
    if out.json_mode:
        out.data(found.as_dict())
        return
    out.lines(impact_lines(found, limit=None))


def impact_lines(found: Impact, limit: int | None = SHOWN) -> list[str]:
    """The impact as text: the direct dependents, then the beliefs and positions reached and how."""
    direct = found.direct
    if not found.dependents:
        return [f"nothing depends on {found.note}"]
    lines = [f"{len(direct)} note{'s refer' if len(direct) != 1 else ' refers'} to {found.note}:"]
    shown = direct if limit is None else direct[:limit]
    for d in shown:
        where = d.node.label + (f":{d.line}" if d.line else "")
        lines.append(f"  {d.relation:<16} {d.role:<8} {where}" + ("  (ambiguous: the link names several notes)" if d.ambiguous else ""))
    if len(shown) < len(direct):
        lines.append(f"  … and {len(direct) - len(shown)} more (codex impact shows them all)")
    return lines + cascade_lines(found, limit)


def cascade_lines(found: Impact, limit: int | None = SHOWN) -> list[str]:
    """The beliefs and positions a note reaches, each with the chain that reaches it."""
    cascade = found.cascade
    if not cascade:
        return []
    n = len(cascade)
    lines = [f"the cascade: {n} belief{'s' if n != 1 else ''} or position{'s' if n != 1 else ''} depend{'s' if n == 1 else ''} on it:"]
    shown = cascade if limit is None else cascade[:limit]
    for d in shown:
        lines.append(f"  {d.role:<8} {d.node.label}")
        if d.depth > 1:
            lines.append("           via " + " <- ".join(node.label for node in reversed(d.chain[1:-1])))
    if len(shown) < n:
        lines.append(f"  … and {n - len(shown)} more (codex impact shows them all)")
    return lines
