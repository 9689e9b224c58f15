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
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


@dataclass
class Listing:
    paths: list[str]
    untracked: list[str] = field(default_factory=list)
    in_git: bool = False


class _Run:
    """A git command writing to a temporary file (a pipe holds 64 KB: git would wait for Python, still importing)."""

    def __init__(self, root: Path, args: list[str], env: dict[str, str]) -> None:
        import tempfile

        self.out = tempfile.TemporaryFile(prefix="codex-ls-")  # noqa: SIM115 (closed by output or stop)
        try:
            self.proc = subprocess.Popen(["git", *args], cwd=root, stdout=self.out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        except OSError:
            self.out.close()
            raise

    def output(self) -> bytes | None:
        """What it printed; None when it failed."""
        if self.out.closed:
            return None
        code = self.proc.wait()
        self.out.seek(0)
        data = self.out.read()
        self.out.close()
        return data if code == 0 else None

    def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


Procs = tuple[_Run, _Run]


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
        tracked = _Run(root, ["ls-files", "-z", "--deduplicate", "--", "*.md"], env)
    except OSError:
        return None
    try:
        return (tracked, _Run(root, ["ls-files", "-z", "-o", "--", "*.md"], env))
    except OSError:
        tracked.stop()
        return None


ALIAS_KEY = "aliases"  # the frontmatter key (core.resolve.aliases_of): a note holding an alias holds this word
DEFAULT_BASES = ("main", "master")  # config.py's protected_branches, for a search started before the configuration is read


class _Early:
    """What cli.early started for a scoped check before typer was imported: the
    listing, and for `--changed` (in a thread, while Python imports) what
    changed since the base and the one `git grep` for the titles the change
    added and deleted (and `aliases`), which ops.check_scope takes when the
    words it needs are among them. Anything not taken is stopped by `drop_early`."""

    def __init__(self, root: Path, procs: Procs, changed: tuple[str | None, bool] | None) -> None:
        self.root, self.procs, self.args = root, procs, changed
        self.outputs: tuple[bytes | None, bytes | None] | None = None
        self.taken = False
        self.changed: Changes | None = None
        self.asked: list[str] = []
        self.before: dict[str, bytes] = {}
        self.words: list[str] = []
        self.search: Any = None  # adapters.grep.Search
        self.thread: threading.Thread | None = None
        if changed is not None:
            self.thread = threading.Thread(target=self._prefetch, daemon=True)
            self.thread.start()

    def listed(self) -> tuple[bytes | None, bytes | None] | None:
        """git ls-files' outputs (None: it failed): tracked, untracked; handed over once (None after)."""
        if self.thread is not None:
            self.thread.join()
        if self.taken:
            return None
        self.taken = True
        outputs, self.outputs = self.outputs, None  # not kept: 10 MB on 100,000 notes
        return outputs if outputs is not None else _outputs(self.procs)

    def _prefetch(self) -> None:
        since, staged = self.args or (None, False)
        try:
            self.changed = _changes(self.root, since, DEFAULT_BASES, staged)
        except Exception:  # noqa: BLE001 (the command asks again, and reports it)
            self.changed = None
        untracked: bytes | None = None
        try:
            if self.changed is not None:  # the search first: the slowest step, and it needs only the titles
                self._search([*self.changed.deleted, *self.changed.added], [])
            untracked = self.procs[1].output()
            if self.changed is not None:
                news = _paths(untracked, ()) if untracked else []
                if not staged:  # untracked notes are new too: searched for (again, with them, if there are any)
                    self._search([*self.changed.deleted, *self.changed.added, *news], news)
                if self.search is not None:
                    self.search.untracked(None if untracked is None else news)
                self.asked = [*self.changed.edited, *self.changed.deleted]  # their base versions, while it runs
                self.before = _at_base(self.root, self.changed.base, self.asked)
        finally:
            self.outputs = (self.procs[0].output(), untracked)

    def _search(self, paths: list[str], untracked: list[str]) -> None:
        titles = [p.rpartition("/")[2][:-3] for p in paths if p.endswith(".md")]
        words = list(dict.fromkeys([*titles, ALIAS_KEY]))
        if not titles or (self.search is not None and set(words) <= set(self.words)):
            return
        from codex_cli.adapters import grep

        if self.search is not None:
            self.search.cancel()
        self.words = words
        self.search = grep.Search(self.root, *words, untracked=untracked)

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.join()
        for run in self.procs:
            run.stop()
        if self.search is not None:
            self.search.cancel()
            self.search = None


def _outputs(procs: Procs) -> tuple[bytes | None, bytes | None]:
    return procs[0].output(), procs[1].output()


_early: _Early | None = None


def start_early(root: Path, changed: tuple[str | None, bool] | None = None) -> None:
    """Start the listing under `root`; with `changed` (--since REF or None, --staged), what changed and its search too."""
    global _early
    procs = start(root)
    if procs is not None:
        _early = _Early(root, procs, changed)


def drop_early() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        early.stop()


def take_search(root: Path) -> tuple[list[str], Any] | None:
    """(the words, the adapters.grep.Search) started early for `root`, once; None if there is none."""
    early = _early
    if early is None or early.root != root or early.search is None:
        return None
    found, early.search = early.search, None
    return early.words, found


def notes(root: Path, ignored: Sequence[str] = ()) -> Listing:
    """Every note under `root`: from git (the listing started early when it is for `root`), else a walk."""
    early = _early
    outputs = early.listed() if early is not None and early.root == root else None
    if outputs is None:
        procs = start(root)
        outputs = _outputs(procs) if procs is not None else None
    if outputs is not None and outputs[0] is not None and outputs[1] is not None:
        paths = _paths(outputs[0], ignored)
        more = _paths(outputs[1], ignored)
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
    early = _early
    if early is not None and early.root == root and early.args == (since, staged) and tuple(bases) == DEFAULT_BASES:
        if early.thread is not None:
            early.thread.join()
        if early.changed is not None:
            return early.changed  # what cli.early asked for: the same question
    return _changes(root, since, bases, staged)


def _changes(root: Path, since: str | None, bases: Sequence[str], staged: bool) -> Changes:
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
    """The bytes of `paths` (relative to `root`) in commit `base`, those it has: one `git cat-file --batch`
    (or what cli.early's thread asked it for the same change)."""
    early = _early
    if early is not None and early.root == root and early.changed is not None and early.changed.base == base and set(paths) <= set(early.asked):
        return {p: early.before[p] for p in paths if p in early.before}
    return _at_base(root, base, paths)


def _at_base(root: Path, base: str, paths: Sequence[str]) -> dict[str, bytes]:
    if base == EMPTY_TREE:
        return {}
    return _cat(root, {p: f"{base}:./{p}" for p in paths if "\n" not in p})


def _cat(root: Path, objects: dict[str, str]) -> dict[str, bytes]:
    """The blobs `objects` names (a key: what git cat-file --batch is asked for it), those git has."""
    names = list(objects)
    if not names:
        return {}
    request = "".join(f"{objects[p]}\n" for p in names).encode("utf-8", "surrogateescape")
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


def at_commit(root: Path, commit: str, ignored: Sequence[str] = (), started: _Run | None = None) -> dict[str, str]:
    """Every note under `root` in commit `commit`, with its blob's id (`git ls-tree`:
    regular files named `*.md`, with the walk's rules: no hidden paths, none
    `ignored`); none for EMPTY_TREE. `started`: the `git ls-tree` `list_commit` started."""
    import re

    from codex_cli.errors import UsageError

    if commit == EMPTY_TREE:
        return {}
    run = started or list_commit(root, commit)
    out = run.output() if run is not None else None
    if out is None:
        raise UsageError(f"{commit}: git cannot list it")
    # "<mode> blob <id>\t<path>\0" for each file, matched in C
    found = re.findall(rb"(?<![^\0])100(?:644|755) blob ([0-9a-f]+)\t([^\0]*\.md)\0", out)
    ids = {name.decode("utf-8", "surrogateescape"): oid.decode() for oid, name in found}
    names = b"".join(name + b"\0" for _, name in found)
    return {p: ids[p] for p in _paths(names, ignored)}


def list_commit(root: Path, commit: str) -> _Run | None:
    """Start `git ls-tree -r` of `commit` (for `at_commit`), writing to a temporary file."""
    env = dict(os.environ)
    env.setdefault("GIT_OPTIONAL_LOCKS", "0")
    try:
        return _Run(root, ["ls-tree", "-r", "-z", commit], env)
    except OSError:
        return None


def blobs(root: Path, ids: dict[str, str]) -> dict[str, bytes]:
    """The bytes of the blobs `ids` names (path: blob id), by one `git cat-file --batch`
    (by id: naming `COMMIT:path` would read the path's trees again for every blob)."""
    return _cat(root, {p: i for p, i in ids.items()})


def mentioning(root: Path, commit: str, word: str) -> list[str]:
    """The notes under `root` in commit `commit` that hold `word` in any case (one `git grep`)."""
    if commit == EMPTY_TREE:
        return []
    out = subprocess.run(["git", "grep", "-l", "-z", "-i", "-F", "-e", word, commit, "--", "*.md"], cwd=root, capture_output=True)
    if out.returncode not in (0, 1):
        return []
    prefix = f"{commit}:"
    names = out.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [n.removeprefix(prefix) for n in names if n]


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
