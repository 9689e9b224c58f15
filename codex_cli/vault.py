"""The vault model every command uses: root, configuration, notes, resolver.

Loading reads every note once, in parallel when there are many, and keeps
the parsed notes in the cache (adapters.cache) so that a second run only
re-reads the files that changed.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from codex_cli import config as config_mod
from codex_cli.adapters import cache, fs
from codex_cli.core.links import Link
from codex_cli.core.note import Note, ParseContext, Problem, decode, parse_note
from codex_cli.core.resolve import PathRef, Resolution, Resolver
from codex_cli.errors import Ambiguous, NotFound, UsageError

Progress = Callable[[int, int], None]
PARALLEL_FROM = 4000


def _pack(note: Note) -> tuple[Any, ...]:
    # Links and problems stay named tuples: pickle rebuilds them as they are.
    return (
        note.path,
        note.type,
        note.meta,
        note.links,
        note.h1,
        note.h1_line,
        note.body_start,
        note.problems,
    )


def _unpack(t: tuple[Any, ...]) -> Note:
    from codex_cli.core.note import title_of

    return Note(
        path=t[0],
        title=title_of(t[0]),
        type=t[1],
        meta=t[2],
        links=t[3],
        h1=t[4],
        h1_line=t[5],
        body_start=t[6],
        problems=t[7],
    )


def _parse_paths(root: str, paths: list[str], ctx: ParseContext) -> list[tuple[Any, ...]]:
    out = []
    for path in paths:
        try:
            with open(os.path.join(root, path), "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            note = Note(path=path, title=path.rpartition("/")[2][:-3])
            note.problems.append(Problem("unreadable", "error", f"cannot read: {exc.strerror}"))
            out.append(_pack(note))
            continue
        out.append(_pack(parse_note(path, raw, ctx)))
    return out


def _parse_blob(root: str, paths: list[str], ctx: ParseContext) -> bytes:
    """A worker's answer: its notes already pickled, so the parent can cache the bytes as they are."""
    return pickle.dumps(_parse_paths(root, paths, ctx), protocol=pickle.HIGHEST_PROTOCOL)


# A cache record: the paths of one parsed chunk, their signatures (None: not
# to be trusted next time), and the chunk's packed notes, pickled.
Record = tuple[list[str], list[Any], bytes]


