"""The intent journal and the vault lock: a kill at any instant is recoverable.

Before its first write, a change records on disk what it is about to do
(`begin`): for every file, where it goes, the digest of its new bytes and its
old bytes (in a backup file beside the journal), the folders it will create,
the temporary files it will use, and the git state it starts from (HEAD,
the branch, a branch it creates). Both files are fsync'd before the tree is
touched. When the change is done (committed, staged, or only written outside
git) the journal is removed (`end`).

A journal that is still there means a command died part way. `recover`
(called when any command opens the vault, cli.app_state) then rolls the
change back, always to all-old: every file gets its old bytes again, a file
the change created is removed if it still holds what the change wrote, the
temporary files and created folders go, the index entries it staged are
reset, and a branch it created is removed (HEAD back on the previous one).
The one exception is a commit that landed before the journal could be
removed (the branch moved past the recorded HEAD): that change is complete,
and only the journal goes. An interrupted command in this process rolls back
with the same code (`Transaction`), so both ways agree.

The journal lives beside the vault lock (adapters.lock): in
`<git dir>/codex/`, or outside git in `<vault>/.codex/`. Opening a vault
with nothing to recover costs one stat. Every change holds the lock.

Test only: `CODEX_FAULT_AT=N` with `CODEX_FAULT_KIND=kill|term|int|hup|raise`
makes the Nth write step (`step`) kill the process with SIGKILL, send it
SIGTERM, SIGINT or SIGHUP, or fail with EIO; `CODEX_FAULT_KIND=swap` plays a
hostile process instead: it moves the folder `CODEX_FAULT_SWAP` aside (to
`FOLDER~`) and puts a symbolic link to `CODEX_FAULT_SWAP_TO` in its place.
`CODEX_FAULT_SLEEP=S` sleeps S seconds at every step.
tests/integration/test_faults.py uses them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_cli.adapters.lock import JOURNAL, exists_in, locked, open_state, state_dir, state_fd
from codex_cli.errors import GitFailed, RepositoryBusy

BACKUP = "journal.old"
STAGING = "journal.staging"  # there: staging may have begun
VERSION = 1


# --- the record ---------------------------------------------------------------


@dataclass
class Entry:
    """One file of the change. `old_path` None: the change creates it."""

    path: str
    old_path: str | None
    new_digest: str
    mode: int = 0  # the old file's mode
    offset: int = 0  # its old bytes in the backup file
    length: int = 0


@dataclass
class GitIntent:
    """Where git stood before the change, and what the change does to it."""

    head: str | None  # the commit HEAD pointed at
    previous: str | None  # the branch HEAD was on (None: detached)
    branch: str | None = None  # the branch the commit goes on
    created: bool = False  # the change creates `branch`
    staging: bool = False  # staging may have begun: the index entries are reset on rollback
    paths: list[str] = field(default_factory=list)  # repository-relative paths it stages


@dataclass
class Record:
    pid: int
    command: list[str]
    entries: list[Entry]
    folders: list[str]  # folders the change creates, outermost first
    git: GitIntent | None = None
    version: int = VERSION

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        git = data.get("git")
        return cls(
            pid=int(data["pid"]),
            command=list(data.get("command", [])),
            entries=[Entry(**e) for e in data["entries"]],
            folders=list(data.get("folders", [])),
            git=GitIntent(**git) if git else None,
            version=int(data.get("version", 0)),
        )


def temp_name(pid: int, index: int, kind: str = "") -> str:
    """The temporary file entry `index` uses: `.codex-<pid>-<index><kind>.tmp` in its target's folder."""
    return f".codex-{pid}-{index}{kind}.tmp"


def temp_paths(record: Record) -> list[str]:
    """Every temporary file the change (and a rollback of it) may leave, vault-relative."""
    out = []
    for i, entry in enumerate(record.entries):
        for path in {entry.path, *([entry.old_path] if entry.old_path else [])}:
            folder = path.rpartition("/")[0]
            for kind in ("", "u", "c"):  # write, undo, case-only rename
                out.append(f"{folder}/{temp_name(record.pid, i, kind)}" if folder else temp_name(record.pid, i, kind))
    return sorted(set(out))


# --- fault injection (tests only) -----------------------------------------------


def _fault_settings() -> tuple[int, str, float]:
    """The one place the fault hook's variables are read."""
    try:
        at = int(os.environ.get("CODEX_FAULT_AT") or 0)
        pause = float(os.environ.get("CODEX_FAULT_SLEEP") or 0)
    except ValueError:
        at, pause = 0, 0.0
    return at, os.environ.get("CODEX_FAULT_KIND", "raise"), pause


_FAULT_AT, _FAULT_KIND, _FAULT_SLEEP = _fault_settings()
_steps = 0


