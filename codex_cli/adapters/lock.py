"""The vault lock: one mutating codex command at a time on a vault.

Mutating commands hold it (an flock on `lock` in `state_dir`) from opening
the vault to their end, planning included (cli.app_state), and every write
takes it again (re-entrant in one process: ops.commit.land, adapters.apply).
A second command waits a little (`CODEX_LOCK_WAIT` seconds, default 5),
then refuses (exit 4), naming the pid that holds it. Read-only commands do
not lock. The descriptor is passed on to `git commit`, so that a commit a
killed codex left running still holds the lock. A command that waited while
the other one moved HEAD (to the branch it created) refuses too: it was
started on the branch it found, and would otherwise commit onto the
other's.

At a terminal the lock is not held while a person answers questions: a
headless agent arriving meanwhile would otherwise be refused after 5
seconds for as long as the person thinks. The command takes the lock to
open the vault (waiting for a running command, rolling back what a killed
one left), notes where HEAD is (`planning`), lets go, asks, and takes the
lock again to land. Under it, before anything is written, the one apply
checks that every file the plan read still has the bytes it was planned
from (adapters.apply, exit 3 "changed since the plan was made"), and the
lock checks that HEAD is still on the same branch and commit (exit 3,
`PlanOutdated`): a command that landed meanwhile (its own branch, its
commit) means the answers were given about a state that is gone.

The lock (and the intent journal, adapters.journal) live in
`<git dir>/codex/`, or outside git in `<vault>/.codex/`, removed again when
the command ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from codex_cli.adapters.fs import git_dir
from codex_cli.errors import RepositoryBusy

LOCK = "lock"
JOURNAL = "journal.json"  # adapters.journal's record, beside the lock


def state_dir(root: Path) -> Path:
    """`<git dir>/codex` of the repository `root` is in, else `<root>/.codex`."""
    env = os.environ.get("GIT_DIR")
    if env:
        return Path(env).resolve() / "codex"
    for folder in (root, *root.parents):
        found = git_dir(folder)
        if found is not None:
            return found / "codex"
    return root / ".codex"




def journal_left(root: Path) -> bool:
    """Is there an intent journal (adapters.journal) in the state folder? One stat."""
    return os.path.exists(state_dir(root) / JOURNAL)


_held: dict[str, list[int]] = {}  # state folder -> [lock descriptor, depth, folder descriptor]
_moved: dict[str, str] = {}  # state folder -> the branch this process's command switched HEAD to
_planned: dict[str, str] = {}  # state folder -> where HEAD was when a plan began without the lock (`planning`)


def lock_wait() -> float:
    try:
        return float(os.environ.get("CODEX_LOCK_WAIT") or 5)
    except ValueError:
        return 5.0


def held_descriptors() -> tuple[int, ...]:
    """The lock descriptors this process holds (passed on to `git commit`)."""
    return tuple(held[0] for held in _held.values())


def moved_head(root: Path, branch: str) -> None:
    """Say that this command switched HEAD to `branch`: the lock keeps it for a command that waits meanwhile."""
    _moved[str(state_dir(root))] = branch


def planning(root: Path) -> None:
    """A plan begins, and the lock will be let go while a person answers: note where HEAD is.

    The next time this process takes the lock (to land), it refuses unless
    HEAD is still on the same branch and commit.
    """
    folder = state_dir(root)
    _planned[str(folder)] = _head_state(folder)


def command_ended() -> None:
    """Forget what `planning` noted (a caller running several commands in one process)."""
    _planned.clear()


def _head_state(folder: Path) -> str:
    """HEAD's branch (or detached) and commit: `ref: refs/heads/main 1a2b…`; '' outside git."""
    head = _head(folder)
    if not head:
        return ""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "--git-dir", str(folder.parent), "rev-parse", "-q", "--verify", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return head
    return f"{head} {done.stdout.strip()}"


def _check_planned(folder: Path) -> None:
    planned = _planned.pop(str(folder), None)
    if planned is None:
        return
    now = _head_state(folder)
    if now != planned:
        from codex_cli.errors import PlanOutdated

        def where(state: str) -> str:
            head, _, commit = state.rpartition(" ")
            return head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") else f"commit {commit[:10]} (detached)"

        moved = where(now) if where(now) != where(planned) else f"{where(now)}, at another commit"
        raise PlanOutdated(f"while this command waited for your answers, the repository moved (HEAD was on {where(planned)}, now {moved}); nothing was written")


