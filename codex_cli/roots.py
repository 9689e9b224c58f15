"""Where a vault starts: light enough to import before anything else (cli.early)."""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = ".codex.yaml"


def find_root(start: Path) -> Path:
    """The nearest ancestor with `.codex.yaml`, else the git top level, else `start`."""
    start = start.resolve()
    git_top: Path | None = None
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        if git_top is None and (folder / ".git").exists():
            git_top = folder
    return git_top or start