def step() -> None:
    """One write step has come: the place where a test makes the process die."""
    global _steps
    _steps += 1
    if _FAULT_SLEEP:
        time.sleep(_FAULT_SLEEP)
    if _steps != _FAULT_AT:
        return
    import signal

    if _FAULT_KIND == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif _FAULT_KIND == "swap":  # a folder becomes a link to outside between the check and the writes
        folder = os.environ["CODEX_FAULT_SWAP"]
        os.rename(folder, folder + "~")
        os.symlink(os.environ["CODEX_FAULT_SWAP_TO"], folder)
    elif _FAULT_KIND in ("term", "int", "hup"):
        os.kill(os.getpid(), {"term": signal.SIGTERM, "int": signal.SIGINT, "hup": signal.SIGHUP}[_FAULT_KIND])
        time.sleep(1)  # the handler raises at once
    else:
        raise OSError(errno.EIO, "injected fault (CODEX_FAULT_AT)", None)


# --- writing the record -----------------------------------------------------------


# The state folder's files are opened relative to its descriptor (adapters.lock.state_fd,
# held with the lock): outside git the folder is `<vault>/.codex`, in the untrusted vault.
_OPEN = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def _fsync_write(folder: int, name: str, data: bytes) -> None:
    tmp = name + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _OPEN, 0o600, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)


def _save(folder: int, record: Record) -> None:
    """The record as JSON, fsync'd (by hand, not asdict: a thousand entries in a few milliseconds)."""
    doc = {
        "version": record.version,
        "pid": record.pid,
        "command": record.command,
        "entries": [
            {"path": e.path, "old_path": e.old_path, "new_digest": e.new_digest, "mode": e.mode, "offset": e.offset, "length": e.length}
            for e in record.entries
        ],
        "folders": record.folders,
        "git": None if record.git is None else {**vars(record.git), "paths": list(record.git.paths)},
    }
    _fsync_write(folder, JOURNAL, json.dumps(doc, separators=(",", ":")).encode("utf-8", "surrogatepass"))
    with contextlib.suppress(OSError):
        os.fsync(folder)


def _read_state(folder: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | _OPEN, dir_fd=folder)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load(folder: int) -> tuple[Record, bytes] | None:
    """The journal in the state folder and its backup bytes; None when there is none."""
    try:
        raw = _read_state(folder, JOURNAL)
    except FileNotFoundError:
        return None
    record = Record.from_json(json.loads(raw.decode("utf-8", "surrogatepass")))
    if record.git is not None and exists_in(folder, STAGING):
        record.git.staging = True
    return record, _backup_of(folder)


def _drop(folder: int) -> None:
    for name in (JOURNAL, BACKUP, STAGING, JOURNAL + ".tmp", BACKUP + ".tmp"):
        try:
            os.unlink(name, dir_fd=folder)
        except FileNotFoundError:
            pass


# --- one change in this process -------------------------------------------------------

# What the last change of this process did, for the message after an interrupt.
_outcome: str | None = None
_reached = -1  # the last entry whose write began (apply.write says so): a rollback in this process skips the rest


def writing(index: int) -> None:
    """The write of entry `index` begins (the entries after it are untouched)."""
    global _reached
    _reached = index


def outcome() -> str:
    """What state an interrupt left things in, as the end of one line."""
    return _outcome or "nothing was written"


def forget() -> None:
    global _outcome
    _outcome = None


class Transaction:
    """One change: `begin` records it, `end` completes it; leaving early rolls it back.

    Use it as a context manager around the writes: any exception (a failed
    write, Ctrl-C, SIGTERM) after `begin` and before `end` rolls every file
    back from the journal, the same way `recover` does for a dead process.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = -1  # the state folder's descriptor, once the lock is held
        self.record: Record | None = None
        self.undo_report: str | None = None
        self.undo_clean = False
        self._lock = contextlib.ExitStack()

    def __enter__(self) -> Transaction:
        self._lock.enter_context(locked(self.root))
        self.folder = state_fd(self.root)
        return self

    def begin(self, entries: Sequence[tuple[Entry, bytes | None]], folders: Sequence[str], git: GitIntent | None = None) -> Record:
        """Write the backup and the journal, fsync'd, before anything else is written."""
        global _outcome
        import sys

        if self.folder < 0:  # not entered (a test playing a killed process): no lock, the folder all the same
            self.folder = open_state(self.root)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(STAGING, dir_fd=self.folder)  # a marker a crash left after its journal was gone
        chunks: list[bytes] = []
        offset = 0
        for entry, old in entries:
            if old is not None:
                entry.offset, entry.length = offset, len(old)
                chunks.append(old)
                offset += len(old)
        global _reached
        _reached = -1
        record = Record(os.getpid(), list(sys.argv), [e for e, _ in entries], list(folders), git)
        _fsync_write(self.folder, BACKUP, b"".join(chunks))
        self.record = record  # before the journal is saved: an interrupt while saving still undoes (nothing)
        _save(self.folder, record)
        _outcome = None
        step()
        return record

    def staging(self) -> None:
        """Staging begins: a rollback resets the index entries of the paths (a marker file, no rewrite of the record)."""
        assert self.record is not None and self.record.git is not None
        self.record.git.staging = True
        os.close(os.open(STAGING, os.O_WRONLY | os.O_CREAT | _OPEN, 0o600, dir_fd=self.folder))

    def end(self, what: str = "the change was written") -> None:
        global _outcome
        self.record = None  # first: an interrupt from here on finds nothing to undo
        _outcome = what + " before the interrupt"
        _drop(self.folder)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        global _outcome
        with self._lock:
            if self.record is None or kind is None:
                return
            try:
                with _signals_deferred():
                    report, self.undo_clean = rollback(self.root, self.folder, self.record, _backup_of(self.folder), reached=_reached)
            except OSError as error:
                report = f"the rollback failed ({error.strerror or error}); the next codex command will try again"
            self.record = None
            self.undo_report = report
            _outcome = report


