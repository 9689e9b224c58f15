"""A first answer without the search index: one `git grep` pass over the work tree.

`ColdIndex` offers the reading side of `adapters.search_index.SearchIndex`
that `core.matcher.rank_in` uses, so the one ranking (text, link votes,
backlinks, map sections, domain, title) runs unchanged; only where the
numbers come from differs:

- the notes: `git ls-files` (tracked and untracked, not ignored; `*.md`
  outside hidden folders), their keys for resolving links;
- document frequencies for choosing the query's telling words: estimated
  from an evenly spaced sample of the notes (substring counts);
- the text evidence: one `git grep -o -i -w -F -z -e ... ` (threaded C) over
  the tree gives every occurrence of the query's words, their plural and
  stem forms, its word pairs, and `[[` + this note's title or path (the
  backlink candidates); BM25 is computed from those counts, with the file
  size as the document length and a title bonus from the file name;
- everything else (type, domain, links, map sections) from parsing only the
  few hundred notes that the ranking looks at.

It is less precise than the index (no per-field weights beyond the title,
sampled rarities) and is used only while the index does not exist yet.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from codex_cli.adapters.fs import read_regular
from codex_cli.adapters.search_index import Row
from codex_cli.core import matcher
from codex_cli.core.note import ParseContext, decode, parse_note
from codex_cli.core.resolve import link_key, path_key, title_key

if TYPE_CHECKING:
    from codex_cli.vault import Vault

SAMPLE = 1000  # notes read to estimate how rare each word is
K1 = 1.2
B = 0.75
TITLE_BONUS = 3.0  # a query word in the file name counts like this many occurrences
GREP_WORDS = 8  # the query's strongest words searched for (git grep's time grows with each pattern)
GREP_PAIRS = 2  # and word pairs
EXAMINE = 4  # parse at most EXAMINE x limit + 50 candidates to find `limit` of the wanted types
_QUOTED = re.compile(r'"([^"]*)"')


class GrepUnavailable(Exception):
    """Not a git work tree, or git failed: the caller builds the index instead."""


@dataclass(frozen=True)
class Parsed:
    row: Row
    targets: tuple[str, ...]


def start_listing(root: Path, untracked: bool = False) -> subprocess.Popen[bytes]:
    """Start `git ls-files` for the notes git tracks (or the untracked ones that are not ignored)."""
    which = ["--others", "--exclude-standard"] if untracked else ["--cached"]
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), "ls-files", "-z", *which, "--", "*.md"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise GrepUnavailable(str(exc)) from exc


def finish_listing(proc: subprocess.Popen[bytes]) -> list[str]:
    """Vault-relative note paths (`*.md` outside hidden folders) from `start_listing`."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise GrepUnavailable(err.decode("utf-8", "replace"))
    paths = dict.fromkeys(os.fsdecode(p) for p in out.split(b"\0") if p)
    return [p for p in paths if p.endswith(".md") and "/." not in p and not p.startswith(".")]


def list_notes(root: Path, untracked: bool = False) -> list[str]:
    return finish_listing(start_listing(root, untracked))


def _key_of(text: str) -> str:
    """The grouping key of a word or a word pair (`a_b` or `a b`): stems joined by `_`."""
    return "_".join(matcher.stem(w) for w in re.split(r"[_\s]+", text.lower()) if w)


def _cases(phrase: str) -> tuple[str, ...]:
    """The forms of a lower-case query phrase to grep for: as is, and capitalised (a sentence's first word)."""
    return (phrase, phrase[:1].upper() + phrase[1:])


