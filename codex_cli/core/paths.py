"""What a vault-relative path may be: the one rule for every path codex writes, reads or commits.

A path from the configuration, a plan or a command line is confined to the
vault when it is relative, uses `/` only, has no empty, `.` or `..`
component, and no component names a hidden file or folder (`.git`,
`.codex`: configuration never points there; a plan may write `.codex.yaml`
but never anything under `.git`). This module only looks
at the text; adapters.fs checks the file system (no symbolic link on the
way, nothing that is not a regular file).
"""

from __future__ import annotations

import re

_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unconfined(path: str, *, hidden: bool = False) -> str | None:
    """Why `path` is not a plain vault-relative path; None when it is one.

    `hidden=True` accepts hidden names (a plan may write `.codex.yaml`), but
    never a `.git` component: codex writes nothing into git's own folder.
    """
    if not path:
        return "is empty"
    if _CONTROL.search(path):
        return "contains a control character"
    if path.startswith("/") or _DRIVE.match(path) or path.startswith("~"):
        return "is an absolute path (paths are relative to the vault)"
    if "\\" in path:
        return "contains `\\` (write folders with `/`)"
    for part in path.split("/"):
        if part == "..":
            return "goes up with `..` (it must stay inside the vault)"
        if part in ("", "."):
            return "has an empty or `.` component"
        if part.casefold() == ".git":
            return "goes into `.git`"
        if part.startswith(".") and not hidden:
            return f"names a hidden file or folder ({part!r})"
    return None


def is_confined(path: str, *, hidden: bool = False) -> bool:
    return unconfined(path, hidden=hidden) is None
