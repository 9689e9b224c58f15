"""`codex check PATH...` and `codex check --changed`: read only what the named notes need.

The link rules need the set of every note's path (a listing) and the text
of the notes being checked; nothing else is read. The steps:

1. The listing (adapters.listing: git's index and untracked files, or a
   walk outside git); with `--changed`, the notes changed since a commit
   (staged, unstaged or untracked), those deleted, and the changed and
   deleted notes' bytes at that commit (one `git cat-file --batch`).
2. Each changed (or named) note read and checked by the per-note check
   every `codex check` runs (core.check.note_part).
3. What the change may have given new findings elsewhere (`_affected`):
   the titles of the deleted and new notes, the aliases gained or lost,
   the titles of notes now retired, and the targets a map stopped listing
   that resolve to no path or title are searched for in one `git grep`
   pass (adapters.grep), and each note it finds is checked in full; the
   notes that share a new note's title and those a map stopped listing
   are checked too. More than `ops.check.SCOPED_UP_TO` notes: the caller
   checks the whole vault instead.
4. An index of only the paths the checked notes' links and titles can
   reach (core.resolve.PartialIndex), each confirmed on disk; the maps
   whose text mentions a checked note's title parsed, to know whether they
   list it; for a checked map, the notes it lists read for their status.
5. The report for the checked notes (core.check.assemble), with "did you
   mean" over every title.
6. For `--new-only` (`at_commit`): steps 2, 4 and 5 again for the notes
   with a finding, on a commit (`AtCommit`: its listing from `git ls-tree`,
   exact, so the index confirms nothing on disk; the notes' and maps' bytes
   by blob id, one `git cat-file --batch` a batch; no "did you mean").

The result is what a full check reports about the checked notes, and a
full check reports no finding the change added on a note left out ("did
you mean" aside): tests/property/test_check_scope.py holds it to both on
random vaults and change sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codex_cli.adapters import grep, listing
from codex_cli.adapters.confined import cached
from codex_cli.adapters.fs import read_regular
from codex_cli.core.check import (
    MAP,
    RETIRED,
    Finding,
    Part,
    Report,
    assemble,
    note_part,
    retired_links,
    status_part,
)
from codex_cli.core.note import Note, parse_note, title_of
from codex_cli.core.resolve import OK, PartialIndex, aliases_of, link_key, target_key, title_key
from codex_cli.core.suggest import Suggester
from codex_cli.vault import Vault, read_note


@dataclass
class Scope:
    """What a scoped check looks at."""

    notes: set[str]  # the notes named (or changed), that exist
    gone: list[str] = field(default_factory=list)  # notes deleted: their titles are searched for
    added: list[str] = field(default_factory=list)  # new notes: their titles are searched for
    changed: bool = False  # `--changed`: the notes are a change, whose effect on other notes is looked for
    before: dict[str, bytes] = field(default_factory=dict)  # the changed and deleted notes' bytes at the base (`--changed`)
    # for a caller that follows references (codex review's cascade): the notes that mention
    # one of these words are found by the same git grep, and read (not checked)
    follow: list[str] = field(default_factory=list)
    holders: bool = False  # read every note that may hold an alias (the word `aliases`), in the same grep


@dataclass
class Reading:
    """What a scoped check read: the report (None: too many notes), the notes it is on, and the notes parsed."""

    report: Report | None
    checked: set[str]
    notes: dict[str, Note]  # the notes parsed: checked, and those found for `Scope.follow` and `Scope.holders`
    index: PartialIndex  # what the checked notes' links and titles can reach, exact
    # the notes that hold the word `aliases` are among these (None: not searched for); see AtCommit
    aliased: set[str] | None = None


def report(vault: Vault, paths: list[str], scope: Scope) -> tuple[Report | None, set[str]]:
    """The report on the scope's notes and on those the change may have given
    new findings; and those notes. None for the report when they are more than
    `ops.check.SCOPED_UP_TO` (the caller checks the whole vault instead)."""
    found = read(vault, paths, scope)
    return found.report, found.checked


def read(vault: Vault, paths: list[str], scope: Scope, tree: Tree | None = None) -> Reading:
    """The scoped check of `scope` (see `report`), with what it read: of the
    work tree, or of `tree` (a commit: `at_commit`)."""
    from codex_cli.ops import check as ops_check

    config = vault.config
    tree = tree or Tree(vault)
    index = PartialIndex(paths, keep=tree.keep)
    claim_types = frozenset(config.claim_types)
    parts: dict[str, Part] = {}
    notes: dict[str, Note] = {}
    followers: set[str] = set()

    def check(batch: dict[str, tuple[Note, bytes]]) -> None:
        index.cover(*(title_of(p) for p in batch), *(link.target for note, _ in batch.values() for link in note.links))
        for path, (note, raw) in batch.items():
            text = _text(raw) if config.is_map(path) else None
            parts[path] = note_part(note, index, claim_types, config.is_map, text, config.case_drift, config.aliases)
            notes[path] = note

    index.cover(*(title_of(p) for p in scope.added))
    check(_read(vault, scope.notes, tree))
    searched, pulled = _affected(vault, index, scope, notes)
    # one git grep: the notes that mention a word the change touched, and
    # those that may hold an alias (a link that no path or title resolves may name one)
    holders: set[str] | None = None
    linkers: set[str] = set()
    suggest: Any = _Suggestions(paths, index) if tree.suggest else _no_suggestions
    aliased = config.aliases and (bool(searched) or scope.holders)
    if searched or scope.follow or aliased:
        # while git grep runs: "did you mean" for the checked notes' broken links, and for the
        # deleted titles (the links the search finds are broken now)
        broken = [f[5] for part in parts.values() for f in part.findings if f[1] == "broken-link" and f[5] is not None]
        suggest.prepare([*broken, *(title_of(p) for p in scope.gone)])
        linkers, holders, followers = _search(vault, paths, notes.keys(), searched, aliased, scope.follow)
        if not aliased:
            holders = None  # not searched for: asked below if they count
    more = (linkers | pulled) - notes.keys()
    if tree.suggest and len(notes) + len(more) > ops_check.SCOPED_UP_TO:  # (a commit's check is asked for its notes alone)
        return Reading(None, set(notes) | more, notes, index)
    check(_read(vault, more, tree))
    checked = set(parts)
    parts.update(_maps_listing(vault, paths, checked, notes, index, claim_types, tree))
    if config.aliases and _needs_holders(parts, checked):  # the aliases of every note count
        if holders is None:
            holders = tree.holders(vault, paths, notes.keys())
        parts.update(_alias_holders(vault, holders - parts.keys(), claim_types, tree))
    parts.update(_listed_by(vault, parts, checked, claim_types, tree))
    to_retired = _links_to_retired(vault, notes, parts, index, claim_types, tree)
    names = [ref.path for bucket in index.by_title.values() for ref in bucket]  # by_path keeps one of a case collision
    found = assemble(parts, (), checked, suggest, names, to_retired)
    kept = dict(notes)
    if scope.follow:  # the checked notes that mention a followed word, and those the grep found
        needles = _needles(scope.follow)
        followers |= {p for p in scope.notes if any(n in _lowered(vault, p) for n in needles)}
        kept.update((p, n) for p, (n, _) in _read(vault, followers - kept.keys()).items())
    if scope.holders and holders:
        kept.update((p, n) for p, (n, _) in _read(vault, holders - kept.keys()).items())
    return Reading(found, checked, kept, index, None if holders is None else holders | notes.keys())


def _affected(vault: Vault, index: PartialIndex, scope: Scope, now: dict[str, Note]) -> tuple[list[str], set[str]]:
    """What a change may give new findings outside the changed notes: (words
    whose notes are searched for and checked, notes checked by name).

    - a deleted or a new note: its title (links to it break, resolve, or
      become ambiguous); for a new one, the notes that share its title (a
      map's entry that listed one may now be ambiguous; a case collision);
    - an alias that a note gained or lost (deleted: all it had; new: all it has);
    - a note that became retired: its title and aliases (links to it warn,
      maps that list it too);
    - a map (changed or deleted) that no longer links a target: the notes
      that target resolves to (they may be unmapped now); a target that no
      path or title resolves is searched for (an alias may name it).
    """
    config = vault.config
    ctx = vault.context()
    words: list[str] = []
    pulled: set[str] = set()
    if not scope.changed:
        return words, pulled
    for path in (*scope.gone, *scope.added):
        words.append(title_of(path))
    for path in scope.added:
        pulled.update(ref.path for ref in index.by_title.get(title_key(title_of(path)), ()))
    for path in sorted({*scope.gone, *scope.notes}):
        raw = scope.before.get(path)
        old = parse_note(path, raw, ctx) if raw is not None else None
        new = now.get(path)
        if old is None and new is not None and path not in scope.added:
            words.append(title_of(path))  # a changed note git could not show at the base: as if new
        had = set(aliases_of(old.meta)) if old is not None and config.aliases else set()
        has = set(aliases_of(new.meta)) if new is not None and config.aliases else set()
        words.extend(sorted(had ^ has))
        if new is not None and new.retired and (old is None or not old.retired):
            words.extend([title_of(path), *sorted(has)])
        if old is not None and config.is_map(path):
            kept = {link_key(link, path) for link in (new.links if new is not None else ()) if not link.field}
            for link in old.links:
                if link.field or link_key(link, path) in kept:
                    continue
                index.cover(link.target)
                res = index.resolve_link(link, path)
                if res.note is not None:
                    pulled.add(res.note.path)
                elif res.candidates:
                    pulled.update(n.path for n in res.candidates)
                elif config.aliases and not link.markdown and link.target.strip():
                    words.append(link.target.strip())
    return list(dict.fromkeys(w for w in words if w)), pulled - now.keys()


def _needs_holders(parts: dict[str, Part], checked: set[str]) -> bool:
    """Whether every note's aliases must be known: a checked note has a link
    no path or title resolves, or a map's entry may name a checked note's alias."""
    if any(parts[p].aliasable for p in checked):
        return True
    named = {title_key(a) for p in checked for a in parts[p].aliases}
    return bool(named) and any(target_key(part.findings[i][5]) in named for part in parts.values() for i in part.aliasable)


ALIAS_KEY = listing.ALIAS_KEY  # a note holding an alias holds this word


def _search(
    vault: Vault, paths: list[str], read: Iterable[str], titles: list[str], aliases: bool, follow: list[str] | None = None
) -> tuple[set[str], set[str], set[str]]:
    """(notes that mention one of `titles`, notes that may hold aliases, notes that mention one of
    `follow`), not yet read, by one `git grep`: the one cli.early started when it looks for every
    word needed (the notes only its other words find are left out)."""
    follow = follow or []
    done = set(read)
    listed = [p for p in paths if p not in done]
    words = titles + follow + ([ALIAS_KEY] if aliases else [])
    early = listing.take_search(vault.root)
    if early is not None and set(words) <= set(early[0]):
        search, extra = early[1], set(early[0]) != set(words)
    else:
        if early is not None:
            early[1].cancel()
        search, extra = grep.Search(vault.root, words[0], *words[1:]), False
    exists = listing.on_disk(vault.root)
    found = {p for p in search.files(listed) if exists(p)}
    if not titles and not follow and not extra:
        return set(), found, set()
    if not aliases and not extra and not (titles and follow):
        return (found, set(), set()) if titles else (set(), set(), found)
    needles, followed = _needles(titles), _needles(follow)
    linkers, holders, followers = set(), set(), set()
    for path in found:
        low = _lowered(vault, path)
        if follow and any(n in low for n in followed):
            followers.add(path)
        if any(n in low for n in needles):
            linkers.add(path)
        elif aliases and ALIAS_KEY.encode() in low:
            holders.add(path)
    return linkers, holders, followers


def _needles(words: list[str]) -> list[bytes]:
    """What a word's mention looks like in a note's lowered bytes (grep.needles, else the word)."""
    return [n.lower().encode("utf-8") for w in words for n in (grep.needles(w) or [w])]


def _lowered(vault: Vault, path: str) -> bytes:
    try:
        return read_regular(vault.root, path).lower()
    except OSError:
        return b""


def _alias_holders(vault: Vault, paths: set[str], claim_types: frozenset[str], tree: Tree) -> dict[str, Part]:
    """The notes among `paths` that have aliases, known by their status and aliases (for `assemble`)."""
    out: dict[str, Part] = {}
    for path, (note, _) in _read(vault, paths, tree).items():
        named = aliases_of(note.meta)
        if named:
            out[path] = status_part(note, claim_types, vault.config.is_map)._replace(aliases=named)
    return out


def _links_to_retired(
    vault: Vault, notes: dict[str, Note], parts: dict[str, Part], index: PartialIndex, claim_types: frozenset[str], tree: Tree | None = None
) -> list[Finding]:
    """The checked notes' links to retired notes: the notes they link to are read for their status."""
    config = vault.config
    targets = set()
    for path, note in notes.items():
        for link in note.links:
            res = index.resolve_link(link, path)
            if res.note is not None:
                targets.add(res.note.path)
    parts.update(_statuses(vault, targets - parts.keys(), claim_types, tree))
    retired = {p for p, part in parts.items() if part.flags & RETIRED}
    if not retired:
        return []
    return [f for note in notes.values() for f in retired_links(note, index, retired.__contains__, config.is_map)]


def retired_link_findings(vault: Vault, paths: list[str], retired: set[str]) -> list[Finding]:
    """Every link to a retired note in the vault: the notes that mention a
    retired title (one `git grep`) are read and their links resolved."""
    if not retired:
        return []
    titles = sorted({title_of(p) for p in retired})
    found = grep.files_mentioning(vault.root, titles[0], paths, *titles[1:])
    index = PartialIndex(paths, keep=listing.on_disk(vault.root))
    notes = {p: n for p, (n, _) in _read(vault, found).items()}
    index.cover(*titles, *(link.target for note in notes.values() for link in note.links))
    return [f for note in notes.values() for f in retired_links(note, index, retired.__contains__, vault.config.is_map)]


class _Suggestions:
    """"Did you mean" over every title, as a full check gives it: a title whose
    only notes are gone from the work tree (still in git's index) is dropped
    and the targets asked again. `prepare` does the work that does not depend
    on the targets (and the likely targets' words) while git grep runs."""

    def __init__(self, paths: list[str], index: PartialIndex) -> None:
        self.paths, self.index = paths, index
        self.titles: list[str] = []
        self.suggester: Suggester | None = None  # built when first asked

    def _suggester(self) -> Suggester:
        if self.suggester is None:
            self.titles = [title_of(p) for p in self.paths]
            self.suggester = Suggester(self.titles)
        return self.suggester

    def prepare(self, targets: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(targets))
        if wanted:  # nothing to ask: no index built
            self._suggester().suggest_many(wanted)

    def __call__(self, targets: list[str]) -> dict[str, list[str]]:
        suggester = self._suggester()
        index, titles = self.index, self.titles
        while True:
            found = suggester.suggest_many(targets)
            offered = {t for ts in found.values() for t in ts}
            index.cover(*offered)
            gone = {t for t in offered if not any(title_of(ref.path) == t for ref in index.by_title.get(title_key(t), ()))}
            if not gone:
                return found
            titles = [t for t in titles if t not in gone]
            suggester = Suggester(titles)


def _read(vault: Vault, paths: Iterable[str], tree: Tree | None = None) -> dict[str, tuple[Note, bytes]]:
    tree = tree or Tree(vault)
    paths = sorted(paths)
    tree.fetch(paths)
    out: dict[str, tuple[Note, bytes]] = {}
    with tree.walking():
        for path in paths:
            out[path] = tree.note(path)
    return out


def _text(raw: bytes) -> str:
    from codex_cli.core.note import decode

    return decode(raw)[0]


def _maps_listing(
    vault: Vault, paths: list[str], checked: set[str], notes: dict[str, Note], index: PartialIndex, claim_types: frozenset[str], tree: Tree
) -> dict[str, Part]:
    """The part of every map (other than the checked ones) whose text mentions a checked note's title or alias.

    Only their links to checked notes matter (whether those are listed), and
    the index covers those exactly; a map that never mentions a title
    cannot link to it (the prefilter of adapters.grep, applied to bytes).
    """
    config = vault.config
    aliases = [a for p in checked for a in (aliases_of(notes[p].meta) if config.aliases else ())]
    named = {title_key(a) for a in aliases}
    found = [grep.needles(name) for name in [title_of(p) for p in checked] + aliases]
    lowered = None if None in found else [n.lower().encode("utf-8") for ns in found if ns is not None for n in ns]
    plain = None if None in found else [ns[0].lower().encode("utf-8") for ns in found if ns is not None]  # without %-encoded forms
    ctx = vault.context()
    out: dict[str, Part] = {}
    maps = [p for p in maps_in(vault, paths) if p not in checked]
    tree.fetch(maps)
    for path in maps:
        if not tree.exists(path):
            continue
        try:
            raw = tree.raw(path)
        except OSError:
            continue
        low = raw.lower()
        if lowered is not None and plain is not None:
            if not any(n in low for n in (lowered if b"%" in raw else plain)):  # an encoded form holds a %
                continue
            if not named and _plain(raw, low, config.aliases):
                out[path] = Part((), 0, MAP, _listed_in_lines(path, raw, low, lowered, index, ctx.markdown_links))
                continue
        note, raw = tree.note(path)
        # entries (and their alias resolution) only when a checked note has aliases the map may name;
        # such targets are covered so that a path or title wins over the alias as in a full check
        text = None
        if named:
            index.cover(*(link.target for link in note.links if target_key(link.target).rpartition("/")[2] in named))
            text = _text(raw)
        out[path] = note_part(note, index, claim_types, config.is_map, text, config.case_drift, config.aliases)
    return out


def _plain(raw: bytes, low: bytes, aliases: bool) -> bool:
    """Whether a note's bytes hold nothing that hides a link or changes its status or
    names: no code (a backtick, `~~~`), no NUL, no `retired`, no backslash (a YAML
    escape could spell it), no `aliases` (when they count)."""
    return not (b"`" in raw or b"~~~" in raw or b"\0" in raw or b"retired" in low or b"\\" in raw or (aliases and b"aliases" in low))


def _listed_in_lines(path: str, raw: bytes, low: bytes, lowered: list[bytes], index: PartialIndex, markdown: bool) -> tuple[str, ...]:
    """The checked notes a plain map (`_plain`) links to: links never cross a line
    break, and one to a note holds its title, so only the body's lines that
    hold a needle are parsed (by the one link parser) and resolved."""
    from codex_cli.core import frontmatter
    from codex_cli.core.links import parse_links, parse_markdown_links

    body = 0
    if raw.startswith((b"---", b"\xef\xbb\xbf---")):
        text = _text(raw)
        block = frontmatter.locate(text)
        if block is not None:
            body = len(text[: block.body_start if block.closed else block.start].encode("utf-8", "surrogateescape"))
    lines: dict[int, None] = {}
    for needle in lowered:
        at = low.find(needle, body)
        while at != -1:
            start = low.rfind(b"\n", body, at) + 1 or body
            lines[max(start, body)] = None
            end = low.find(b"\n", at)
            at = -1 if end == -1 else low.find(needle, end)
    mapped: dict[str, None] = {}
    for start in sorted(lines):
        end = raw.find(b"\n", start)
        line = _text(raw[start : None if end == -1 else end])
        for link in [*parse_links(line), *(parse_markdown_links(line) if markdown else ())]:
            res = index.resolve_link(link, path)
            if res.status == OK and res.note is not None:
                mapped[res.note.path] = None
    return tuple(mapped)


def maps_in(vault: Vault, paths: list[str]) -> list[str]:
    """The maps among `paths` (a cheap test of each path's name or folder first)."""
    config = vault.config
    name = config.map_file_name
    prefixes = tuple(re.split(r"[*?\[]", glob)[0] for glob in config.map_globs)
    return [p for p in paths if (p.endswith(name) or p.startswith(prefixes)) and config.is_map(p)]


def _listed_by(vault: Vault, parts: dict[str, Part], checked: set[str], claim_types: frozenset[str], tree: Tree) -> dict[str, Part]:
    """For a checked map: the notes it lists that are not read yet, for their status (retired entries)."""
    todo = {listed for p in checked if parts[p].flags & MAP for listed, _, _ in parts[p].entries} - parts.keys()
    return _statuses(vault, todo, claim_types, tree)


def _statuses(vault: Vault, paths: Iterable[str], claim_types: frozenset[str], tree: Tree | None = None) -> dict[str, Part]:
    """The notes known for whether they are retired (and maps), for notes not checked:
    one whose bytes cannot say `retired` (`_plain`) is not parsed."""
    config = vault.config
    tree = tree or Tree(vault)
    paths = sorted(paths)
    tree.fetch(paths)
    out: dict[str, Part] = {}
    for path in paths:
        try:
            raw: bytes | None = tree.raw(path)
        except OSError:
            raw = None
        if raw is not None and _plain(raw, raw.lower(), False):
            out[path] = Part((), 0, MAP if config.is_map(path) else 0)
        else:
            out[path] = status_part(tree.note(path)[0], claim_types, config.is_map)
    return out


# --- where the notes are read from: the work tree, or a commit --------------------


class Tree:
    """The notes as the work tree holds them: the listing's paths confirmed on
    disk (git's index may name a file deleted since), read from the files."""

    commit: str | None = None
    suggest = True  # "did you mean" over every title, as a full check gives it

    def __init__(self, vault: Vault) -> None:
        self.root, self.ctx = str(vault.root), vault.context()
        self.exists: Callable[[str], bool] = listing.on_disk(vault.root)
        self.keep: Callable[[str], bool] | None = self.exists  # PartialIndex confirms each path it indexes

    def fetch(self, paths: Iterable[str]) -> None:
        """Get ready to read these (one request for a commit's blobs)."""

    def walking(self) -> AbstractContextManager[object]:
        return cached(self.root)  # one walk per folder, not per note

    def raw(self, path: str) -> bytes:
        return read_regular(self.root, path)

    def note(self, path: str) -> tuple[Note, bytes]:
        _, note, raw = read_note(self.root, path, self.ctx)
        return note, raw

    def holders(self, vault: Vault, paths: list[str], read: Iterable[str]) -> set[str]:
        """The notes not read yet that may hold an alias (the word `aliases`): one `git grep`."""
        return _search(vault, paths, read, [], True)[1]


class AtCommit(Tree):
    """The notes as commit `commit` holds them: its listing (`git ls-tree`) is
    exact, so no path is confirmed on disk; their bytes come from one
    `git cat-file --batch` per batch asked for. No "did you mean": a
    commit's findings are compared without their suggestions."""

    suggest = False

    def __init__(self, vault: Vault, commit: str, blobs: dict[str, str], aliased: set[str] | None = None) -> None:
        super().__init__(vault)
        self.commit, self.ids = commit, blobs  # every note's blob id
        self.exists, self.keep = blobs.__contains__, None
        self.aliased = aliased
        self.blobs: dict[str, bytes] = {}

    def fetch(self, paths: Iterable[str]) -> None:
        todo = {p: self.ids[p] for p in paths if p in self.ids and p not in self.blobs}
        if todo:
            self.blobs.update(listing.blobs(Path(self.root), todo))

    def walking(self) -> AbstractContextManager[object]:
        return nullcontext()

    def raw(self, path: str) -> bytes:
        self.fetch([path])
        try:
            return self.blobs[path]
        except KeyError:
            raise FileNotFoundError(path) from None

    def note(self, path: str) -> tuple[Note, bytes]:
        raw = self.raw(path)
        return parse_note(path, raw, self.ctx), raw

    def holders(self, vault: Vault, paths: list[str], read: Iterable[str]) -> set[str]:
        """The notes not read yet that may hold an alias (the word `aliases`): those `aliased`
        names (a superset the caller knows: the work tree's that hold it, and every note
        that differs from the commit), else one `git grep` of the commit (it inflates
        every blob: seconds on 100,000 notes)."""
        assert self.commit is not None
        done = set(read)
        found = self.aliased if self.aliased is not None else listing.mentioning(Path(self.root), self.commit, ALIAS_KEY)
        return {p for p in found if p in self.ids and p not in done}


def _no_suggestions(targets: list[str]) -> dict[str, list[str]]:
    return {}


def at_commit(vault: Vault, commit: str, notes: Iterable[str], aliased: set[str] | None = None, listed: Any = None) -> Report:
    """What a full check of commit `commit` reports on `notes` (those it has), without
    "did you mean": the same reading as a scoped check (`read`), of the commit's
    listing and blobs instead of the work tree's. `aliased`: see AtCommit.holders;
    `listed`: the commit's listing, started (adapters.listing.list_commit)."""
    blobs = listing.at_commit(vault.root, commit, vault.config.ignore, listed)
    tree = AtCommit(vault, commit, blobs, aliased)
    found = read(vault, list(blobs), Scope({p for p in notes if p in blobs}), tree).report
    assert found is not None  # a commit's check never gives up for too many notes
    return found