class ColdIndex:
    """The index's reading API over the work tree itself (see the module docstring)."""

    rare_search = False  # a second query would be a second pass over the tree: no "rare" evidence here

    def __init__(self, root: Path, ctx: ParseContext, is_map: Callable[[str], bool]) -> None:
        self.root = root
        self.ctx = ctx
        self.is_map = is_map
        self._listing: subprocess.Popen[bytes] | None = start_listing(root)
        self._paths: list[str] = []
        self._ids: dict[str, int] = {}
        self.own: list[str] = []  # this note's title and path: grep for links to it (`about`)
        self.own_paths: set[str] = set()  # left out of the rarity sample
        self._pkeys: dict[str, list[int]] | None = None
        self._tkeys: dict[str, list[int]] | None = None
        self._parsed: dict[int, Parsed | None] = {}
        self._scored: dict[str, list[tuple[int, float]]] = {}
        self._linkers: set[int] = set()
        self._sample: bytes | None = None
        self._sampled = 0

    def about(self, title: str, path: str | None) -> None:
        """Say which note the ranking is for (before ranking): links to it are backlinks."""
        from codex_cli.core.text import strip_md

        self.own = [t for t in (title, strip_md(path) if path else "") if t]
        self.own_paths = {path} if path else set()

    @property
    def paths(self) -> list[str]:
        if self._listing is not None:
            proc, self._listing = self._listing, None
            self._paths = finish_listing(proc)
            self._ids = {p: i for i, p in enumerate(self._paths)}
        return self._paths

    def add_untracked(self) -> bool:
        """Take in the untracked notes too (git grep still searches tracked files only); whether there were any."""
        more = [p for p in list_notes(self.root, untracked=True) if p not in self.ids]
        for p in more:
            self._ids[p] = len(self._paths)
            self._paths.append(p)
        self._pkeys = self._tkeys = None
        return bool(more)

    @property
    def ids(self) -> dict[str, int]:
        self.paths  # noqa: B018 - finishes the listing
        return self._ids

    # --- the SearchIndex API used by core.matcher ------------------------------------
    def settle(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def count(self) -> int:
        return len(self.paths)

    def titles(self) -> list[str]:
        return [p.rpartition("/")[2][:-3] for p in self.paths]

    def by_path(self, path: str) -> Row | None:
        i = self.ids.get(path)
        return self._row(i) if i is not None else None

    def find(self, key: str) -> list[Row]:
        if self._pkeys is None or self._tkeys is None:
            self._pkeys, self._tkeys = {}, {}
            for i, p in enumerate(self.paths):
                if p.isascii():  # core.text.key, inlined: this runs for every note
                    pk = p[:-3].strip().lower()
                    tk = pk.rpartition("/")[2].strip()
                else:
                    pk, tk = path_key(p), title_key(p.rpartition("/")[2])
                self._pkeys.setdefault(pk, []).append(i)
                self._tkeys.setdefault(tk, []).append(i)
        ids = self._pkeys.get(key) or self._tkeys.get(key) or []
        return [self._light_row(i) for i in ids]

    def _light_row(self, i: int) -> Row:
        """A row without parsing the note (type and domain unknown): enough to resolve a link."""
        p = self._parsed.get(i)
        if p is not None:
            return p.row
        path = self.paths[i]
        return Row(i, path, path.rpartition("/")[2][:-3], None, None)

    def resolve_key(self, key: str, source_path: str | None = None) -> list[Row]:
        from codex_cli.core.resolve import prefer_local

        return prefer_local(self.find(key), source_path)

    def rows(self, ids: Iterable[int]) -> dict[int, Row]:
        out = {}
        for i in ids:
            r = self._row(i)
            if r is not None:
                out[i] = r
        return out

    def targets(self, ids: Iterable[int]) -> dict[int, list[str]]:
        out = {}
        for i in ids:
            p = self._parse(i)
            if p is not None and p.targets:
                out[i] = list(p.targets)
        return out

    def linking_to(self, keys: Iterable[str]) -> set[int]:
        wanted = set(keys)
        out = set()
        for i in self._linkers:
            p = self._parse(i)
            if p is not None and wanted & set(p.targets):
                out.add(i)
        return out

    def in_degree(self, rows: dict[int, Row]) -> dict[int, int]:
        """Unknown without reading every note: the first run goes without it."""
        return {}

    def sections_of(self, ids: Iterable[int]) -> list[tuple[str, tuple[str, ...]]]:
        out: list[tuple[str, tuple[str, ...]]] = []
        for i in ids:
            path = self.paths[i]
            if not self.is_map(path):
                continue
            try:
                raw = read_regular(self.root, path)
            except OSError:
                continue
            note = parse_note(path, raw, self.ctx)
            text, _ = decode(raw)
            out.extend(matcher.map_sections(text[note.body_start :]))
        return out

    def stems(self, words: Sequence[str]) -> dict[str, str]:
        return {w: _key_of(w) for w in words if _key_of(w)}

    def doc_frequency(self, stems: Iterable[str]) -> dict[str, int]:
        """Estimated from a sample (occurrences, not documents), plus one for the note itself.

        A word the sample lacks is rare but may exist: half a sample step,
        unless the sample is every note (then it is in no other note).
        """
        sample = self._read_sample()
        others = len(self.paths) - len(self.own_paths & self.ids.keys())
        scale = others / max(1, self._sampled)
        absent = 0 if scale <= 1.0 else max(1, round(scale / 2))
        out = {}
        for st in dict.fromkeys(stems):
            hits = sample.count(st.replace("_", " ").encode("utf-8"))
            out[st] = 1 + (round(hits * scale) if hits else absent)
        return out

    def search(self, match: str, weights: Sequence[float], limit: int, types: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """The best BM25 matches of an FTS5-style query (`"term" OR "term" ...`), of the given types."""
        del weights  # one body field here; the title bonus stands in for the title's weight
        if not match:
            return []
        scored = self._scored.get(match)
        if scored is None:
            scored = self._scored[match] = self._grep_scores(match)
        if types is None:
            return scored[:limit]
        wanted = set(types)
        out = []
        for i, s in scored[: EXAMINE * limit + 50]:
            r = self._row(i)
            if r is not None and r.type in wanted:
                out.append((i, s))
                if len(out) >= limit:
                    break
        return out

    # --- the grep pass -----------------------------------------------------------------
    def _grep_scores(self, match: str) -> list[tuple[int, float]]:
        repeats: dict[str, int] = {}
        room = {False: GREP_WORDS, True: GREP_PAIRS}  # strongest first, in the order of `match`
        for t in _QUOTED.findall(match):
            if t in repeats:
                repeats[t] += 1
            elif room["_" in t] > 0:
                room["_" in t] -= 1
                repeats[t] = 1
        keys = {_key_of(t): n for t, n in repeats.items() if _key_of(t)}
        patterns = list(dict.fromkeys(f for t in repeats for f in _cases(t.replace("_", " "))))
        links = ["[[" + t for t in self.own]
        counts = self._grep(patterns + links, set(keys))
        n = len(self.paths)
        df: dict[str, int] = {}
        for per in counts.values():
            for k in per:
                df[k] = df.get(k, 0) + 1
        idf = {k: math.log(1 + (n - d + 0.5) / (d + 0.5)) for k, d in df.items()}
        sizes = self._sizes(counts)
        avg = self._average_size()
        scores: list[tuple[int, float]] = []
        for i, per in counts.items():
            norm = K1 * (1 - B + B * sizes.get(i, avg) / avg)
            title = {_key_of(w) for w in self.paths[i].rpartition("/")[2][:-3].lower().split()}
            s = 0.0
            for k, count in per.items():
                tf = count + (TITLE_BONUS if k in title else 0.0)
                weight = matcher.PAIR_WEIGHT if "_" in k else 1.0
                s += keys[k] * weight * idf[k] * tf * (K1 + 1) / (tf + norm)
            if s > 0:
                scores.append((i, s))
        scores.sort(key=lambda t: (-t[1], self.paths[t[0]]))
        return scores

    def _grep(self, patterns: list[str], keys: set[str]) -> dict[int, dict[str, int]]:
        """Per note, how often each query key occurs; notes with `[[own title` go to `_linkers`."""
        if not patterns:
            return {}
        # Case-sensitive on purpose: `-i` with several patterns makes git grep two to three
        # times slower; the lower-case and capitalised forms (`_cases`) cover prose.
        argv = ["git", "-C", str(self.root), "grep", "-o", "-w", "-F", "-z", "-I"]
        for p in patterns:
            argv += ["-e", p]
        argv += ["--", "*.md"]
        try:
            proc = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, check=False)
        except OSError as exc:
            raise GrepUnavailable(str(exc)) from exc
        if proc.returncode not in (0, 1):
            raise GrepUnavailable(proc.stderr.decode("utf-8", "replace"))
        counts: dict[int, dict[str, int]] = {}
        ids = self.ids
        key_cache: dict[bytes, str] = {}
        for line in proc.stdout.split(b"\n"):
            path, sep, found = line.partition(b"\0")
            if not sep:
                continue
            i = ids.get(os.fsdecode(path))
            if i is None:
                continue
            if found.startswith(b"[["):
                self._linkers.add(i)
                continue
            k = key_cache.get(found)
            if k is None:
                k = key_cache[found] = _key_of(found.decode("utf-8", "replace"))
            if k in keys:
                per = counts.setdefault(i, {})
                per[k] = per.get(k, 0) + 1
        return counts

    def _sizes(self, counts: dict[int, dict[str, int]]) -> dict[int, int]:
        out = {}
        for i in counts:
            try:
                out[i] = os.stat(os.path.join(self.root, self.paths[i])).st_size
            except OSError:
                pass
        return out

    def _average_size(self) -> float:
        sample = self._read_sample()
        return max(1.0, len(sample) / max(1, self._sampled))

    def _read_sample(self) -> bytes:
        """An evenly spaced sample of the notes, lower case, joined by NUL bytes."""
        if self._sample is None:
            step = max(1, len(self.paths) // SAMPLE)
            texts = []
            for p in self.paths[::step]:
                if p in self.own_paths:
                    continue
                try:
                    texts.append(read_regular(self.root, p).lower())
                except OSError:
                    pass
            self._sample = b"\0".join(texts)
            self._sampled = len(texts)
        return self._sample

    # --- parsing the few notes the ranking looks at ----------------------------------
    def _row(self, i: int) -> Row | None:
        p = self._parse(i)
        return p.row if p is not None else None

    def _parse(self, i: int) -> Parsed | None:
        if i in self._parsed:
            return self._parsed[i]
        path = self.paths[i]
        try:
            raw = read_regular(self.root, path)
        except OSError:
            self._parsed[i] = None
            return None
        note = parse_note(path, raw, self.ctx)
        targets = tuple(dict.fromkeys(k for k in (link_key(link, path) for link in note.links) if k))
        parsed = Parsed(Row(i, path, note.title, note.type, note.domain), targets)
        self._parsed[i] = parsed
        return parsed


def rank(vault: Vault, draft: matcher.Draft, limit: int = 10, types: Iterable[str] | None = None) -> list[matcher.Suggestion]:
    """`core.matcher.rank` without the index: the cold path's answer (raises GrepUnavailable outside git)."""
    index = ColdIndex(vault.root, vault.context(), vault.config.is_map)
    index.about(draft.title, draft.path)
    wanted = frozenset(types) if types is not None else vault.config.claim_types
    return matcher.rank_in(index, draft, limit, wanted, matcher.text_reader(vault))
