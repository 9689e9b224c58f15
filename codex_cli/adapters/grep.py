"""Find, fast, the few notes whose text may mention a title.

A command that changes the references to one note (a rename) needs to
parse only the notes that contain its title. This is the prefilter: it may
return too many files (they are parsed and checked by the one resolver) but
never too few, except for text it cannot see (see `needle`).

Inside a git work tree it runs `git grep` (multi-threaded) on the tracked
notes and reads the untracked ones itself; elsewhere it reads every note.

The search is the slowest step of a rename, so it can be started before the
command has even imported what it needs to ask for it (`start_early`, called
by cli.early), and its answers read while it is still running (`stream`).
This module imports nothing heavy for that reason.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import IO

MIN_NEEDLE = 4
POLL_SECONDS = 0.005  # how often `stream` looks for new answers while git grep runs


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


def needles(title: str) -> list[str] | None:
    """`needle`, and the same as a markdown link's destination writes it
    percent-encoded (spaces as `%20`, or everything `urllib.parse.quote`
    encodes): a rename must also find `[text](A%20title.md)`."""
    base = needle(title)
    if base is None:
        return None
    from urllib.parse import quote

    found = [base, base.replace("%", "%25").replace(" ", "%20"), quote(base, safe="/")]
    return list(dict.fromkeys(found))


def likely_title(query: str) -> str:
    """The title a NOTE argument (a title or a path) most likely names."""
    from codex_cli.core.text import strip_md

    name = query.replace("\\", "/").rstrip("/").rpartition("/")[2]
    return strip_md(name.strip())


def files_mentioning(root: Path, title: str, paths: Collection[str], *more: str) -> set[str]:
    """Which of `paths` (vault-relative notes) contain `title` (or any of `more`), ignoring case."""
    return Search(root, title, *more).files(paths)


class Search:
    """A prefilter that runs in the background while the caller does other work.

    In a git work tree: `git grep` over the tracked notes (as they are in the
    work tree) and, at the same time, `git ls-files` to learn which notes git
    does not track; those few are read here. Elsewhere every note is read.

    git grep writes to a temporary file rather than a pipe: a pipe holds
    about 600 paths, and git would stop at the 601st until Python, busy
    starting up, read them.
    """

    def __init__(self, root: Path, title: str, *more: str, untracked: Collection[str] | None = None) -> None:
        """`untracked`: the notes git does not track, when the caller knows them (no `git ls-files` then)."""
        self.root = root
        self._untracked = untracked
        self.title = title
        self.titles = (title, *more)  # a note holding any of them is found, in one pass
        found = [needles(t) for t in self.titles]
        self.needles: list[str] | None = None if None in found else list(dict.fromkeys(n for ns in found if ns is not None for n in ns))
        self._grep: subprocess.Popen[bytes] | None = None
        self._found: IO[bytes] | None = None  # git grep's output
        self._tracked: subprocess.Popen[bytes] | None = None
        if self.needles is not None:
            import tempfile

            self._found = tempfile.TemporaryFile(prefix="codex-grep-")  # noqa: SIM115 (closed by cancel: it outlives this call)
            patterns = [arg for n in self.needles for arg in ("-e", n)]
            self._grep = _start(root, ["grep", "-l", "-z", "-i", "-F", *patterns, "--", "*.md"], self._found)
            self._tracked = _start(root, ["ls-files", "-z", "--", "*.md"]) if self._grep is not None and untracked is None else None

    def untracked(self, paths: Collection[str] | None) -> None:
        """The notes git does not track (read here, not by git grep); None: not known (every note git grep does not name is read)."""
        self._untracked = paths

    def cancel(self) -> None:
        """Stop the background commands (harmless once they are done)."""
        for proc in (self._grep, self._tracked):
            if proc is not None and proc.returncode is None:
                proc.kill()
                proc.communicate()
        self._grep = self._tracked = None
        if self._found is not None:
            self._found.close()
            self._found = None

    def files(self, paths: Collection[str]) -> set[str]:
        return set(self.stream(paths))

    def stream(self, paths: Collection[str]) -> Iterator[str]:
        """Each of `paths` that contains the title, as soon as it is known (each once).

        First the untracked notes, read here (git ls-files is long done by
        then, and they are few); then the tracked ones while git grep is
        still running, in its order. If git cannot answer, every note not
        given yet is read here instead.
        """
        if self.needles is None:
            yield from _scan(self.root, paths, None, self._keys())
            return
        lowered = [n.lower().encode("utf-8") for n in self.needles]
        given: set[str] = set()
        if self._untracked is not None:
            known = True
            untracked = sorted(set(paths) & set(self._untracked))
        else:
            tracked = _finish(self._tracked, ok=(0,))
            self._tracked = None
            known = tracked is not None
            untracked = sorted(set(paths) - tracked) if tracked is not None else []
        if known:
            for path in _scan(self.root, untracked, lowered, None):
                given.add(path)
                yield path
        for path in self._grep_answers():
            if path in paths and path not in given:
                given.add(path)
                yield path
        answered = known and self._grep is not None and self._grep.returncode in (0, 1)
        self.cancel()
        if not answered:
            yield from _scan(self.root, (p for p in paths if p not in given), lowered, None)

    def _grep_answers(self) -> Iterator[str]:
        """The paths git grep printed, as it prints them, until it exits."""
        proc, out = self._grep, self._found
        if proc is None or out is None:
            return
        if not hasattr(os, "pread"):
            proc.wait()  # see _read_from
        offset = 0
        pending = b""
        while True:
            done = proc.poll() is not None  # before reading: what it wrote before exiting is read below
            chunk = _read_from(out, offset)
            offset += len(chunk)
            if chunk:
                parts = (pending + chunk).split(b"\0")
                pending = parts.pop()
                for part in parts:
                    if part:
                        yield part.decode("utf-8", "surrogateescape")
            elif done:
                return
            else:
                time.sleep(POLL_SECONDS)

    def _keys(self) -> list[str]:
        from codex_cli.core.text import key

        return [key(t) for t in self.titles]


# --- a search started before the command that needs it (cli.early) ---------------

_early: Search | None = None


def start_early(root: Path, title: str) -> None:
    """Start the search a command is about to ask for, before it has imported what it needs."""
    global _early
    if _early is None:
        _early = Search(root, title)


def search(root: Path, title: str) -> Search:
    """A search for `title` under `root`: the one started early when it is that one, else a new one."""
    global _early
    early, _early = _early, None
    if early is not None:
        if early.root == root and early.title == title:
            return early
        early.cancel()
    return Search(root, title)


def drop_early() -> None:
    """Stop a search started early that no command took (the command failed before it)."""
    global _early
    early, _early = _early, None
    if early is not None:
        early.cancel()


def _start(root: Path, args: list[str], out: IO[bytes] | None = None) -> subprocess.Popen[bytes] | None:
    env = dict(os.environ)
    env.setdefault("GIT_OPTIONAL_LOCKS", "0")
    try:
        return subprocess.Popen(
            ["git", *args], cwd=root, stdout=out if out is not None else subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
    except OSError:
        return None


def _read_from(handle: IO[bytes], offset: int) -> bytes:
    """What a file holds from `offset` on, leaving the file's position (the child's) alone."""
    if not hasattr(os, "pread"):  # no positioned reads here: the child has to be done
        handle.seek(offset)
        return handle.read()
    chunks: list[bytes] = []
    while True:
        chunk = os.pread(handle.fileno(), 1 << 16, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _finish(proc: subprocess.Popen[bytes] | None, ok: tuple[int, ...]) -> set[str] | None:
    """The NUL-separated paths a git command printed; None when it could not answer."""
    if proc is None:
        return None
    out, _ = proc.communicate()
    if proc.returncode not in ok:
        return None
    found = set(out.decode("utf-8", "surrogateescape").split("\0"))
    found.discard("")
    return found


def _scan(root: Path, paths: Iterable[str], lowered: list[bytes] | None, folded: list[str] | None) -> Iterator[str]:
    from codex_cli.adapters.confined import cached
    from codex_cli.adapters.fs import read_regular

    with cached(root):  # one walk per folder, not per note
        for path in paths:
            try:
                raw = read_regular(root, path)
            except OSError:
                continue
            if lowered is not None:
                text = raw.lower()
                if any(n in text for n in lowered):
                    yield path
                continue
            assert folded is not None
            from codex_cli.core.note import decode
            from codex_cli.core.text import key

            decoded = key(decode(raw)[0])
            if any(k in decoded for k in folded):
                yield path