def _backup_of(folder: int) -> bytes:
    try:
        return _read_state(folder, BACKUP)
    except OSError:
        return b""


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Let no Ctrl-C or SIGTERM stop a rollback half way (the journal would redo it, but later)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [s for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s)]
    old = {name: signal.signal(getattr(signal, name), signal.SIG_IGN) for name in names}
    try:
        yield
    finally:
        for name, handler in old.items():
            signal.signal(getattr(signal, name), handler)


# --- rolling back -----------------------------------------------------------------------------


def rollback(root: Path, folder: int, record: Record, backup: bytes, *, reached: int | None = None) -> tuple[str, bool]:
    """Undo the recorded change, from whatever point it reached; say what was done, and whether all of it.

    Safe to run again after it was itself interrupted: each step looks at
    what is on disk. `reached` (in the process that wrote): the entries
    after it were never written, and are left alone.
    """
    from codex_cli.core.plan import digest

    repo = None
    if record.git is not None:
        from codex_cli.adapters.git import Repository

        repo = Repository.find(root)
        if repo is not None and _committed(repo, record.git):
            for rel in temp_paths(record):
                _unlink_in(root, rel)
            _drop(folder)
            other = [e.path for e in record.entries if digest(_read_in(root, e.path) or b"") != e.new_digest]
            if other:  # a commit, but not the change's: someone committed after the interruption
                return "the branch moved on since (a commit made by hand?), so nothing was undone; not as the change wrote them: " + ", ".join(other), False
            return "the change had been committed; nothing to undo", True
    from codex_cli.adapters import confined

    for rel in temp_paths(record):
        _unlink_in(root, rel)
    restored, removed, kept, unseen = 0, 0, [], []
    touched = record.entries if reached is None else record.entries[: reached + 1]
    # new files first: on a case-insensitive file system a case-only rename's target is its source
    for entry in touched:
        if entry.old_path == entry.path:
            continue
        try:
            current = confined.read_or_none(root, entry.path)
        except confined.LinkOnPath:
            unseen.append(entry.path)  # never through a link: whatever is there stays
            continue
        except OSError:
            current = None
        if current is None:
            continue
        if digest(current) == entry.new_digest:
            _unlink_in(root, entry.path)
            removed += 1
        elif entry.old_path is None or entry.old_path.lower() != entry.path.lower():
            kept.append(entry.path)
    for i, entry in enumerate(touched):
        if entry.old_path is None:
            continue
        old = backup[entry.offset : entry.offset + entry.length]
        if len(old) != entry.length:  # the backup is gone or short: never "restore" what it does not hold
            kept.append(entry.old_path)
            continue
        try:
            if _read_in(root, entry.old_path, strict=True) != old:
                write_file(root, entry.old_path, old, entry.mode, temp_name(record.pid, i, "u"), fault=False)
                restored += 1
        except confined.LinkOnPath:
            unseen.append(entry.old_path)
    for rel in reversed(record.folders):
        try:
            confined.rmdir(root, rel)
        except OSError:
            pass
    clean = not kept and not unseen
    words = [f"{_count(restored, 'file')} restored" if restored else "", f"{_count(removed, 'new file')} removed" if removed else ""]
    if repo is not None and record.git is not None:
        git_words, git_clean = _rollback_git(repo, record.git)
        words.extend(git_words)
        clean = clean and git_clean
    _drop(folder)
    said = ", ".join(w for w in words if w) or "nothing had been written"
    if kept:
        said += "; left as they are (changed since, or no backup to restore from): " + ", ".join(kept)
    if unseen:
        said += "; not touched (a symbolic link is on the way to them now): " + ", ".join(unseen)
    return "rolled back: " + said, clean


