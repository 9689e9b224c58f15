"""File operations in the vault relative to folder descriptors: a symbolic link is never followed.

Every read and write of a vault path goes through here: the note reads, the
one apply (temporary file, rename into place, unlink, mkdir) and the
journal's restore. A path is opened one component at a time from the vault
root with O_NOFOLLOW|O_DIRECTORY, and the operation itself (open, rename,
unlink, mkdir, rmdir, lstat) is made relative to the descriptor of its
folder. Checking a path and using it are then the same step: a folder
swapped for a symbolic link at any moment (by another process, a hostile
hook, a sync tool) is met as a link and refused (`LinkOnPath`, an OSError
with errno ELOOP), never followed, however late it was swapped in.

- The vault root itself is opened by its path: the user chose it (`-C DIR`
  may well be a link).
- Writes walk from the root every time, so a swap is noticed at the next
  write. Reads inside `cached(root)` (the loops that read every note) keep
  a few folder descriptors: one that was inside the vault when it was
  opened stays so, whatever happens to the path later.
- A descriptor pins a folder, not its place: a folder moved elsewhere by
  another process while it is open is still written into. That needs the
  power to move the vault's own folders; a link cannot do it.

The text rule for a vault path (no `..`, no absolute path, no `.git`) is
core.paths; adapters.fs.refuse_unconfined applies both before a plan runs,
for a clear message before the first write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
_FOLDER = _DIR | _NOFOLLOW
_READ = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _NONBLOCK | _CLOEXEC | getattr(os, "O_BINARY", 0)
_KEEP = 64  # folder descriptors a `cached` scope keeps open


class LinkOnPath(OSError):
    """A component of the path is a symbolic link (`link`, vault-relative): refused, never followed."""

    def __init__(self, path: str, link: str) -> None:
        super().__init__(errno.ELOOP, "a symbolic link is on the way", path)
        self.link = link


# --- walking to a folder ----------------------------------------------------------------


class _Cache:
    """Folder descriptors of one vault root, least recently used dropped first."""

    def __init__(self) -> None:
        self.fds: OrderedDict[str, int] = OrderedDict()
        self.depth = 0

    def get(self, folder: str) -> int | None:
        fd = self.fds.get(folder)
        if fd is not None:
            self.fds.move_to_end(folder)
        return fd

    def put(self, folder: str, fd: int) -> None:
        self.fds[folder] = fd
        while len(self.fds) > _KEEP:
            _, old = self.fds.popitem(last=False)
            os.close(old)

    def close(self) -> None:
        while self.fds:
            os.close(self.fds.popitem()[1])


_caches: dict[str, _Cache] = {}


@contextlib.contextmanager
def cached(root: Path | str) -> Iterator[None]:
    """Reads of `root` in this scope reuse folder descriptors (a loop over every note)."""
    key = os.fspath(root)
    cache = _caches.setdefault(key, _Cache())
    cache.depth += 1
    try:
        yield
    finally:
        cache.depth -= 1
        if cache.depth == 0:
            cache.close()
            _caches.pop(key, None)


def _forget(root: Path | str) -> None:
    """A write: the folders may change, so a cache of this root starts again."""
    cache = _caches.get(os.fspath(root))
    if cache is not None:
        cache.close()


def _open_folder(fd: int, part: str, path: str, done: list[str], create: bool) -> int:
    try:
        return os.open(part, _FOLDER, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            _raise_if_link(fd, part, path, done)
        raise
    try:
        os.mkdir(part, 0o777, dir_fd=fd)
    except FileExistsError:
        pass  # made meanwhile: open it (a link made meanwhile is refused there)
    try:
        return os.open(part, _FOLDER, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):
            _raise_if_link(fd, part, path, done)
        raise


def _raise_if_link(fd: int, part: str, path: str, done: list[str]) -> None:
    try:
        mode = os.lstat(part, dir_fd=fd).st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        raise LinkOnPath(path, "/".join([*done, part]))


def _folder(root: Path | str, path: str, *, create: bool = False) -> tuple[int, str, bool]:
    """The descriptor of `path`'s folder, its last component, and whether the caller closes the descriptor.

    Every folder on the way is opened with O_NOFOLLOW relative to the one
    before it; with `create`, a missing one is made (mode 0777 less the umask).
    """
    parts = path.split("/")
    name = parts.pop()
    if not name or any(p in ("", ".", "..") for p in parts) or name in (".", ".."):
        raise OSError(errno.EINVAL, "not a plain vault path", path)
    cache = _caches.get(os.fspath(root)) if not create else None
    start = 0
    fd = -1
    if cache is not None:
        for i in range(len(parts), -1, -1):  # the deepest folder already open ("" is the root)
            found = cache.get("/".join(parts[:i]))
            if found is not None:
                fd, start = found, i
                break
    if fd < 0:
        fd = os.open(root, _DIR)
        if cache is not None:
            cache.put("", fd)
    owned = cache is None
    try:
        for i in range(start, len(parts)):
            nxt = _open_folder(fd, parts[i], path, parts[:i], create)
            if owned:
                os.close(fd)
            fd = nxt
            if cache is not None:
                cache.put("/".join(parts[: i + 1]), fd)
    except BaseException:
        if owned:
            os.close(fd)
        raise
    return fd, name, owned


@contextlib.contextmanager
def _named(path: str) -> Iterator[None]:
    """An OSError names the vault-relative path (an operation relative to a folder knows only the last part)."""
    try:
        yield
    except OSError as exc:
        if not isinstance(exc, LinkOnPath):
            exc.filename = path
        raise


@contextlib.contextmanager
def folder_of(root: Path | str, path: str, *, create: bool = False) -> Iterator[tuple[int, str]]:
    """(descriptor of `path`'s folder, its file name), walked with no link followed."""
    fd, name, owned = _folder(root, path, create=create)
    try:
        yield fd, name
    finally:
        if owned:
            os.close(fd)


def make_folder(root: Path | str, folder: str) -> int:
    """A descriptor of the vault folder `folder`, made (with the folders on the way) if missing; the caller closes it."""
    fd, _, _ = _folder(root, f"{folder}/-", create=True)  # the walk to a file in it: `folder` is the last one opened
    return fd


# --- reading ----------------------------------------------------------------------------------


def read_with_stat(root: Path | str, path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular vault file and its stat; OSError for a link (anywhere on the path),
    a FIFO, a device or a folder (O_NONBLOCK: a FIFO never blocks the open)."""
    with _named(path), folder_of(root, path) as (fd, name):
        try:
            file = os.open(name, _READ, dir_fd=fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):
                _raise_if_link(fd, name, path, path.split("/")[:-1])
            raise
    try:
        info = os.fstat(file)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        pieces = []
        while True:
            piece = os.read(file, max(info.st_size + 1, 65536))
            if not piece:
                break
            pieces.append(piece)
        return (pieces[0] if len(pieces) == 1 else b"".join(pieces)), info
    finally:
        os.close(file)


def read(root: Path | str, path: str) -> bytes:
    return read_with_stat(root, path)[0]


def read_or_none(root: Path | str, path: str) -> bytes | None:
    """The bytes, or None when there is no such file (a link on the way still raises LinkOnPath)."""
    try:
        return read(root, path)
    except LinkOnPath:
        raise
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def lstat(root: Path | str, path: str) -> os.stat_result | None:
    """The path's own lstat (a link is not followed); None when it or a folder on the way is missing."""
    try:
        with folder_of(root, path) as (fd, name):
            return os.lstat(name, dir_fd=fd)
    except (FileNotFoundError, NotADirectoryError):
        return None


def first_link(root: Path | str, path: str) -> str | None:
    """The first component of `path` that is a symbolic link; None when none is (or a part is missing)."""
    try:
        info = lstat(root, path)
    except LinkOnPath as exc:
        return exc.link
    except OSError:
        return None
    return path if info is not None and stat.S_ISLNK(info.st_mode) else None


# --- writing ------------------------------------------------------------------------------------


def write_atomic(root: Path | str, path: str, data: bytes, mode: int, tmp_name: str, *, before_rename: Callable[[], None] | None = None) -> None:
    """Write `data` to the temporary file `tmp_name` beside `path` (folders made as needed), then move it into place.

    The temporary file is created fresh (O_EXCL: whatever a name clash left
    there is removed first, a link without following it) and renamed in
    the same folder descriptor, so both land where the walk checked.
    """
    _forget(root)
    with _named(path), folder_of(root, path, create=True) as (fd, name):
        try:
            file = os.open(tmp_name, _CREATE, mode & 0o777, dir_fd=fd)
        except FileExistsError:
            os.unlink(tmp_name, dir_fd=fd)
            file = os.open(tmp_name, _CREATE, mode & 0o777, dir_fd=fd)
        try:
            try:
                # os.write, not a file object: that asks whether the file is a
                # terminal and where it stands (three more system calls a file)
                view = memoryview(data)
                while view:
                    view = view[os.write(file, view) :]
                os.fchmod(file, mode)
            finally:
                os.close(file)
            if before_rename is not None:
                before_rename()
            os.replace(tmp_name, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name, dir_fd=fd)
            raise


def rename(root: Path | str, src: str, dst: str) -> None:
    """Move `src` to `dst` (whatever is at `dst` is replaced; the folder of `dst` must exist)."""
    _forget(root)
    with _named(dst), folder_of(root, src) as (a, src_name), folder_of(root, dst) as (b, dst_name):
        os.replace(src_name, dst_name, src_dir_fd=a, dst_dir_fd=b)


def unlink(root: Path | str, path: str) -> bool:
    """Remove a file (a link itself, never its target); False when there was none."""
    _forget(root)
    try:
        with _named(path), folder_of(root, path) as (fd, name):
            os.unlink(name, dir_fd=fd)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def rmdir(root: Path | str, path: str) -> None:
    """Remove an empty folder; OSError when it is not one."""
    _forget(root)
    with _named(path), folder_of(root, path) as (fd, name):
        os.rmdir(name, dir_fd=fd)


def same_file(root: Path | str, a: str, b: str) -> bool:
    """Are `a` and `b` one file (a case-only rename on a case-insensitive file system)?"""
    try:
        x, y = lstat(root, a), lstat(root, b)
    except OSError:
        return False
    return x is not None and y is not None and (x.st_dev, x.st_ino) == (y.st_dev, y.st_ino)
