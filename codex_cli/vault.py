"""The vault model every command uses: root, configuration, notes, resolver.

Loading reads every note once, in parallel when there are many, and keeps
the parsed notes in the cache (adapters.cache) so that a second run only
re-reads the files that changed.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from codex_cli import config as config_mod
from codex_cli.adapters import cache, fs, pool
from codex_cli.core.links import Link
from codex_cli.core.note import Note, ParseContext, Problem, decode, parse_note
from codex_cli.core.resolve import PathRef, Resolution, Resolver, aliases_of
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


def read_note(root: str, path: str, ctx: ParseContext) -> tuple[fs.Signature | None, Note, bytes]:
    """A note's stat signature (None if unreadable), the note parsed, and its bytes.

    The signature comes from the open file (one `fstat`), so a caller that
    reads every note needs no separate stat walk.
    """
    try:
        # never through a link, never waiting on a FIFO: the scan listed a regular file, but it may have changed since
        raw, st = fs.read_with_stat(root, path)
    except OSError as exc:
        return None, _unreadable(path, exc), b""
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns), parse_note(path, raw, ctx), raw


def _unreadable(path: str, exc: OSError) -> Note:
    note = Note(path=path, title=path.rpartition("/")[2][:-3])
    note.problems.append(Problem("unreadable", "error", f"cannot read: {exc.strerror}"))
    return note


def _parse_blob(paths: list[str], root: str, ctx: ParseContext) -> tuple[list[fs.Signature | None], bytes]:
    """A worker's answer: the signatures, and the notes already pickled so that the parent can cache the bytes as they are."""
    from codex_cli.adapters.confined import cached

    sigs, packed = [], []
    with cached(root):  # one walk per folder, not per note
        for path in paths:
            sig, note, _ = read_note(root, path, ctx)
            sigs.append(sig)
            packed.append(_pack(note))
    return sigs, pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


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
        links = c.links
        return ParseContext(c.title_fields, c.types, c.domain_values, c.map_file_name, links["frontmatter"], links["markdown"])

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
        """Every note, parsed: from the cache where a file's signature is unchanged."""
        if self._notes is not None:
            return self._notes
        files = self.scan().files
        root, ctx = str(self.root), self.context()

        def compute(todo: list[str]) -> Iterator[tuple[list[str], list[Any], bytes]]:
            for part, (sigs, blob) in pool.chunks(_parse_blob, todo, root, ctx, parallel_from=PARALLEL_FROM, progress=progress):
                # a file changed since the scan is kept under the scan's signature: re-read next time
                yield part, [files[p] if s == files[p] else None for p, s in zip(part, sigs, strict=True)], blob

        packed, _ = cache.per_file(self.store, "notes", self.fingerprint(), files, files, self._scan_started, compute)
        self._notes = {path: _unpack(packed[path]) for path in sorted(packed)}
        return self._notes

    @property
    def notes(self) -> dict[str, Note]:
        return self.load()

    @property
    def resolver(self) -> Resolver[Note]:
        if self._resolver is None:
            notes = self.notes.values()
            aliases = [(a, n) for n in notes for a in aliases_of(n.meta)] if self.config.aliases else []
            self._resolver = Resolver(notes, aliases)
        return self._resolver

    def resolve(self, link: Link, source: Note) -> Resolution[Note]:
        return self.resolver.resolve_link(link, source.path)

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
