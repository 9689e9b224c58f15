"""Find, fast, the few notes whose text may mention a title.

A command that changes the references to one note (a rename) needs to
parse only the notes that contain its title. This is the prefilter: it may
return too many files (they are parsed and checked by the one resolver) but
never too few, except for text it cannot see (see `needle`).

Inside a git work tree it runs `git grep` (multi-threaded) on the tracked
notes and reads the untracked ones itself; elsewhere it reads every note.
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
    return Search(root, title).files(paths)


class Search:
    """A prefilter that runs in the background while the caller does other work.

    In a git work tree: `git grep` over the tracked notes (as they are in the
    work tree) and, at the same time, `git ls-files` to learn which notes git
    does not track; those few are read here. Elsewhere every note is read.
    """

    def __init__(self, root: Path, title: str) -> None:
        self.root = root
        self.title = title
        self.needle = needle(title)
        self._grep: subprocess.Popen[bytes] | None = None
        self._tracked: subprocess.Popen[bytes] | None = None
        if self.needle is not None:
            self._grep = _start(root, ["grep", "-l", "-z", "-i", "-F", "-e", self.needle, "--", "*.md"])
            self._tracked = _start(root, ["ls-files", "-z", "--", "*.md"]) if self._grep is not None else None

    def cancel(self) -> None:
        """Stop the background commands (harmless once they are done)."""
        for proc in (self._grep, self._tracked):
            if proc is not None and proc.returncode is None:
                proc.kill()
                proc.communicate()
        self._grep = self._tracked = None

    def files(self, paths: Collection[str]) -> set[str]:
        if self.needle is None:
            return set(_scan(self.root, paths, None, key(self.title)))
        lowered = self.needle.lower().encode("utf-8")
        found = _finish(self._grep, ok=(0, 1))
        tracked = _finish(self._tracked, ok=(0,))
        self._grep = self._tracked = None
        if found is None or tracked is None:
            return set(_scan(self.root, paths, lowered, None))
        out = {p for p in found if p in paths}
        untracked = [p for p in paths if p not in tracked]
        out.update(_scan(self.root, untracked, lowered, None))
        return out


def _start(root: Path, args: list[str]) -> subprocess.Popen[bytes] | None:
    env = dict(os.environ)
    env.setdefault("GIT_OPTIONAL_LOCKS", "0")
    try:
        return subprocess.Popen(
            ["git", *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
    except OSError:
        return None


def _finish(proc: subprocess.Popen[bytes] | None, ok: tuple[int, ...]) -> set[str] | None:
    """The NUL-separated paths a git command printed; None when it could not answer."""
    if proc is None:
        return None
    out, _ = proc.communicate()
    if proc.returncode not in ok:
        return None
    return {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}


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
