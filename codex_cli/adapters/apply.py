"""Carry out a Plan as one step: it completes, or every file is as it was.

1. Check (`prepare`): every path stays inside the vault with no symbolic
   link on the way (adapters.fs.refuse_unconfined: the last line of
   defence, whatever planned it); every file the plan read is a regular
   file that still has the bytes it had when planned; and nothing exists
   where the plan creates or moves a file (a case-only rename of the same
   file excepted). Keep the old bytes.
2. Record the change in the intent journal (adapters.journal), fsync'd,
   before the first write.
3. Write each new content to a temporary file beside its target, then move
   it into place; a move removes its source right after. Every write is
   made relative to folder descriptors walked from the vault root with no
   link followed (adapters.confined): a folder swapped for a link after the
   check is refused when the write reaches it, and the change rolled back.
4. On any failure or interrupt, roll back from the journal: restore the old
   bytes, remove what was created, and report the first error. A process
   killed part way is rolled back the same way by the next command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from codex_cli.adapters import confined, journal
from codex_cli.adapters.fs import outside, refuse_unconfined
from codex_cli.core.plan import FileChange, Plan, digest
from codex_cli.errors import ApplyFailed, Exists, StaleFile


@dataclass
class Applied:
    written: list[str]
    removed: list[str]


@dataclass
class Prepared:
    """A checked plan: each change with its new bytes, and the journal entries that undo it."""

    changes: list[FileChange]
    data: list[bytes]
    entries: list[tuple[journal.Entry, bytes | None]]  # entry, old bytes
    folders: list[str]  # folders the writes create, outermost first


def verify(root: Path, plan: Plan) -> None:
    _check(root, plan)


def _check(root: Path, plan: Plan) -> dict[str, tuple[bytes, int]]:
    """Verify the plan against the files; return the bytes and mode of each file it changes.

    Each file is read once: the bytes that match the plan's digest are the
    ones a rollback restores.
    """
    saved: dict[str, tuple[bytes, int]] = {}
    changes = plan.effective()
    for change in changes:  # the last line of defence, before anything is read or written
        for path in (change.old_path, change.path):
            if path is not None:
                refuse_unconfined(root, path)
    for change in changes:
        if change.old_path is not None:
            try:
                current, info = confined.read_with_stat(root, change.old_path)
                mode = info.st_mode & 0o7777
            except confined.LinkOnPath as exc:
                raise outside(change.old_path, exc.link) from None
            except OSError:
                raise StaleFile(change.old_path) from None
            if digest(current) != change.base_digest:
                raise StaleFile(change.old_path)
            saved[change.old_path] = (current, mode)
        if (change.is_create or change.is_move) and confined.lstat(root, change.path) is not None:
            if change.is_move and confined.same_file(root, change.path, change.old_path or ""):
                continue  # case-only rename on a case-insensitive file system
            raise Exists(change.path)
    return saved


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def prepare(root: Path, plan: Plan) -> Prepared:
    """Check the plan against the files and compute everything the writes and a rollback need."""
    with confined.cached(root):  # one walk per folder: the writes walk again, each time
        return _prepare(root, plan)


def _prepare(root: Path, plan: Plan) -> Prepared:
    from codex_cli.core.note import encode

    saved = _check(root, plan)
    changes = plan.effective()
    data = [encode(change.after()) for change in changes]
    entries: list[tuple[journal.Entry, bytes | None]] = []
    folders: list[str] = []
    seen: set[str] = set()
    for change, new in zip(changes, data, strict=True):
        old, mode = saved[change.old_path] if change.old_path is not None else (None, 0)
        entries.append((journal.Entry(change.path, change.old_path, digest(new), mode), old))
        missing = []
        parent = change.path.rpartition("/")[0]
        while parent and parent not in seen and confined.lstat(root, parent) is None:
            seen.add(parent)
            missing.append(parent)
            parent = parent.rpartition("/")[0]
        folders.extend(reversed(missing))
    return Prepared(changes, data, entries, sorted(folders, key=lambda f: f.count("/")))


def write(root: Path, prepared: Prepared) -> Applied:
    """Write every change (the journal must already hold them)."""
    pid = os.getpid()
    written: list[str] = []
    removed: list[str] = []
    new_mode = _default_mode()
    for i, (change, data, (entry, _)) in enumerate(zip(prepared.changes, prepared.data, prepared.entries, strict=True)):
        journal.writing(i)
        mode = entry.mode if change.old_path is not None else new_mode
        if change.is_move and change.old_path is not None:
            src = change.old_path
            if confined.same_file(root, change.path, src):
                # case-only rename on a case-insensitive file system: through a temporary name
                folder = src.rpartition("/")[0]
                aside = f"{folder}/{journal.temp_name(pid, i, 'c')}" if folder else journal.temp_name(pid, i, "c")
                journal.step()
                confined.rename(root, src, aside)
                journal.write_file(root, change.path, data, mode, journal.temp_name(pid, i))
                journal.step()
                confined.unlink(root, aside)
            else:
                journal.write_file(root, change.path, data, mode, journal.temp_name(pid, i))
                journal.step()
                confined.unlink(root, src)
            written.append(change.path)
            removed.append(change.old_path)
            continue
        journal.write_file(root, change.path, data, mode, journal.temp_name(pid, i))
        written.append(change.path)
    journal.step()
    return Applied(written=sorted(written), removed=sorted(removed))


def failed(root: Path, exc: OSError, txn: journal.Transaction) -> ApplyFailed:
    """The error for a write that failed: which file, why, and what the rollback did."""
    detail = exc.strerror or str(exc)
    where = exc.filename
    name = (os.path.relpath(where, root) if os.path.isabs(where) else where) if isinstance(where, str) and where else "the change"
    if name.startswith(".codex-") or "/.codex-" in name:
        name = "the change"  # a temporary file: its name means nothing to anyone
    report = txn.undo_report or ""
    undone = "every file was restored" if txn.undo_clean else report
    if isinstance(exc, confined.LinkOnPath):  # swapped in after the check: refused where the write met it
        where_link = "" if exc.link == name else f" ({exc.link} is one)"
        return ApplyFailed(
            f"refusing to write {name}: it goes through a symbolic link{where_link}; {undone}",
            hint="a folder became a symbolic link while codex was writing; codex never writes through one (docs/safety.md)",
        )
    return ApplyFailed(f"could not write {name}: {detail}; {undone}")


def apply(root: Path, plan: Plan) -> Applied:
    """Check, record, write: all of the plan, or (after any failure) none of it."""
    txn = journal.Transaction(root)
    try:
        with txn:
            prepared = prepare(root, plan)
            txn.begin(prepared.entries, prepared.folders)
            applied = write(root, prepared)
            txn.end()
    except OSError as exc:
        raise failed(root, exc, txn) from exc
    return applied