class Vault:
    def __init__(self, root: Path, config: config_mod.Config) -> None:
        self.root = root
        self.config = config
        self._scan: fs.Scan | None = None
        self._scan_started = 0
        self._notes: dict[str, Note] | None = None
        self._resolver: Resolver[Note] | None = None
        self._index: Resolver[PathRef] | None = None
        self._paths: dict[str, fs.Signature] | None = None
        self.store = cache.Store(root)

    # --- opening ---
    @classmethod
    def open(cls, directory: str | Path | None = None) -> Vault:
        if directory is not None:
            start = Path(directory)
            if not start.is_dir():
                raise UsageError(f"-C {directory}: not a folder")
            root = fs.find_root(start) if not (start / config_mod.CONFIG_FILE).is_file() else start.resolve()
        else:
            root = fs.find_root(Path.cwd())
        return cls(root, config_mod.load(root))

    def context(self) -> ParseContext:
        c = self.config
        return ParseContext(c.title_fields, c.types, c.domain_values, c.map_file_name)

    # --- scanning and loading ---
    def scan(self) -> fs.Scan:
        if self._scan is None:
            self._scan_started = cache.now_ns()
            self._scan = fs.scan(self.root, self.config.ignore)
        return self._scan

    @property
    def files(self) -> dict[str, fs.Signature]:
        return self.scan().files

    def paths(self) -> Collection[str]:
        """Every note's vault-relative path: the scan's, or a faster walk that stats nothing."""
        if self._scan is not None:
            return self._scan.files
        if self._paths is None:
            self._paths = fs.scan(self.root, self.config.ignore, stat=False).files
        return self._paths

    def fingerprint(self) -> str:
        return self.config.fingerprint()

    def load(self, progress: Progress | None = None) -> dict[str, Note]:
        """Every note, parsed: from the cache where a file's signature is unchanged.

        The cache is a stream of records (one per parsed chunk, as the
        workers pickled it). A record whose files are all unchanged is kept
        byte for byte; the notes of a record with a changed or deleted file
        are pickled again without it.
        """
        if self._notes is not None:
            return self._notes
        files = self.scan().files
        fingerprint = self.fingerprint()
        started = self._scan_started
        packed: dict[str, tuple[Any, ...]] = {}
        kept: list[Record] = []  # records whose every file is unchanged
        leftovers: list[str] = []  # unchanged files of the other records
        changed = False
        try:
            for paths, sigs, blob in self.store.load_records("notes", fingerprint):
                fresh = [
                    (path, item)
                    for path, sig, item in zip(paths, sigs, pickle.loads(blob), strict=True)
                    if sig is not None and files.get(path) == sig and path not in packed
                ]
                packed.update(fresh)
                if len(fresh) == len(paths):
                    kept.append((paths, sigs, blob))
                else:
                    changed = True
                    leftovers.extend(path for path, _ in fresh)
        except (pickle.UnpicklingError, ValueError, TypeError, EOFError, AttributeError, IndexError, ImportError):
            packed, kept, leftovers, changed = {}, [], [], True  # a damaged cache only costs time
        todo = [path for path in files if path not in packed]
        if todo or changed:
            writer = self.store.writer("notes", fingerprint)
            try:
                for record in kept:
                    writer.add(record)
                if leftovers:
                    writer.add(self._record(leftovers, [packed[p] for p in leftovers], files, started))
                for paths, blob in self._parse_many(todo, progress):
                    items = pickle.loads(blob)
                    packed.update(zip(paths, items, strict=True))
                    writer.add((paths, self._trusted_sigs(paths, files, started), blob))
                writer.commit()
            finally:
                writer.abort()
        self._notes = {path: _unpack(packed[path]) for path in sorted(packed)}
        return self._notes

    @staticmethod
    def _trusted_sigs(paths: list[str], files: dict[str, fs.Signature], started: int) -> list[Any]:
        return [sig if cache.trusted(sig := files[p], started) else None for p in paths]

    def _record(self, paths: list[str], items: list[tuple[Any, ...]], files: dict[str, fs.Signature], started: int) -> Record:
        blob = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
        return (paths, self._trusted_sigs(paths, files, started), blob)

    def _parse_many(self, paths: list[str], progress: Progress | None) -> Iterator[tuple[list[str], bytes]]:
        """(paths, pickled packed notes) chunk by chunk, in a process pool for many notes."""
        if not paths:
            return
        ctx = self.context()
        root = str(self.root)
        workers = min(os.cpu_count() or 1, 8)
        if len(paths) < PARALLEL_FROM or workers < 2:
            step = 2000
            for i in range(0, len(paths), step):
                part = paths[i : i + step]
                yield part, _parse_blob(root, part, ctx)
                if progress:
                    progress(min(i + step, len(paths)), len(paths))
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(500, len(paths) // (workers * 8))
        chunks = [paths[i : i + chunk] for i in range(0, len(paths), chunk)]
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        mp_context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context) as pool:
            done = 0
            results = pool.map(_parse_blob, [root] * len(chunks), chunks, [ctx] * len(chunks))
            for part, blob in zip(chunks, results, strict=True):
                yield part, blob
                done += len(part)
                if progress:
                    progress(done, len(paths))

    @property
    def notes(self) -> dict[str, Note]:
        return self.load()

    @property
    def resolver(self) -> Resolver[Note]:
        if self._resolver is None:
            self._resolver = Resolver(self.notes.values())
        return self._resolver

    def resolve(self, link: Link, source: Note) -> Resolution[Note]:
        return self.resolver.resolve(link.target, source.path)

    # --- single notes ---
    def read_text(self, path: str) -> str:
        text, _ = decode(fs.read_bytes(self.root, path))
        return text

    def reparse(self, path: str) -> Note:
        return parse_note(path, fs.read_bytes(self.root, path), self.context())

    def index(self) -> Resolver[Note] | Resolver[PathRef]:
        """Every note's path and title for resolving, without parsing any note.

        Once the notes are loaded this is the full resolver; before, an index
        of paths alone (what a command that reads only a few notes needs).
        """
        if self._notes is not None:
            return self.resolver
        if self._index is None:
            self._index = Resolver(PathRef(path) for path in self.paths())
        return self._index

    def find_path(self, query: str, index: Resolver[Any] | None = None) -> str:
        """The path a NOTE argument names: a path (absolute, relative or vault-relative) or a title.

        `index` replaces the whole index (a core.resolve.PartialIndex covering `query`).
        """
        candidate = self._as_path(query)
        if candidate is not None and candidate in self.paths():
            return candidate
        found = (index if index is not None else self.index()).find(query)
        if len(found) == 1:
            return found[0].path
        if len(found) > 1:
            raise Ambiguous(query, sorted(n.path for n in found))
        from codex_cli.core.note import title_of
        from codex_cli.core.suggest import closest_titles

        raise NotFound(query, closest_titles(query, [title_of(p) for p in sorted(self.paths())]))

    def find_note(self, query: str) -> Note:
        """The note a NOTE argument names: a path (absolute, relative or vault-relative) or a title."""
        return self.notes[self.find_path(query)]

    def _as_path(self, query: str) -> str | None:
        p = Path(query)
        for base in (Path.cwd(), self.root):
            full = p if p.is_absolute() else base / p
            try:
                rel = full.resolve().relative_to(self.root.resolve())
            except (ValueError, OSError):
                continue
            if full.is_file():
                return rel.as_posix()
        return None

    def notes_of_type(self, types: Iterable[str]) -> list[Note]:
        wanted = set(types)
        return [n for n in self.notes.values() if n.type in wanted]