@contextlib.contextmanager
def locked(root: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the vault's lock (re-entrant in one process); RepositoryBusy after `wait` seconds.

    A command that had to wait refuses when, meanwhile, a command it waited
    for switched HEAD (to the branch it created): it was started on the
    branch it found, and would otherwise commit onto the other's.
    """
    folder = state_dir(root)
    key = str(folder)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    started, head = time.time(), _head(folder)
    fd, waited, record, state = acquire(root, folder, lock_wait() if wait is None else wait)
    _held[key] = [fd, 1, state]
    try:
        now = _head(folder)
        moved = record.split()
        if now != head or waited and len(moved) == 3 and float(moved[2]) >= started and now == f"ref: refs/heads/{moved[1]}":
            where = now.removeprefix("ref: refs/heads/") if now.startswith("ref: ") else "another commit"
            raise RepositoryBusy(
                f"another codex command switched to {where} while this one waited; nothing was written",
                hint="run this again to work on that branch, or switch back first",
            )
        _check_planned(folder)
        yield
    finally:
        del _held[key]
        branch = _moved.pop(key, None)
        with contextlib.suppress(OSError):  # kept for the next holder: who moved HEAD, until when
            _write(fd, f"{os.getpid()}\n" + (f"moved {branch} {time.time():.3f}\n" if branch else record))
        if folder.parent == root and not exists_in(state, JOURNAL):
            # outside git the folder is in the vault: leave nothing behind when there is nothing to keep
            with contextlib.suppress(OSError):
                os.unlink(LOCK, dir_fd=state)
                from codex_cli.adapters import confined

                confined.rmdir(root, folder.name)
        os.close(fd)
        os.close(state)


def state_fd(root: Path) -> int:
    """The descriptor of the state folder, while this process holds the lock (the journal's files are opened relative to it)."""
    return _held[str(state_dir(root))][2]


def exists_in(folder_fd: int, name: str) -> bool:
    """Is there a file `name` (a link counts, unfollowed) in the folder of that descriptor?"""
    try:
        os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except OSError:
        return False
    return True


def open_state(root: Path, folder: Path | None = None) -> int:
    """A descriptor of the state folder, made if missing.

    Outside git it is `<vault>/.codex`, in the vault (untrusted): walked from
    the root with no link followed (adapters.confined), so a `.codex` that
    is a link to elsewhere is refused, not written into.
    """
    folder = state_dir(root) if folder is None else folder
    if folder.parent != root:  # in the git directory
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    from codex_cli.adapters import confined
    from codex_cli.adapters.fs import outside

    try:
        return confined.make_folder(root, folder.name)
    except confined.LinkOnPath as exc:
        raise outside(f"{folder.name}/{LOCK}", exc.link) from None


def _head(folder: Path) -> str:
    """What HEAD holds (`ref: refs/heads/main`), read from the git directory; '' outside git."""
    try:
        with open(folder.parent / "HEAD", encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8", "replace"), 0)


def acquire(root: Path, folder: Path, wait: float) -> tuple[int, bool, str, int]:
    """An open, flock'ed descriptor of `folder/lock`; whether it had to wait; the record it holds after the pid;
    a descriptor of `folder`."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no lock
        fcntl = None  # type: ignore[assignment]
    deadline = time.monotonic() + wait
    waited = False
    while True:
        state = -1
        try:
            state = open_state(root, folder)
            fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o644, dir_fd=state)
        except OSError as exc:
            if state >= 0:
                os.close(state)
            raise RepositoryBusy(f"cannot lock the vault: {folder / LOCK}: {exc.strerror}") from None
        if fcntl is None:
            return fd, False, "", state
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            busy = exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)
            holder = _read(fd).partition("\n")[0].strip() if busy else ""
            os.close(fd)
            os.close(state)
            if not busy:
                raise RepositoryBusy(f"cannot lock the vault: {folder / LOCK}: {exc.strerror}") from None
            if time.monotonic() >= deadline:
                raise RepositoryBusy(
                    f"another codex command is running{f' (pid {holder})' if holder else ''}; nothing was written",
                    hint=f"wait for it to finish and run this again (the lock is {folder / LOCK})",
                ) from None
            waited = True
            time.sleep(0.05)
            continue
        try:
            if os.fstat(fd).st_ino != os.stat(LOCK, dir_fd=state, follow_symlinks=False).st_ino:
                raise FileNotFoundError  # the holder removed the file as it let go: lock the new one
        except FileNotFoundError:
            os.close(fd)
            os.close(state)
            continue
        record = _read(fd).partition("\n")[2]
        with contextlib.suppress(OSError):
            _write(fd, f"{os.getpid()}\n{record}")
        return fd, waited, record, state


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return ""
