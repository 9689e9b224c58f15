"""The matcher's index: SQLite FTS5 (standard library) kept in the cache folder.

One database per vault, `match.sqlite` beside the other cache files (inside
`.git/codex-cache`, so never in `git status`; deleting it is always safe).
It holds, per note: path, title, type, domain, the stat signature it was
read at, the keys of the targets it links to, its map sections, and its
title / description / body / word pairs in a contentless FTS5 table whose
BM25 ranking (in C) is the text evidence of `core.matcher`. FTS5 does not
keep the text; `docs` keeps it compressed, only so that a changed or deleted
note's old row can be taken out of the FTS index exactly (FTS5's `delete`
command needs the old text). So the document frequencies, the row count
and the average lengths BM25 uses are always those of the notes as they
are now: the index answers like a fresh build of the same tree.

`update` compares the scan's signatures with the stored ones and re-reads
only new and changed files (in parallel when there are many); a file
modified within the racy window is stored without a signature, so it is
read again next time. A file whose signature changed but whose bytes did
not (a checkout that rewrote it) only gets its new signature.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_cli.adapters import cache
from codex_cli.adapters.fs import read_regular
from codex_cli.core.note import ParseContext, decode, parse_note
from codex_cli.core.resolve import link_key, path_key, title_key

FORMAT = "3"  # 2: meta "built" marks a finished first build; 3: old rows deleted from FTS exactly
PARALLEL_FROM = 3000
BODY_CHARS = 20000  # text indexed per note: enough for any real claim, bounded for odd files

Progress = Callable[[int, int], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS docs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT UNIQUE NOT NULL, sig TEXT, title TEXT NOT NULL,
  tkey TEXT NOT NULL, pkey TEXT NOT NULL, type TEXT, domain TEXT, sections TEXT, hash TEXT, z BLOB
);
CREATE INDEX IF NOT EXISTS docs_tkey ON docs (tkey);
CREATE INDEX IF NOT EXISTS docs_pkey ON docs (pkey);
CREATE TABLE IF NOT EXISTS links (src INTEGER NOT NULL, tkey TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_tkey ON links (tkey);
CREATE INDEX IF NOT EXISTS links_src ON links (src);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
  title, description, body, pairs, content = '', tokenize = "porter unicode61 tokenchars '_'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab (fts, 'row');
"""


@dataclass(frozen=True)
class Row:
    """What the index holds about one note (the text lives in FTS5)."""

    id: int
    path: str
    title: str
    type: str | None
    domain: str | None


@dataclass(frozen=True)
class Extracted:
    path: str
    sig: str | None
    title: str
    type: str | None
    domain: str | None
    description: str
    body: str
    pairs: str
    targets: tuple[str, ...]
    sections: str | None
    hash: str = ""


def _sig_text(sig: Sequence[int]) -> str:
    return f"{sig[0]}:{sig[1]}:{sig[2]}:{sig[3]}"


