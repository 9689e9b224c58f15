"""Finding the vault root and the notes in it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from codex_cli.adapters import confined
from codex_cli.core.note import WARNING, Problem
from codex_cli.roots import find_root  # noqa: F401 - the vault root, re-exported here

Signature = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns


def git_dir(root: Path) -> Path | None:
    """The repository's git directory when `root` is a work tree's top level."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        try:
            line = dot_git.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if line.startswith("gitdir:"):
            target = Path(line[7:].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


@dataclass
class Scan:
    files: dict[str, Signature] = field(default_factory=dict)
    problems: list[tuple[str, Problem]] = field(default_factory=list)


NO_SIGNATURE: Signature = (0, 0, 0, 0)
STRAY_TEMP = "a temporary file an interrupted write left behind (the notes are whole); delete it"


def scan(root: Path, ignored: list[str] | None = None, *, stat: bool = True) -> Scan:
    """Every `*.md` file under root outside hidden folders, with its stat signature.

    With `stat=False` the signatures are NO_SIGNATURE and no file is stat'ed
    (several times faster on a large tree): for a command that needs only
    the paths.

    Symbolic links are not followed: a link that loops, dangles or leaves the
    vault is reported; one that stays inside only duplicates a real note.
    """
    from fnmatch import fnmatchcase

    result = Scan()
    root_str = str(root)
    root_real = os.path.realpath(root_str)
    files = result.files
    stack = [(root_str, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            result.problems.append((rel or ".", Problem("unreadable", WARNING, f"cannot read folder: {exc.strerror}")))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                if name.startswith(".codex-") and name.endswith(".tmp"):
                    stray = f"{rel}/{name}" if rel else name
                    result.problems.append((stray, Problem("stray-temp", WARNING, STRAY_TEMP)))
                continue
            relpath = f"{rel}/{name}" if rel else name
            if entry.is_symlink():
                _report_link(entry.path, relpath, root_real, result, name.endswith(".md"))
                continue
            if entry.is_dir():
                stack.append((entry.path, relpath))
                continue
            if not name.endswith(".md"):
                continue
            if ignored and any(fnmatchcase(relpath, g) for g in ignored):
                continue
            if not entry.is_file(follow_symlinks=False):
                # a FIFO, socket or device named *.md: never opened (a FIFO would block forever)
                result.problems.append((relpath, Problem("not-a-file", WARNING, "not a regular file (a FIFO, socket or device); skipped")))
                continue
            if not stat:
                files[relpath] = NO_SIGNATURE
                continue
            try:
                st = entry.stat()
            except OSError as exc:
                result.problems.append((relpath, Problem("unreadable", WARNING, f"cannot read: {exc.strerror}")))
                continue
            files[relpath] = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
    return result


def _report_link(path: str, relpath: str, root_real: str, result: Scan, is_note: bool) -> None:
    try:
        target = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):
        result.problems.append((relpath, Problem("symlink-broken", WARNING, "symbolic link that dangles or loops; skipped")))
        return
    if not (is_note or os.path.isdir(target)):
        return
    if target != root_real and not target.startswith(root_real + os.sep):
        result.problems.append((relpath, Problem("symlink-outside", WARNING, "symbolic link that leaves the vault; skipped")))


# --- confinement: never read, write or commit through a link --------------------
# The operations themselves are in adapters.confined (relative to folder
# descriptors, no link ever followed); these give the message before a plan runs.


def symlink_on_path(root: Path | str, relpath: str) -> str | None:
    """The first part of `relpath` (under `root`) that is a symbolic link; None when none is.

    The walk stops at the first part that does not exist (what a plan
    creates there cannot be a link yet).
    """
    return confined.first_link(root, "/".join(p for p in relpath.split("/") if p))


def refuse_unconfined(root: Path | str, relpath: str, *, verb: str = "write") -> None:
    """Raise OutsideVault unless `relpath` is a plain vault path with no link on the way."""
    _refuse_text(relpath, verb)
    link = symlink_on_path(root, relpath)
    if link is not None:
        raise outside(relpath, link, verb)


def _refuse_text(relpath: str, verb: str) -> None:
    """OutsideVault when the path's text alone leaves the vault (core.paths.unconfined)."""
    from codex_cli.core.paths import unconfined
    from codex_cli.errors import OutsideVault

    why = unconfined(relpath, hidden=True)
    if why is not None:
        raise OutsideVault(relpath, f"the path {why}", verb=verb)


def outside(relpath: str, link: str, verb: str = "write") -> Exception:
    """The OutsideVault error for a link met at `link` on the way to `relpath`."""
    from codex_cli.errors import OutsideVault

    where = "" if link == relpath else f" ({link} is one)"
    return OutsideVault(relpath, f"it goes through a symbolic link{where}", verb=verb)


def read_bytes(root: Path, relpath: str) -> bytes:
    """A file of the vault, read for planning: refused (OutsideVault) through a link,
    OSError when it is not a regular file (a FIFO is never opened for reading)."""
    _refuse_text(relpath, "read")
    try:
        return confined.read(root, relpath)
    except confined.LinkOnPath as exc:
        raise outside(relpath, exc.link, "read") from None


def read_regular(root: Path | str, relpath: str) -> bytes:
    """A regular file of the vault (adapters.confined.read: OSError for a link anywhere on the way, a FIFO, a device)."""
    return confined.read(root, relpath)


def read_with_stat(root: Path | str, relpath: str) -> tuple[bytes, os.stat_result]:
    return confined.read_with_stat(root, relpath)
