"""The one link resolver: DESIGN.md's link rules over an index of notes.

A target resolves, case-insensitively and after NFC normalisation, to the
note whose vault-relative path without `.md` equals it, or else to the note
whose title equals it, or else to the note whose frontmatter `aliases:`
lists it (path > title > alias: an alias never hides a note's path or
title); a trailing `.md` is tolerated. A title (or an alias) shared by
several notes resolves to the one in the linking note's folder, otherwise
it is ambiguous. `[[#heading]]` points at the linking note itself.

A markdown link `[text](path.md)` names a file: its (percent-decoded)
destination is joined to the linking note's folder (or to the vault root
when it starts with `/`) and resolves to the note at that path, compared
case-insensitively after NFC, and to nothing else (no title, no alias).

A link that resolves but is written in another case than the path or title
it resolves through (the first letter of a title excepted: sentences start
with capitals) has `case_drift`: it breaks on a case-sensitive publisher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Generic, Protocol, TypeVar

from codex_cli.core.links import Link, markdown_destination
from codex_cli.core.text import key, nfc, strip_md

OK = "ok"
BROKEN = "broken"
AMBIGUOUS = "ambiguous"
EMPTY = "empty"

# What a target resolved through (`Resolution.via`).
PATH = "path"
TITLE = "title"
ALIAS = "alias"
SELF = "self"


class HasPath(Protocol):
    @property
    def path(self) -> str: ...


N = TypeVar("N", bound=HasPath)


@dataclass(frozen=True)
class PathRef:
    """A note known only by its path (an index entry that needs no parsing)."""

    path: str


class Resolution(Generic[N]):
    """What a target resolves to: OK with the note, AMBIGUOUS with the candidates, BROKEN or EMPTY;
    `via` says through what (PATH, TITLE, ALIAS or SELF) when it resolved,
    and `key` by what key (`target_key`).

    A plain class with slots rather than a frozen dataclass: `codex check`
    makes one for every link of the vault.
    """

    __slots__ = ("status", "note", "candidates", "via", "key")

    def __init__(self, status: str, note: N | None = None, candidates: tuple[N, ...] = (), via: str = "", key: str = "") -> None:
        self.status = status
        self.note = note
        self.candidates = candidates
        self.via = via
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resolution) and (self.status, self.note, self.candidates) == (other.status, other.note, other.candidates)

    def __hash__(self) -> int:
        return hash((self.status, self.note, self.candidates))

    def __repr__(self) -> str:
        return f"Resolution({self.status!r}, {self.note!r}, {self.candidates!r})"


def path_key(path: str) -> str:
    """Key of a vault-relative path: no `.md`, case-folded, NFC."""
    return key(strip_md(path))


def title_key(title: str) -> str:
    return key(strip_md(title))


def folder_of(path: str) -> str:
    return path.rpartition("/")[0]


def target_key(target: str) -> str:
    if target.isascii() and "\\" not in target and "/" not in target:
        t = target.strip().lower()  # the common case: a plain ASCII title
        return (t[:-3] if t.endswith(".md") else t).strip()
    return _general_target_key(target)


def _general_target_key(target: str) -> str:
    t = target.strip().replace("\\", "/")
    while t.startswith("./"):
        t = t[2:]
    return key(strip_md(t.lstrip("/")).strip())


def prefer_local(found: Sequence[N], source_path: str | None) -> list[N]:
    """DESIGN.md's rule for a title several notes share: the one in the linking
    note's folder, when exactly one is there; otherwise all of them (ambiguous).

    The link matcher's indexes call it directly; `Resolver.resolve_key`
    applies the same rule through a per-title cache of notes by folder
    (tests/unit/test_resolve.py holds both to it).
    """
    if len(found) > 1 and source_path is not None:
        here = folder_of(source_path)
        local = [n for n in found if folder_of(n.path) == here]
        if len(local) == 1:
            return local
    return list(found)


def aliases_of(meta: Mapping[str, Any] | None) -> tuple[str, ...]:
    """A note's frontmatter `aliases:` (Obsidian's convention): a list of strings, or one string."""
    if not meta:
        return ()
    value = meta.get("aliases")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(a.strip() for a in value if isinstance(a, str) and a.strip())


def markdown_path(target: str, source_path: str | None) -> str | None:
    """The vault-relative path a markdown link's decoded destination names
    (from the linking note's folder, or the root for `/...`); None when it
    climbs out of the vault."""
    parts = [] if target.startswith("/") or not source_path else folder_of(source_path).split("/")
    if parts == [""]:
        parts = []
    for piece in target.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def wiki_target(link: Link, source_path: str | None) -> str:
    """The link's target as a wiki link would write it: a markdown link's as
    its `/`-rooted vault path ('' when it leaves the vault)."""
    if link.markdown:
        path = markdown_path(link.target, source_path)
        return "" if path is None else "/" + path
    return link.target


def link_key(link: Link, source_path: str | None) -> str:
    """The key a link resolves by (`target_key`; '' for none)."""
    return target_key(wiki_target(link, source_path))


class Resolver(Generic[N]):
    def __init__(self, notes: Iterable[N], aliases: Iterable[tuple[str, N]] = ()) -> None:
        self.by_path: dict[str, N] = {}
        self.by_title: dict[str, list[N]] = {}
        self.by_alias: dict[str, list[N]] = {}
        self._folders: dict[str, tuple[list[N], int, dict[str, list[N]]]] = {}  # see _by_folder
        by_path, by_title = self.by_path, self.by_title
        for note in notes:
            path = note.path
            if not path.isascii():
                self.add(note)
                continue
            # `add`, inlined for ASCII paths (where `key` is strip + lower): 100,000 notes in a blink
            stem = path[:-3] if path[-3:].lower() == ".md" else path
            k = stem.strip().lower()
            other = by_path.get(k)
            if other is None or path < other.path:  # paths that differ in case alone: the first in order, whatever the listing's order
                by_path[k] = note
            name = stem.rpartition("/")[2].strip().lower()
            bucket = by_title.get(name)
            if bucket is None:
                by_title[name] = [note]
            else:
                bucket.append(note)
        for alias, note in aliases:
            self.add_alias(alias, note)

    def add_alias(self, alias: str, note: N) -> None:
        k = title_key(alias)
        if k:
            bucket = self.by_alias.setdefault(k, [])
            if note not in bucket:
                bucket.append(note)

    def add(self, note: N) -> None:
        k = path_key(note.path)
        other = self.by_path.get(k)
        if other is None or note.path < other.path:
            self.by_path[k] = note
        name = note.path.rpartition("/")[2]
        self.by_title.setdefault(title_key(name), []).append(note)
        self._folders.pop(title_key(name), None)

    def remove(self, note: N) -> None:
        if self.by_path.get(path_key(note.path)) == note:
            del self.by_path[path_key(note.path)]
        name = note.path.rpartition("/")[2]
        self._folders.pop(title_key(name), None)
        bucket = self.by_title.get(title_key(name), [])
        if note in bucket:
            bucket.remove(note)
            if not bucket:
                del self.by_title[title_key(name)]
        for k, named in list(self.by_alias.items()):
            if note in named:
                named.remove(note)
                if not named:
                    del self.by_alias[k]

    def resolve(self, target: str, source_path: str | None = None) -> Resolution[N]:
        k = target_key(target)
        if not k:
            if source_path is not None and (note := self.by_path.get(path_key(source_path))):
                return Resolution(OK, note, (), SELF)
            return Resolution(EMPTY)
        return self.resolve_key(k, source_path)

    def resolve_link(self, link: Link, source_path: str | None = None) -> Resolution[N]:
        """What a parsed link resolves to: a wiki link by its target, a markdown link by its path."""
        if not link.markdown:
            return self.resolve(link.target, source_path)
        path = markdown_path(link.target, source_path)
        note = self.by_path.get(path_key(path)) if path else None
        return Resolution(OK, note, (), PATH) if note is not None else Resolution(BROKEN)

    def resolve_key(self, k: str, source_path: str | None = None) -> Resolution[N]:
        note = self.by_path.get(k)
        if note is not None:
            return Resolution(OK, note, (), PATH, k)
        bucket = self.by_title.get(k)
        via = TITLE
        if not bucket:
            bucket = self.by_alias.get(k) if self.by_alias else None
            if not bucket:
                return Resolution(BROKEN)
            via = ALIAS
        if len(bucket) == 1:
            return Resolution(OK, bucket[0], (), via, k)
        if source_path is not None:
            local = self._by_folder(k, bucket).get(folder_of(source_path)) if via == TITLE else prefer_local(bucket, source_path)
            if local is not None and len(local) == 1:
                return Resolution(OK, local[0], (), via, k)
        return Resolution(AMBIGUOUS, None, tuple(bucket))

    def _by_folder(self, k: str, bucket: list[N]) -> dict[str, list[N]]:
        """A shared title's notes by folder (`[[_map]]` from every note asks often)."""
        cache = self._folders
        hit = cache.get(k)
        if hit is not None and hit[0] is bucket and hit[1] == len(bucket):
            return hit[2]
        folders: dict[str, list[N]] = {}
        for n in bucket:
            folders.setdefault(folder_of(n.path), []).append(n)
        cache[k] = (bucket, len(bucket), folders)
        return folders

    def find(self, query: str) -> list[N]:
        """Notes a user's NOTE argument may mean: a path or a title."""
        k = target_key(query)
        if not k:
            return []
        note = self.by_path.get(k)
        if note is not None:
            return [note]
        return list(self.by_title.get(k) or self.by_alias.get(k) or [])


class PartialIndex(Resolver[PathRef]):
    """A resolver over only the notes that the targets it was asked to `cover` can reach.

    Resolving a target whose key is covered gives exactly what the full index
    over `paths` gives; any other target may resolve to nothing (it never
    resolves to a note that the full index would not give). Covering a
    target finds, with one substring search over all the paths, every note
    whose path holds the target's last component: a note whose path or title
    key equals the target's key holds it. Notes with non-ASCII paths are
    always in (their keys fold in ways a substring search would miss).

    For a command that follows the references to one note in a large vault
    (a rename), this replaces building the whole index.

    `keep(path)`, when given, confirms each path before it is indexed (a
    listing taken from git's index may name a file deleted since).
    """

    def __init__(self, paths: Iterable[str], keep: Callable[[str], bool] | None = None) -> None:
        super().__init__(())
        self._keep = keep
        self._paths = list(paths)
        joined = "\n".join(self._paths)
        self._text = joined.lower() + "\n"
        # where each path starts in the joined text (map and accumulate: no Python loop over every path)
        self._starts = [0, *accumulate(map((1).__add__, map(len, self._paths)))][:-1] if self._paths else []
        self._added: set[int] = set()
        self._covered: set[str] = set()
        self._names: dict[str, list[int]] | None = None
        if not joined.isascii():
            for i, path in enumerate(self._paths):
                if not path.isascii():
                    self._take(i)

    def _by_name(self) -> dict[str, list[int]]:
        """Every ASCII path's number by the key of its name (without `.md`): what a
        target's last component must equal to reach it, built once (many targets
        cost one pass instead of a search over every path each)."""
        if self._names is None:
            names: dict[str, list[int]] = {}
            for i, path in enumerate(self._paths):
                name = path.rpartition("/")[2]
                raw = (name[:-3] if name[-3:].lower() == ".md" else name).lower()
                for stem in {raw, raw.strip()}:  # a title's key is stripped; a path's last part may not be
                    bucket = names.get(stem)
                    if bucket is None:
                        names[stem] = [i]
                    else:
                        bucket.append(i)
            self._names = names
        return self._names

    def _take(self, i: int) -> None:
        if i not in self._added:
            self._added.add(i)
            if self._keep is None or self._keep(self._paths[i]):
                self.add(PathRef(self._paths[i]))

    MANY = 64  # more targets than this at once: one pass over every path names them all (see _by_name)

    def cover(self, *targets: str) -> None:
        """Make resolving these targets (titles, paths, link targets) exact."""
        from bisect import bisect_right

        text, starts = self._text, self._starts
        if len(targets) > self.MANY or self._names is not None:
            names = self._by_name()
        for target in targets:
            k = target_key(target)
            part = k.rpartition("/")[2]
            if not part or not part.isascii() or part in self._covered:
                continue
            self._covered.add(part)
            if self._names is not None:  # the notes whose name's key is that part: those its key can reach
                for i in names.get(part, ()):
                    self._take(i)
                continue
            hits: list[int] = []
            at = text.find(part)
            while at != -1:
                i = bisect_right(starts, at) - 1
                hits.append(i)
                at = text.find(part, text.find("\n", at) + 1)
            for i in sorted(hits):
                self._take(i)


# --- case drift ------------------------------------------------------------------


def cased_keys(paths: Iterable[str]) -> frozenset[str]:
    """The keys (`target_key`) of every path and title not written in ASCII lower case.

    A link written as its key (lower case, no padding, no `.md`) that is
    not one of these cannot differ in case from the note it resolves to:
    `codex check` compares the target with `Resolution.key` and asks this
    small set (with the key's hash already computed by the lookup) rather
    than looking at each link's note, which was most of the cost of
    looking for case drift on a large vault.
    """
    out: set[str] = set()
    for p in paths:
        stem = p[:-3]
        for name in (stem, stem.rpartition("/")[2]):
            if not (name.isascii() and name.islower()):
                out.add(key(name))
    return frozenset(out)



def case_drift(link: Link, res: Resolution[Any], source_path: str) -> str | None:
    """The link's target written in the case of what it resolved through, when it
    is written otherwise; None when it is not (or resolved through an alias or
    to the note itself).

    The first letter of a title is excepted (a link that starts a sentence
    capitalises it), not a path's folders. For a markdown link the answer is
    the destination path, decoded (`links.encode_like` writes it back).
    """
    note = res.note
    if note is None or res.status != OK or res.via in (ALIAS, SELF, ""):
        return None
    path: str = note.path
    written = link.target
    if link.markdown:
        joined = markdown_path(written, source_path)
        if joined is None or joined == path or nfc(joined) == nfc(path):
            return None
        same = joined.rpartition("/")[0] == path.rpartition("/")[0]
        return markdown_destination(path, source_path, written, angle=True, same_folder=same)
    core = written.strip()
    suffix = ""
    if core[-3:].lower() == ".md":
        core, suffix = core[:-3].rstrip(), core[-3:]
    stem = path[:-3] if path[-3:].lower() == ".md" else path
    prefix = ""
    if res.via == PATH:
        if "\\" in core:
            return None
        rest = core
        while rest.startswith("./"):
            rest = rest[2:]
        rest = rest.lstrip("/")
        prefix = core[: len(core) - len(rest)]
        core = rest
    else:
        stem = stem.rpartition("/")[2]
    if core == stem or (core[1:] == stem[1:] and "/" not in core):
        return None  # the common case: as written, or but for a sentence's capital
    if not (core.isascii() and stem.isascii()):
        core, stem = nfc(core), nfc(stem)
    head_w, _, name_w = core.rpartition("/")
    head_s, slash, name_s = stem.rpartition("/")
    if head_w == head_s and name_w[1:] == name_s[1:]:
        return None
    fixed = prefix + head_s + slash + name_w[:1] + name_s[1:] + suffix
    lead = written[: len(written) - len(written.lstrip())]
    trail = written[len(written.rstrip()) :]
    return lead + fixed + trail