def files_digest(files: dict[str, Any]) -> str:
    """One digest of every path and signature, in scan order (a fast "nothing changed")."""
    import hashlib

    h = hashlib.sha1()
    h.update("\n".join(f"{p}\0{s[0]}:{s[1]}:{s[2]}:{s[3]}" for p, s in files.items()).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def extract(root: str, path: str, sig: Sequence[int] | None, ctx: ParseContext, is_map: bool) -> Extracted:
    """Read and parse one note into an index row (pure but for the read)."""
    from codex_cli.core import matcher

    try:
        raw = read_regular(root, path)
    except OSError:
        raw = b""
    note = parse_note(path, raw, ctx)
    text, _ = decode(raw)
    body = text[note.body_start :][:BODY_CHARS]
    description = note.description
    sections = json.dumps(matcher.map_sections(body)) if is_map else None
    targets = tuple(dict.fromkeys(k for k in (link_key(link, path) for link in note.links) if k))
    return Extracted(
        path,
        _sig_text(sig) if sig is not None else None,
        note.title,
        note.type,
        note.domain,
        description,
        matcher.link_text(body),
        matcher.pair_text(f"{note.title}\n{description}\n{body}"),
        targets,
        sections,
        hashlib.sha1(raw).hexdigest(),
    )


def _extract_many(items: list[tuple[str, Any, bool]], root: str, ctx: ParseContext) -> list[Extracted]:
    from codex_cli.adapters.confined import cached

    with cached(root):  # one walk per folder, not per note
        return [extract(root, path, sig, ctx, is_map) for path, sig, is_map in items]


class SearchIndex:
    def __init__(self, db: sqlite3.Connection, location: Path | None) -> None:
        self.db = db
        self.location = location
        self._pending: tuple[Callable[[], bool], Callable[[], None]] | None = None

    # --- opening -------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, fingerprint: str) -> SearchIndex:
        store = cache.Store(root)
        location: Path | None = store.folder / "match.sqlite" if store.enabled else None
        db = cls._connect(location)
        index = cls(db, location)
        if not index._compatible(fingerprint):
            db.close()
            if location is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    try:
                        os.unlink(f"{location}{suffix}")
                    except OSError:
                        pass
            db = cls._connect(location)
            index = cls(db, location)
            index._init(fingerprint)
        return index

    @staticmethod
    def _connect(location: Path | None) -> sqlite3.Connection:
        if location is None:
            return sqlite3.connect(":memory:")
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(location, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA cache_size=-100000")
            return db
        except (OSError, sqlite3.Error):
            return sqlite3.connect(":memory:")

    def _compatible(self, fingerprint: str) -> bool:
        try:
            rows = dict(self.db.execute("SELECT k, v FROM meta").fetchall())
        except sqlite3.Error:
            return False
        return rows.get("format") == FORMAT and rows.get("fingerprint") == fingerprint

    def _init(self, fingerprint: str) -> None:
        with self.db:
            self.db.executescript(_SCHEMA)
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("format", FORMAT), ("fingerprint", fingerprint)])

    def close(self) -> None:
        if self._pending is not None:
            self._pending[1]()
            self._pending = None
        self.db.close()

    # --- keeping it current --------------------------------------------------------
    def update(
        self,
        root: Path,
        files: dict[str, Any],
        ctx: ParseContext,
        is_map: Callable[[str], bool],
        scan_started_ns: int,
        progress: Progress | None = None,
    ) -> int:
        """Re-read new and changed files, drop deleted ones; returns how many were read."""
        digest = files_digest(files)
        row = self.db.execute("SELECT v FROM meta WHERE k = 'digest'").fetchone()
        if row is not None and row[0] == digest:
            return 0
        stored = dict(self.db.execute("SELECT path, sig FROM docs").fetchall())
        todo: list[tuple[str, Any, bool]] = []
        for path, sig in files.items():
            have = stored.get(path, "")
            if have is None or have != _sig_text(sig):
                trusted = cache.trusted(sig, scan_started_ns)
                todo.append((path, sig if trusted else None, is_map(path)))
        gone = [p for p in stored if p not in files]
        settled = all(t[1] is not None for t in todo)  # every file read can be trusted next time
        if not todo and not gone:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('digest', ?)", (digest if settled else "",))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('built', '1')")
            return 0
        bulk = not stored and len(todo) >= PARALLEL_FROM
        with self.db:
            if bulk:  # a first build: indexes are faster made once at the end
                self.db.execute("DROP INDEX IF EXISTS links_tkey")
                self.db.execute("DROP INDEX IF EXISTS links_src")
            for path in gone:
                self._delete(path)
            for part in self._extract(str(root), todo, ctx, progress):
                for item in part:
                    self._insert(item)
            if bulk:
                self.db.execute("CREATE INDEX IF NOT EXISTS links_tkey ON links (tkey)")
                self.db.execute("CREATE INDEX IF NOT EXISTS links_src ON links (src)")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('digest', ?)", (digest if settled else "",))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('built', '1')")
        return len(todo)

    def _insert(self, row: Extracted) -> None:
        same = self.db.execute("SELECT id FROM docs WHERE path = ? AND hash = ?", (row.path, row.hash)).fetchone()
        if same is not None:  # the same bytes under a new signature (a checkout rewrote the file)
            self.db.execute("UPDATE docs SET sig = ? WHERE id = ?", (row.sig, same[0]))
            return
        self._delete(row.path)
        text = zlib.compress(json.dumps([row.title, row.description, row.body, row.pairs]).encode("ascii"), 1)
        cur = self.db.execute(
            "INSERT INTO docs (path, sig, title, tkey, pkey, type, domain, sections, hash, z) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (row.path, row.sig, row.title, title_key(row.title), path_key(row.path), row.type, row.domain, row.sections, row.hash, text),
        )
        rid = cur.lastrowid
        self.db.execute(
            "INSERT INTO fts (rowid, title, description, body, pairs) VALUES (?,?,?,?,?)",
            (rid, row.title, row.description, row.body, row.pairs),
        )
        if row.targets:
            self.db.executemany("INSERT INTO links VALUES (?, ?)", [(rid, k) for k in row.targets])

    def _delete(self, path: str) -> None:
        """Take a note out: its row, its links, and its text out of the FTS index (exactly)."""
        found = self.db.execute("SELECT id, z FROM docs WHERE path = ?", (path,)).fetchone()
        if found is None:
            return
        rid, z = found
        if z is not None:
            old = json.loads(zlib.decompress(z).decode("ascii"))
            self.db.execute("INSERT INTO fts (fts, rowid, title, description, body, pairs) VALUES ('delete', ?, ?, ?, ?, ?)", (rid, *old))
        self.db.execute("DELETE FROM docs WHERE id = ?", (rid,))
        self.db.execute("DELETE FROM links WHERE src = ?", (rid,))

    @staticmethod
    def _extract(root: str, todo: list[tuple[str, Any, bool]], ctx: ParseContext, progress: Progress | None) -> Iterator[list[Extracted]]:
        """Index rows for `todo`, a chunk at a time (in worker processes when there are many)."""
        from codex_cli.adapters import pool

        limit = int(os.environ.get("CODEX_INDEX_WORKERS", "0") or 0) or None
        for _, rows in pool.chunks(_extract_many, todo, root, ctx, parallel_from=PARALLEL_FROM, progress=progress, max_workers=limit):
            yield rows

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @staticmethod
    def git_state(root: Path) -> str | None:
        """A digest of the work tree's state as git sees it (adapters.worktree)."""
        return SearchIndex.finish_git_state(SearchIndex.start_git_state(root), root)

    @staticmethod
    def start_git_state(root: Path) -> subprocess.Popen[bytes] | None:
        """Start `git status` (to overlap it with other work); None outside a git work tree."""
        from codex_cli.adapters import worktree

        return worktree.start(root)

    @staticmethod
    def finish_git_state(proc: subprocess.Popen[bytes] | None, root: Path) -> str | None:
        from codex_cli.adapters import worktree

        found = worktree.finish(proc, root)
        return found[0] if found is not None else None

    # --- bringing it up to date later ------------------------------------------------
    def defer(self, bring_up_to_date: Callable[[], bool], cancel: Callable[[], None]) -> None:
        """Let the caller draft its query on the index as it is while `git status` runs."""
        self._pending = (bring_up_to_date, cancel)

    def settle(self) -> bool:
        """Bring the index up to date if that was deferred; whether anything changed."""
        pending, self._pending = self._pending, None
        return pending[0]() if pending else False

    # --- reading -------------------------------------------------------------------
    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def row(self, rid: int) -> Row | None:
        r = self.db.execute("SELECT id, path, title, type, domain FROM docs WHERE id = ?", (rid,)).fetchone()
        return Row(*r) if r else None

    def rows(self, ids: Iterable[int]) -> dict[int, Row]:
        ids = list(ids)
        out: dict[int, Row] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for r in self.db.execute(f"SELECT id, path, title, type, domain FROM docs WHERE id IN ({marks})", part):  # noqa: S608
                out[r[0]] = Row(*r)
        return out

    def by_path(self, path: str) -> Row | None:
        r = self.db.execute("SELECT id, path, title, type, domain FROM docs WHERE path = ?", (path,)).fetchone()
        return Row(*r) if r else None

    def find(self, key: str) -> list[Row]:
        """Notes whose path (without .md) or else title has this key."""
        rows = self.db.execute("SELECT id, path, title, type, domain FROM docs WHERE pkey = ?", (key,)).fetchall()
        if not rows:
            rows = self.db.execute("SELECT id, path, title, type, domain FROM docs WHERE tkey = ?", (key,)).fetchall()
        return [Row(*r) for r in rows]

    def resolve_key(self, key: str, source_path: str | None = None) -> list[Row]:
        """DESIGN.md's resolution of a target key: one row, or the ambiguous candidates."""
        from codex_cli.core.resolve import prefer_local

        return prefer_local(self.find(key), source_path)

    def titles(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT title FROM docs")]

    def search(self, match: str, weights: Sequence[float], limit: int, types: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """(id, score) of the best BM25 matches of an FTS5 query, best first (score > 0)."""
        if not match:
            return []
        w = ", ".join(f"{float(x):g}" for x in weights)
        args: list[Any] = [match]
        where = ""
        if types is not None:
            where = f" AND docs.type IN ({','.join('?' * len(types))})"
            args.extend(types)
        args.append(limit)
        sql = (
            f"SELECT fts.rowid, bm25(fts, {w}) AS s FROM fts JOIN docs ON docs.id = fts.rowid"  # noqa: S608
            f" WHERE fts MATCH ?{where} ORDER BY s LIMIT ?"
        )
        try:
            rows = self.db.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            return []
        return [(rid, -s) for rid, s in rows]

    def stems(self, words: Sequence[str]) -> dict[str, str]:
        """How the index's tokenizer stems each word (words it splits or drops are left out)."""
        if not words:
            return {}
        db = self.db
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.q USING fts5 (x, tokenize = \"porter unicode61 tokenchars '_'\")")
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.q_vocab USING fts5vocab (temp, q, 'instance')")
        db.execute("DELETE FROM temp.q")
        db.executemany("INSERT INTO temp.q (rowid, x) VALUES (?, ?)", list(enumerate(words, 1)))
        per_row: dict[int, list[str]] = {}
        for term, doc in db.execute("SELECT term, doc FROM temp.q_vocab"):
            per_row.setdefault(doc, []).append(term)
        return {words[i - 1]: terms[0] for i, terms in per_row.items() if len(terms) == 1}

    def doc_frequency(self, stems: Iterable[str]) -> dict[str, int]:
        """How many notes hold each stem."""
        stems = list(dict.fromkeys(stems))
        out: dict[str, int] = {}
        for i in range(0, len(stems), 500):
            part = stems[i : i + 500]
            marks = ",".join("?" * len(part))
            for term, doc in self.db.execute(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", part):  # noqa: S608
                out[term] = int(doc)
        return out

    def targets(self, ids: Iterable[int]) -> dict[int, list[str]]:
        ids = list(ids)
        out: dict[int, list[str]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for src, k in self.db.execute(f"SELECT src, tkey FROM links WHERE src IN ({marks})", part):  # noqa: S608
                out.setdefault(src, []).append(k)
        return out

    def linking_to(self, keys: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for k in keys:
            out.update(r[0] for r in self.db.execute("SELECT src FROM links WHERE tkey = ?", (k,)))
        return out

    def in_degree(self, rows: dict[int, Row]) -> dict[int, int]:
        """How many notes link to each of `rows` (by its title or its path)."""
        keys: dict[str, list[int]] = {}
        for i, r in rows.items():
            for k in {title_key(r.title), path_key(r.path)}:
                keys.setdefault(k, []).append(i)
        out: dict[int, int] = {}
        items = list(keys)
        for n in range(0, len(items), 500):
            part = items[n : n + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT tkey, count(DISTINCT src) FROM links WHERE tkey IN ({marks}) GROUP BY tkey"  # noqa: S608
            for tkey, count in self.db.execute(sql, part):
                for i in keys[tkey]:
                    out[i] = out.get(i, 0) + int(count)  # a note linking by title and by path counts twice: rare
        return out

    def linked_claims(self, types: Sequence[str], least: int) -> list[tuple[Row, set[int]]]:
        """Notes of these types that link to at least `least` notes of these types (resolved), by path."""
        marks = ",".join("?" * len(types))
        docs = [Row(*r) for r in self.db.execute(f"SELECT id, path, title, type, domain FROM docs WHERE type IN ({marks}) ORDER BY path", list(types))]  # noqa: S608
        wanted = set(types)
        targets = self.targets(r.id for r in docs)
        out = []
        for r in docs:
            gold = set()
            for k in targets.get(r.id, ()):
                found = self.resolve_key(k, r.path)
                if len(found) == 1 and found[0].type in wanted and found[0].id != r.id:
                    gold.add(found[0].id)
            if len(gold) >= least:
                out.append((r, gold))
        return out

    def sections_of(self, ids: Iterable[int]) -> list[tuple[str, tuple[str, ...]]]:
        out: list[tuple[str, tuple[str, ...]]] = []
        for rid in ids:
            r = self.db.execute("SELECT sections FROM docs WHERE id = ?", (rid,)).fetchone()
            if r and r[0]:
                out.extend((h, tuple(keys)) for h, keys in json.loads(r[0]))
        return out


# --- the first build, in the background ------------------------------------------------
#
# While there is no finished index, `codex link --suggest` answers from one
# `git grep` pass (adapters.grep_rank) and starts this module as a detached,
# low-priority process that builds the index for next time. A lock file in
# the cache folder keeps two builders from running at once; a builder whose
# lock file was deleted (the cache folder removed) stops; killing it is safe
# (SQLite rolls the unfinished build back, and the next run starts another).

LOCK_NAME = "match.lock"


def index_location(root: Path) -> Path | None:
    store = cache.Store(root)
    return store.folder / "match.sqlite" if store.enabled else None


COLD_FROM = 3000  # notes: below this, a first run builds the index (seconds) rather than answer from git grep


def answer_cold(vault: Any) -> bool:
    """Whether this run answers from one `git grep` pass (adapters.grep_rank) while the index is built
    in the background: no finished index, not CODEX_INDEX_INLINE, and a vault large enough that
    building first would keep the user waiting (COLD_FROM notes)."""
    if inline_only() or is_built(vault.root, vault.fingerprint()):
        return False
    return len(vault.paths()) >= COLD_FROM


def inline_only() -> bool:
    """CODEX_INDEX_INLINE=1 (tests, scripts): build the index before answering, never in the background."""
    return os.environ.get("CODEX_INDEX_INLINE", "") not in ("", "0")


def is_built(root: Path, fingerprint: str) -> bool:
    """Whether a finished index for this configuration exists (cheap: reads the meta table only)."""
    location = index_location(root)
    if location is None or not location.is_file():
        return False
    try:
        db = sqlite3.connect(location.absolute().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            meta = dict(db.execute("SELECT k, v FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return meta.get("format") == FORMAT and meta.get("fingerprint") == fingerprint and meta.get("built") == "1"


def _try_lock(path: Path) -> int | None:
    """An exclusive lock on `path` (a file descriptor), or None when another process holds it."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def building(root: Path) -> bool:
    """Whether a background build holds the lock right now."""
    location = index_location(root)
    if location is None:
        return False
    try:
        fd = _try_lock(location.parent / LOCK_NAME)
    except (OSError, ImportError):
        return False
    if fd is None:
        return True
    os.close(fd)
    return False


def build_in_background(root: Path) -> bool:
    """Start a detached, low-priority builder unless one runs already; whether one was started."""
    import sys

    if index_location(root) is None or building(root):
        return False
    try:
        subprocess.Popen(
            [sys.executable, "-m", "codex_cli.adapters.search_index", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return False
    return True


class LockLost(Exception):
    """The builder's lock file is gone (the cache folder was deleted): stop."""


def build(root: Path) -> int:
    """Build (or bring up to date) the index of the vault at `root`, holding the lock; 0 ok, 1 busy or stopped."""
    from codex_cli.core.matcher import model_weights, open_index, text_reader
    from codex_cli.vault import Vault

    vault = Vault.open(root)
    location = index_location(vault.root)
    if location is None:
        return 1
    lock = location.parent / LOCK_NAME
    fd = _try_lock(lock)
    if fd is None:
        return 1

    def still_ours(done: int, total: int) -> None:
        try:
            if os.stat(lock).st_ino != os.fstat(fd).st_ino:
                raise LockLost(str(lock))
        except FileNotFoundError as exc:
            raise LockLost(str(lock)) from exc

    try:
        index = open_index(vault, still_ours)
        try:
            model_weights(index, vault.config.claim_types, text_reader(vault))  # learnt now (if learning), not on the next run
        finally:
            index.close()
        return 0
    except LockLost:
        return 1
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    """`python -m codex_cli.adapters.search_index ROOT`: the background builder (nice 19, one process)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m codex_cli.adapters.search_index VAULT_ROOT", file=sys.stderr)
        return 2
    try:
        os.nice(19)
    except (OSError, AttributeError):
        pass
    os.environ["CODEX_INDEX_WORKERS"] = "1"
    return build(Path(args[0]))


if __name__ == "__main__":
    raise SystemExit(main())
