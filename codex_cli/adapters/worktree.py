"""Has anything changed in the work tree? Asked of git, which is faster than a stat walk.

`git status` (C, threaded, with git's own racy-file checks) lists every
path that differs from the index or HEAD, untracked or ignored; a digest of
that list, of HEAD, and of the stat signature of every listed note says
whether the tree is as it was when the digest was last taken. Clean tracked
files are vouched for by git; the listed ones by their signatures.

A vault in a subfolder of a repository asks about its own folder only
(a pathspec). Outside a repository there is no state (None) and callers
walk the tree instead.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

RACY_NS = 2_000_000_000


def top(root: Path) -> tuple[Path, str] | None:
    """The work tree's top folder holding `root`, and `root` relative to it ('.' for the top)."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder, root.relative_to(folder).as_posix()
    return None


def start(root: Path) -> subprocess.Popen[bytes] | None:
    """Start `git status` for the vault at `root` (so it overlaps other work)."""
    found = top(root)
    if found is None:
        return None
    pathspec = [] if found[1] == "." else ["--", "."]  # the vault's folder (git runs in it)
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), "status", "--porcelain=v2", "-z", "--branch", "-uall", "--ignored", "--no-renames", *pathspec],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None


def finish(proc: subprocess.Popen[bytes] | None, root: Path, since_ns: int | None = None) -> tuple[str, bool] | None:
    """(digest, trusted): trusted is False when a listed note changed too recently
    for its signature to tell two versions apart (git's "racy" case), or
    after `since_ns` (when git ran alongside reading the notes, a note
    changed since they were read may be in git's answer and not in theirs)."""
    found = top(root)
    if proc is None or found is None:
        return None
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.SubprocessError:
        proc.kill()
        proc.wait()
        return None
    if proc.returncode != 0:
        return None
    now = time.time_ns() if since_ns is None else min(since_ns, time.time_ns())
    trusted = True
    h = hashlib.sha1()
    base = os.fsencode(found[0])  # git lists paths from the top
    for entry in out.split(b"\0"):
        if not entry or entry.startswith(b"# branch.") and not entry.startswith(b"# branch.oid"):
            continue
        h.update(entry + b"\n")
        kind = entry[:1]
        if kind in (b"?", b"!"):
            path = entry[2:]
        elif kind == b"1":
            path = entry.split(b" ", 8)[-1]
        elif kind == b"u":
            path = entry.split(b" ", 10)[-1]
        else:
            continue
        if not path.endswith(b".md"):
            continue
        try:
            st = os.stat(os.path.join(base, path))
        except OSError:
            h.update(b"-\n")
            if since_ns is not None:
                trusted = False  # gone: perhaps after it was read
            continue
        h.update(f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{st.st_ctime_ns}\n".encode())
        if st.st_mtime_ns >= now - RACY_NS or st.st_ctime_ns >= now - RACY_NS:
            trusted = False
    return h.hexdigest(), trusted


def state(root: Path) -> tuple[str, bool] | None:
    return finish(start(root), root)
