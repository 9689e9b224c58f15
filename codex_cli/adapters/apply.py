"""Carry out a Plan as one step: it completes, or every file is as it was.

1. Check: every path stays inside the vault with no symbolic link on the
   way (adapters.fs.refuse_unconfined: the last line of defence, whatever
   planned it); every file the plan read is a regular file that still has
   the bytes it had when planned; and nothing exists where the plan creates
   or moves a file (a case-only rename of the same file excepted).
2. Write each new content to a temporary file beside its target, then move
   it into place; remove the sources of moves last.
3. On any failure, undo in reverse: restore the saved bytes, remove what was
   created, and report the first error.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from codex_cli.adapters.fs import read_regular, refuse_unconfined
from codex_cli.core.plan import FileChange, Plan, digest
from codex_cli.errors import ApplyFailed, Exists, StaleFile


@dataclass
class Applied:
    written: list[str]
    removed: list[str]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def verify(root: Path, plan: Plan) -> None:
    _check(root, plan)


def _check(root: Path, plan: Plan) -> dict[Path, tuple[bytes, int]]:
    """Verify the plan against the files; return the bytes and mode of each file it changes.

    Each file is read once: the bytes that match the plan's digest are the
    ones a rollback restores.
    """
    saved: dict[Path, tuple[bytes, int]] = {}
    changes = plan.effective()
    for change in changes:  # the last line of defence, before anything is read or written
        for path in (change.old_path, change.path):
            if path is not None:
                refuse_unconfined(root, path)
    for change in changes:
        if change.old_path is not None:
            src = root / change.old_path
            try:
                current = read_regular(str(src))
                mode = os.lstat(src).st_mode & 0o7777
            except OSError:
                raise StaleFile(change.old_path) from None
            if digest(current) != change.base_digest:
                raise StaleFile(change.old_path)
            saved[src] = (current, mode)
        if change.is_create or change.is_move:
            dst = root / change.path
            if os.path.lexists(dst):
                if change.is_move and _same_file(dst, root / (change.old_path or "")):
                    continue  # case-only rename on a case-insensitive file system
                raise Exists(change.path)
    return saved


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_atomic(target: Path, data: bytes, mode: int | None) -> None:
    """Write through a temporary file beside the target; new files get the usual mode."""
    if mode is None:
        mode = _default_mode()
    try:
        fd, tmp = _temporary(target.parent, mode)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _temporary(target.parent, mode)
    try:
        try:
            # os.write, not a file object: that asks whether the file is a
            # terminal and where it stands (three more system calls a file)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_names = itertools.count()


def _temporary(folder: Path, mode: int) -> tuple[int, str]:
    """A new, empty file in `folder`: `.codex-<pid>-<n>.tmp`, never one that exists."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        path = os.path.join(folder, f".codex-{os.getpid()}-{next(_names)}.tmp")
        try:
            return os.open(path, flags, mode & 0o777), path
        except FileExistsError:
            continue


def apply(root: Path, plan: Plan) -> Applied:
    saved = _check(root, plan)  # original path -> (bytes, mode)
    changes = plan.effective()
    created_dirs: list[Path] = []
    written: list[Path] = []
    removed: list[Path] = []
    try:
        for change in changes:
            _apply_one(root, change, saved, created_dirs, written, removed)
    except BaseException as exc:
        _rollback(saved, written, removed, created_dirs)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = getattr(exc, "filename", None)
        raise ApplyFailed(
            f"could not write {os.path.relpath(where, root) if where else 'the change'}: {detail}; every file was restored"
        ) from exc
    return Applied(
        written=sorted(p.relative_to(root).as_posix() for p in written),
        removed=sorted(p.relative_to(root).as_posix() for p in removed),
    )


def _apply_one(
    root: Path,
    change: FileChange,
    saved: dict[Path, tuple[bytes, int]],
    created_dirs: list[Path],
    written: list[Path],
    removed: list[Path],
) -> None:
    from codex_cli.core.note import encode

    data = encode(change.after())
    target = root / change.path
    mode = saved[root / change.old_path][1] if change.old_path is not None else None
    # remember folders this creates so that a rollback can remove them
    parent = target.parent
    missing = []
    while not parent.exists() and parent != root:
        missing.append(parent)
        parent = parent.parent
    created_dirs.extend(reversed(missing))
    if change.is_move and change.old_path is not None:
        src = root / change.old_path
        if _same_file(target, src):
            # case-only rename: go through a temporary name
            tmp = src.with_name(f".codex-rename-{os.getpid()}.tmp")
            os.rename(src, tmp)
            removed.append(src)
            saved[tmp] = saved[src]
            _write_atomic(target, data, mode)
            written.append(target)
            os.unlink(tmp)
            del saved[tmp]
            return
        _write_atomic(target, data, mode)
        written.append(target)
        os.unlink(src)
        removed.append(src)
        return
    _write_atomic(target, data, mode)
    written.append(target)


def _rollback(
    saved: dict[Path, tuple[bytes, int]],
    written: list[Path],
    removed: list[Path],
    created_dirs: list[Path],
) -> None:
    for path in reversed(written):
        if path not in saved:
            try:
                os.unlink(path)
            except OSError:
                pass
    for path, (data, mode) in saved.items():
        if path.name.startswith(".codex-rename-"):
            continue
        try:
            current = path.read_bytes() if path.exists() else None
        except OSError:
            current = None
        if current != data:
            try:
                _write_atomic(path, data, mode)
            except OSError:
                pass
    for path in saved:
        if path.name.startswith(".codex-rename-") and path.exists():
            try:
                os.unlink(path)
            except OSError:
                pass
    for folder in reversed(created_dirs):
        try:
            folder.rmdir()
        except OSError:
            pass
