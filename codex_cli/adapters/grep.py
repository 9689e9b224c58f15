"""Find, fast, the few notes whose text may mention a title.

A command that changes the references to one note (a rename) needs to
parse only the notes that contain its title. This is the prefilter: it may
return too many files (they are parsed and checked by the one resolver) but
never too few, except for text it cannot see (see `needle`).

Inside a git work tree it runs `git grep` (multi-threaded, and it skips
files git knows are unchanged cheaply); elsewhere it reads every note.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection, Iterable
from pathlib import Path

from codex_cli.core.note import decode
from codex_cli.core.text import key

MIN_NEEDLE = 4


def needle(title: str) -> str | None:
    """The text to look for: the title, or its longest ASCII run when it has other letters.

    Links match titles case-insensitively after NFC normalisation; an ASCII
    run is the same in every normal form and folds case the same way in git
    and Python. None when the title has no run of MIN_NEEDLE ASCII characters
    (then every note is read and compared by `key`).
    """
    if title.isascii():
        return title
    runs: list[str] = []
    current = ""
    for ch in title:
        if ch.isascii():
            current += ch
        else:
            runs.append(current)
            current = ""
    runs.append(current)
    best = max((r.strip() for r in runs), key=len)
    return best if len(best) >= MIN_NEEDLE else None


def files_mentioning(root: Path, title: str, paths: Collection[str]) -> set[str]:
    """Which of `paths` (vault-relative notes) contain `title`, ignoring case."""
    text = needle(title)
    if text is not None:
        found = _git_grep(root, text)
        if found is not None:
            return {p for p in found if p in paths}
        return set(_scan(root, paths, text.lower().encode("utf-8"), None))
    return set(_scan(root, paths, None, key(title)))


def _git_grep(root: Path, text: str) -> set[str] | None:
    """Paths (relative to root) of notes holding `text`; None when git cannot answer."""
    args = ["git", "grep", "-l", "-z", "-i", "-F", "--untracked", "-e", text, "--", "*.md"]
    env = dict(os.environ)
    env.setdefault("GIT_OPTIONAL_LOCKS", "0")
    try:
        proc = subprocess.run(args, cwd=root, capture_output=True, env=env, check=False)
    except OSError:
        return None
    if proc.returncode == 1:
        return set()
    if proc.returncode != 0:
        return None
    out = proc.stdout.decode("utf-8", "surrogateescape")
    return {p for p in out.split("\0") if p}


def _scan(root: Path, paths: Iterable[str], lowered: bytes | None, folded: str | None) -> Iterable[str]:
    for path in paths:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        if lowered is not None:
            if lowered in raw.lower():
                yield path
            continue
        assert folded is not None
        if folded in key(decode(raw)[0]):
            yield path
