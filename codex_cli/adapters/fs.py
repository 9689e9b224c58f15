"""Finding the vault root and the notes in it."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

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

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def symlink_on_path(root: Path | str, relpath: str) -> str | None:
    """The first part of `relpath` (under `root`) that is a symbolic link; None when none is.

    Every component is lstat'ed; the walk stops at the first one that does
    not exist (what a plan creates there cannot be a link yet).
    """
    current = str(root)
    parts = [p for p in relpath.split("/") if p]
    for i, part in enumerate(parts):
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return "/".join(parts[: i + 1])
    return None


def refuse_unconfined(root: Path | str, relpath: str, *, verb: str = "write") -> None:
    """Raise OutsideVault unless `relpath` is a plain vault path with no link on the way."""
    from codex_cli.core.paths import unconfined
    from codex_cli.errors import OutsideVault

    why = unconfined(relpath, hidden=True)
    if why is not None:
        raise OutsideVault(relpath, f"the path {why}", verb=verb)
    link = symlink_on_path(root, relpath)
    if link is not None:
        where = "" if link == relpath else f" ({link} is one)"
        raise OutsideVault(relpath, f"it goes through a symbolic link{where}", verb=verb)


def read_bytes(root: Path, relpath: str) -> bytes:
    """A file of the vault, read for planning: refused (OutsideVault) through a link,
    OSError when it is not a regular file (a FIFO is never opened for reading)."""
    refuse_unconfined(root, relpath, verb="read")
    return read_regular(os.path.join(root, relpath))


def read_regular(path: str) -> bytes:
    return read_with_stat(path)[0]


def read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat; OSError for a link, a FIFO, a device or a folder.

    O_NOFOLLOW refuses a link in the last component; O_NONBLOCK makes opening
    a FIFO return at once instead of waiting for a writer.
    """
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        pieces = []
        while True:
            piece = os.read(fd, max(info.st_size + 1, 65536))
            if not piece:
                break
            pieces.append(piece)
        return (pieces[0] if len(pieces) == 1 else b"".join(pieces)), info
    finally:
        os.close(fd)
