"""Shell completion of NOTE arguments: note titles, straight from the file names.

A title is a file name, so completion only lists the tree (no file is read
or parsed): fast on a large vault, with or without a cache.
"""

from __future__ import annotations

from typing import Any

LIMIT = 60


def complete_note(ctx: Any, args: list[str], incomplete: str) -> list[str]:
    """Titles (or paths, once a `/` is typed) that start with, then contain, `incomplete`."""
    try:
        from codex_cli.vault import Vault

        directory = None
        root = ctx.find_root() if ctx is not None else None
        if root is not None and root.params.get("directory"):
            directory = root.params["directory"]
        paths = Vault.open(directory).paths()
    except Exception:  # completion must never print a traceback into a shell
        return []
    needle = incomplete.casefold()
    if "/" in incomplete:
        names = sorted(path[:-3] for path in paths)
    else:
        names = sorted({path.rpartition("/")[2][:-3] for path in paths})
    starts = [n for n in names if n.casefold().startswith(needle)]
    if len(starts) >= LIMIT:
        return starts[:LIMIT]
    contains = [n for n in names if needle in n.casefold() and not n.casefold().startswith(needle)]
    return (starts + contains)[:LIMIT]
