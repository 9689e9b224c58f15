"""Every note's path, without reading or stat'ing a note: git's index, or a walk.

In a git work tree, one `git ls-files -c -o` (C: the index, and a walk for
the untracked files, ignored ones included) names every `*.md` file the walk
of `fs.scan` would find; the same rules are applied here (no hidden folders
or files, the configuration's `ignore` globs). Two differences are left to
the caller, who confirms the few paths that matter (`on_disk`): a file
deleted from the work tree and still in the index is listed, and so is a
symbolic link git tracks. Outside git: the walk itself.

`start` runs early (cli.early starts it for `codex check PATH` and
`--changed` before typer is imported); `finish` takes its answer.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


@dataclass
class Listing:
    paths: list[str]
    untracked: list[str] = field(default_factory=list)
    in_git: bool = False


Procs = tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]


def start(root: Path) -> Procs | None:
    """Start listing the notes under `root`: the tracked, and the untracked
    (a walk of the tree: it runs while Python does other work). None outside
    a git work tree."""
    from codex_cli.adapters.worktree import top

    if top(root) is None:
        return None
    env = dict(os.environ)
    env.setdefault("GIT_OPTIONAL_LOCKS", "0")
    try:
        return (
            subprocess.Popen(["git", "ls-files", "-z", "--deduplicate", "--", "*.md"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env),
            subprocess.Popen(["git", "ls-files", "-z", "-o", "--", "*.md"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env),
        )
    except OSError:
        return None


_early: tuple[Path, Procs] | None = None


def start_early(root: Path) -> None:
    global _early
    procs = start(root)
    if procs is not None:
        _early = (root, procs)


def drop_early() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        for proc in early[1]:
            if proc.returncode is None:
                proc.kill()
                proc.communicate()


def notes(root: Path, ignored: Sequence[str] = ()) -> Listing:
    """Every note under `root`: from git (the listing started early when it is for `root`), else a walk."""
    global _early
    early, _early = _early, None
    procs = None
    if early is not None:
        if early[0] == root:
            procs = early[1]
        else:
            _early = early
            drop_early()
    if procs is None:
        procs = start(root)
    if procs is not None:
        tracked, _ = procs[0].communicate()
        untracked, _ = procs[1].communicate()
        if procs[0].returncode == 0 and procs[1].returncode == 0:
            paths = _paths(tracked, ignored)
            more = _paths(untracked, ignored)
            return Listing(paths + more if more else paths, more, in_git=True)
    from codex_cli.adapters import fs

    return Listing(list(fs.scan(root, list(ignored), stat=False).files))


def _paths(out: bytes, ignored: Sequence[str]) -> list[str]:
    """The NUL-separated paths git printed, without the ones the walk leaves out (hidden, ignored)."""
    if not out:
        return []
    paths = out[:-1].decode("utf-8", "surrogateescape").split("\0")
    if out.startswith(b".") or b"/." in out or b"\0." in out:  # a hidden file or folder somewhere (rare): look at each
        paths = [p for p in paths if not (p[0] == "." or "/." in p)]
    if ignored:
        import re
        from fnmatch import translate

        match = re.compile("|".join(translate(g) for g in ignored)).match
        paths = [p for p in paths if not match(p)]
    return paths


def on_disk(root: Path) -> Callable[[str], bool]:
    """`path -> bool`: whether a listed note is a regular file in the work tree now (as the walk would find it)."""
    base = str(root)

    def check(path: str) -> bool:
        try:
            return stat.S_ISREG(os.lstat(os.path.join(base, path)).st_mode)
        except OSError:
            return False

    return check


# --- what changed --------------------------------------------------------------

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class Changes(NamedTuple):
    edited: list[str]
    added: list[str]
    deleted: list[str]
    base: str  # the commit compared with (EMPTY_TREE when there is none)


def changes(root: Path, since: str | None, bases: Sequence[str], staged: bool = False) -> Changes:
    """(edited, added, deleted, base): the notes under `root` that differ from `since`
    in the work tree (staged or not; untracked ones are the caller's), those
    new since, and those gone since. Without `since`: the merge base of HEAD with the first of
    `bases` (or `origin/<base>`) that exists. `staged`: the index instead of
    the work tree, against HEAD by default (what a commit would record).
    """
    from codex_cli.errors import UsageError

    if since is None and staged:
        since = "HEAD" if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is not None else EMPTY_TREE
    if since is None:
        since = _merge_base(root, bases)
        if since is None:
            names = ", ".join(bases) or "none configured"
            raise UsageError(f"--changed: no base branch to compare with ({names})", hint="pass --since REF (a branch, tag or commit)")
    elif since != EMPTY_TREE and _git(root, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}") is None:
        raise UsageError(f"--since {since}: no such commit")
    cached = ["--cached"] if staged else []
    out = _git(root, "diff", *cached, "--relative", "--name-status", "-z", "--no-renames", since, "--", "*.md")
    if out is None:
        raise UsageError(f"--since {since}: git cannot compare the work tree with it")
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    edited: list[str] = []
    added: list[str] = []
    deleted: list[str] = []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        (deleted if status == "D" else added if status == "A" else edited).append(path)
    return Changes(edited, added, deleted, since)


def at_base(root: Path, base: str, paths: Sequence[str]) -> dict[str, bytes]:
    """The bytes of `paths` (relative to `root`) in commit `base`, those it has: one `git cat-file --batch`."""
    names = [p for p in paths if "\n" not in p]
    if base == EMPTY_TREE or not names:
        return {}
    request = "".join(f"{base}:./{p}\n" for p in names).encode("utf-8", "surrogateescape")
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=request, capture_output=True)
    except OSError:
        return {}
    out, at, found = done.stdout, 0, {}
    for path in names:
        end = out.find(b"\n", at)
        if end == -1:
            break
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) == 3 and header[2].isdigit():  # "<id> <type> <size>", the object, a newline ("<name> missing" alone)
            size = int(header[2])
            if header[1] == b"blob":
                found[path] = out[at : at + size]
            at += size + 1
    return found


def _merge_base(root: Path, bases: Sequence[str]) -> str | None:
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return EMPTY_TREE  # no commit yet: every note is new
    for base in bases:
        for ref in (base, f"origin/{base}"):
            found = _git(root, "merge-base", "HEAD", ref)
            if found is not None:
                return found.decode().strip()
    return None


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, stdin=subprocess.DEVNULL)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None
