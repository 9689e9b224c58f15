"""What the tool keeps between runs: parsed notes, and the last check result.

Kept inside the repository's git directory (so it never shows in `git
status` and goes away with the repository), or under the XDG cache folder
for a vault that is not a git work tree; `CODEX_CACHE_DIR` overrides both.
Every entry is keyed by the file's stat signature and the configuration's
fingerprint, so a changed file is always re-read; a file modified within
the last two seconds of the scan is never trusted from the cache (the
"racy" case git guards against too). Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from codex_cli.adapters.fs import Signature, git_dir

FORMAT = 5
RACY_NS = 2_000_000_000


def cache_dir(root: Path) -> Path:
    override = os.environ.get("CODEX_CACHE_DIR")
    tag = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:12]
    if override:
        return Path(override) / tag
    gdir = git_dir(root)
    if gdir is not None:
        return gdir / "codex-cache"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "codex-cli" / tag


def disabled() -> bool:
    return os.environ.get("CODEX_NO_CACHE", "") not in ("", "0")


class Store:
    """One pickled file per kind of thing kept, written atomically."""

    def __init__(self, root: Path) -> None:
        self.folder = cache_dir(root)
        self.enabled = not disabled()

    def load(self, name: str, fingerprint: str) -> Any:
        if not self.enabled:
            return None
        try:
            with open(self.folder / f"{name}.pickle", "rb") as handle:
                stored = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError):
            return None
        if not isinstance(stored, tuple) or len(stored) != 3 or stored[0] != FORMAT or stored[1] != fingerprint:
            return None
        return stored[2]

    def save(self, name: str, fingerprint: str, payload: Any) -> None:
        if not self.enabled:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((FORMAT, fingerprint, payload), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{name}.pickle")
        except OSError:
            # A cache that cannot be written only costs time next run.
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass


    # --- records: a stream of pickles, for payloads too big to pickle at once ---

    def load_records(self, name: str, fingerprint: str) -> Iterator[Any]:
        """The records `RecordWriter` saved under `name`, one at a time (none if absent or stale)."""
        if not self.enabled:
            return
        try:
            handle = open(self.folder / f"{name}.records", "rb")  # noqa: SIM115 - closed below
        except OSError:
            return
        with handle:
            try:
                head = pickle.load(handle)
                if head != (FORMAT, fingerprint):
                    return
                while True:
                    try:
                        record = pickle.load(handle)
                    except EOFError:
                        return
                    yield record
            except (OSError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError):
                return

    def writer(self, name: str, fingerprint: str) -> RecordWriter:
        return RecordWriter(self, name, fingerprint)

    def has(self, name: str) -> bool:
        """Whether records are kept under `name` (for any fingerprint)."""
        return self.enabled and (self.folder / f"{name}.records").is_file()


class RecordWriter:
    """Write records one by one; they replace the old ones only on `commit`."""

    def __init__(self, store: Store, name: str, fingerprint: str) -> None:
        self.target = store.folder / f"{name}.records"
        self.handle: Any = None
        self.tmp = ""
        if not store.enabled:
            return
        try:
            store.folder.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(dir=store.folder, prefix=f".{name}.", suffix=".tmp")
            self.handle = os.fdopen(fd, "wb")
            pickle.dump((FORMAT, fingerprint), self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self.abort()

    def add(self, record: Any) -> None:
        if self.handle is None:
            return
        try:
            pickle.dump(record, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self.abort()

    def commit(self) -> None:
        if self.handle is None:
            return
        try:
            self.handle.close()
            os.replace(self.tmp, self.target)
        except OSError:
            self.abort()
        self.handle = None

    def abort(self) -> None:
        if self.handle is not None:
            try:
                self.handle.close()
            except OSError:
                pass
            self.handle = None
        if self.tmp:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = ""


# One chunk of work as the cache keeps it: its paths, their signatures (None:
# not to be trusted next time) and the chunk's items, pickled once.
Record = tuple[list[str], list[Any], bytes]
Compute = Callable[[list[str]], Iterator[tuple[list[str], list[Any], bytes]]]


def per_file(
    store: Store,
    name: str,
    fingerprint: str,
    paths: Iterable[str],
    signatures: Mapping[str, Signature] | None,
    started: int,
    compute: Compute,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One item per file (a parsed note, a note's check result), kept between runs.

    Items come from the records kept under `name` where a file's signature
    (in `signatures`) is unchanged, and from `compute(todo)` for the others:
    it yields (paths, signatures, pickled items) chunk by chunk, typically
    from worker processes, whose bytes are kept as they are. With
    `signatures` None (not known yet: a first run lists files without
    stat'ing them) nothing is taken from the records and `compute` reports
    each file's signature. The records are rewritten when anything changed:
    a record whose files are all unchanged is kept byte for byte, the items
    of the others are pickled again without their changed files. Returns the
    items and the signatures, by path.
    """
    items: dict[str, Any] = {}
    sigs: dict[str, Any] = {}
    kept: list[Record] = []
    leftovers: list[str] = []
    changed = signatures is None and store.has(name)
    if signatures is not None:
        try:
            for rpaths, rsigs, blob in store.load_records(name, fingerprint):
                fresh = [
                    (path, sig, item)
                    for path, sig, item in zip(rpaths, rsigs, pickle.loads(blob), strict=True)
                    if sig is not None and signatures.get(path) == sig and path not in items
                ]
                for path, sig, item in fresh:
                    items[path] = item
                    sigs[path] = sig
                if len(fresh) == len(rpaths):
                    kept.append((rpaths, rsigs, blob))
                else:
                    changed = True
                    leftovers.extend(path for path, _, _ in fresh)
        except (pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, IndexError, ImportError):
            items, sigs, kept, leftovers, changed = {}, {}, [], [], True  # a damaged cache only costs time
    todo = [path for path in paths if path not in items]
    if not todo and not changed:
        return items, sigs
    writer = store.writer(name, fingerprint)
    try:
        for record in kept:
            writer.add(record)
        if leftovers:
            blob = pickle.dumps([items[p] for p in leftovers], protocol=pickle.HIGHEST_PROTOCOL)
            writer.add((leftovers, [sigs[p] for p in leftovers], blob))
        for cpaths, csigs, blob in compute(todo):
            items.update(zip(cpaths, pickle.loads(blob), strict=True))
            sigs.update(zip(cpaths, csigs, strict=True))
            writer.add((cpaths, [s if s is not None and trusted(s, started) else None for s in csigs], blob))
        writer.commit()
    finally:
        writer.abort()
    return items, sigs


def trusted(signature: Signature, scan_started_ns: int) -> bool:
    """Whether a file's signature is old enough to key a cache entry."""
    return signature[0] < scan_started_ns - RACY_NS and signature[3] < scan_started_ns - RACY_NS


def now_ns() -> int:
    return time.time_ns()


def digest_of(files: Mapping[str, Any], extra: str = "") -> str:
    """A digest of every path and signature (in the scan's order, which is stable)."""
    return hashlib.sha1(pickle.dumps((extra, files), protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