def _committed(repo: Any, git: GitIntent) -> bool:
    """Did the commit land? The branch it went on moved past the recorded HEAD."""
    name = git.branch or git.previous
    try:
        now = repo._run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}^{{commit}}") if name else repo.head()
    except GitFailed:
        now = None
    return bool(now) and now != git.head


def _rollback_git(repo: Any, git: GitIntent) -> tuple[list[str], bool]:
    words: list[str] = []
    clean = True
    if git.staging and git.paths:
        try:
            if git.head is not None:
                repo._feed(["reset", "-q", git.head, "--pathspec-from-file=-", "--pathspec-file-nul"], _nul(git.paths))
            else:
                repo._feed(["rm", "-q", "--cached", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul"], _nul(git.paths))
            words.append("unstaged")
        except GitFailed as exc:
            words.append(f"the index could not be reset ({exc.message})")
            clean = False
    if git.branch and git.branch != git.previous and repo.branch() == git.branch:
        try:
            if git.created:
                # the branch was made at HEAD and holds no commit: HEAD goes back without touching a file
                repo._run("symbolic-ref", "HEAD", f"refs/heads/{git.previous}") if git.previous else repo._run(
                    "checkout", "-q", "--detach", git.head or "HEAD"
                )
            else:
                repo._run("switch", "-q", git.previous) if git.previous else repo._run("switch", "-q", "--detach", git.head or "HEAD")
            words.append(f"back on {git.previous or 'the detached HEAD'}")
        except GitFailed as exc:
            words.append(f"still on {git.branch} ({exc.message})")
            clean = False
    if git.created and git.branch and repo.branch() != git.branch:
        try:
            at = repo._run("rev-parse", "--verify", "--quiet", f"refs/heads/{git.branch}")
            if at == (git.head or ""):
                repo._run("branch", "-D", "--", git.branch)
                words.append(f"branch {git.branch} removed")
        except GitFailed:
            clean = False
    return words, clean


def _nul(paths: Sequence[str]) -> bytes:
    return b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _read_in(root: Path, rel: str, *, strict: bool = False) -> bytes | None:
    """A vault file's bytes, None when it is not there (or, unless `strict`, behind a link)."""
    from codex_cli.adapters import confined

    try:
        return confined.read_or_none(root, rel)
    except confined.LinkOnPath:
        if strict:
            raise
        return None
    except OSError:
        return None


def _unlink_in(root: Path, rel: str) -> None:
    from codex_cli.adapters import confined

    try:
        confined.unlink(root, rel)
    except OSError:  # a link on the way included: nothing is removed through it
        pass


def write_file(root: Path, rel: str, data: bytes, mode: int, tmp_name: str, *, fault: bool = True) -> None:
    """Write a vault file through the temporary file `tmp_name` beside it, then move it into place (adapters.confined)."""
    from codex_cli.adapters import confined

    confined.write_atomic(root, rel, data, mode, tmp_name, before_rename=step if fault else None)


# --- recovery at the start of a command ----------------------------------------------------


def _unconfined_paths(root: Path, record: Record) -> list[str]:
    """The recorded paths a rollback would write or remove that are not plain vault paths (adapters.fs's rule)."""
    from codex_cli.adapters.fs import refuse_unconfined
    from codex_cli.errors import OutsideVault

    out = []
    for rel in [*(p for e in record.entries for p in (e.path, e.old_path) if p), *record.folders]:
        try:
            refuse_unconfined(root, rel)
        except OutsideVault:
            out.append(rel)
    return out


def recover(root: Path, *, locked_already: bool = False) -> str | None:
    """Roll back a change a dead command left; one line saying what was done, or None.

    Costs one stat when there is no journal. A journal whose lock is held
    belongs to a command still running, and is left alone.
    """
    folder = state_dir(root)
    if not os.path.exists(folder / JOURNAL):
        return None
    with contextlib.ExitStack() as stack:
        if not locked_already:
            try:
                stack.enter_context(locked(root, wait=0))
            except RepositoryBusy:
                return None  # its command is still running
        fd = state_fd(root)
        try:
            found = load(fd)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"an interrupted codex command left a journal that cannot be read ({exc}); see {folder / JOURNAL}"
        if found is None:
            return None
        record, backup = found
        outside = _unconfined_paths(root, record)
        if outside:  # the journal is data on disk too: never let it steer a write out of the vault
            return f"an interrupted codex command left a journal naming paths outside the vault ({', '.join(outside)}); nothing was undone; see {folder / JOURNAL}"
        with _signals_deferred():
            report, _ = rollback(root, fd, record, backup)
        return f"recovered an interrupted codex command (pid {record.pid}): {report}"
    return None
