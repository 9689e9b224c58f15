"""The command reference (docs/commands.md), generated from the CLI's own help.

Regenerate with `python -m codex_cli.cli.reference > docs/commands.md`;
tests/test_docs.py fails when the file drifts from the help.
"""

from __future__ import annotations

import os
from typing import Any

HEADER = """# Command reference

Generated from `codex --help` and each command's `--help` by
`python -m codex_cli.cli.reference > docs/commands.md`; a test fails when
this file and the CLI disagree. The guide (docs/guide.md) explains when to
use what.
"""


def _help(command: Any, path: list[str]) -> str:
    import typer

    ctx = typer.Context(command, info_name=" ".join(path), terminal_width=80, max_content_width=80, help_option_names=["-h", "--help"])
    return str(command.get_help(ctx))


def render() -> str:
    import typer

    from codex_cli.cli.commands import app

    os.environ.setdefault("COLUMNS", "80")
    root = typer.main.get_command(app)
    parts = [HEADER]

    def walk(command: Any, path: list[str]) -> None:
        title = " ".join(path)
        parts.append(f"\n## `{title}`\n\n```\n{_help(command, path).rstrip()}\n```\n")
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name in subcommands:
                walk(subcommands[name], [*path, name])

    walk(root, ["codex"])
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
