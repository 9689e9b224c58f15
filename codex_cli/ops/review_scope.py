"""What `codex review` reads: every note (a large change), or only what the change needs.

A review needs, of the vault, the changed notes themselves, `codex check`'s
findings on them, a resolver that is exact for the links it resolves, and
the notes that refer to a modified, renamed, retired or deleted note (the
cascade, and whether a deleted note is still linked). `Full` loads every
note for that; `Scoped` reads only what those need, through the scoped
check (ops.check_scope):

1. The listing of every note's path (adapters.listing), as `check --changed`.
2. The scoped check of the changed notes (check_scope.read); its one `git
   grep` also finds the notes that mention a followed note's title or
   aliases (a deleted, modified, renamed or retired note), and, when links
   can resolve through aliases, every note that may hold one.
3. The resolver is check_scope's partial index, covered for every link the
   review resolves; the aliases are added (all their holders read) as soon
   as one of those links resolves by no path or title (path and title win
   over an alias, so otherwise they cannot change an answer).
4. The cascade: the graph (core.impact) of the notes read; when it reaches
   a belief, a position or a `depends_on`, the notes that mention those are
   found by one more `git grep` and the graph built again, until nothing
   new is reached.

What it finds is what `Full` finds (tests/property/test_review_scope.py
holds the two to the same review on random vaults and branches).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, cast

from codex_cli.adapters import grep, history, listing
from codex_cli.core import review as gates
from codex_cli.core.check import Finding
from codex_cli.core.impact import CASCADING, DEPENDS_ON, Graph, sections
from codex_cli.core.note import Note, title_of
from codex_cli.core.resolve import (
    BROKEN,
    OK,
    PartialIndex,
    PathRef,
    Resolution,
    Resolver,
    aliases_of,
)
from codex_cli.vault import Vault

SCOPED_UP_TO = 2000  # more changed notes than this: every note is loaded (as ops.check does)
RETIRED = "retired"  # the kind of change of a note the branch retired (beside history's added, modified, …)


class Reader(Protocol):
    """What ops.review asks of the vault."""

    def note(self, path: str) -> Note | None: ...

    def gates(self, paths: list[str], threshold: float) -> dict[str, list[Finding]]: ...

    def index(self, notes: Iterable[Note], titles: Iterable[str] = ()) -> Resolver[Any]: ...

    def graph(self, deleted: list[str], starts: list[str]) -> Graph: ...

    def challenges(self, paths: set[str]) -> dict[str, str]: ...


CHALLENGED_BY = "challenged_by"


def challenge_relations(notes: Iterable[Note], resolver: Resolver[Any]) -> dict[str, str]:
    """Notes in a challenge relation: those with a challenged_by, and those named in one
    (the first relation found, `notes` in path order, says which)."""
    out: dict[str, str] = {}
    for note in notes:
        path = note.path
        for link in note.links:
            if link.field != CHALLENGED_BY:
                continue
            out.setdefault(path, "has challenged_by")
            res = resolver.resolve_link(link, path)
            if res.status == OK and res.note is not None:
                out.setdefault(res.note.path, f"challenges {title_of(path)}")
    return out


def claim_gates(vault: Vault, note: Note, limit: float) -> list[Finding]:
    """The claim gates on a changed note as it is (none for a note that is not a claim, or retired)."""
    if note.type in vault.config.claim_types and not note.retired:
        return gates.claim_findings(note, vault.read_text(note.path), limit)
    return []


class Full:
    """Every note loaded (from the cache where unchanged) and the one resolver over them."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def note(self, path: str) -> Note | None:
        return self.vault.notes.get(path)

    def gates(self, paths: list[str], threshold: float) -> dict[str, list[Finding]]:
        from codex_cli.ops.check import run_check

        if not paths:
            return {}
        report = run_check(self.vault, [str(self.vault.root / p) for p in paths]).report
        out: dict[str, list[Finding]] = {p: [] for p in paths}
        for f in report.findings:
            out.setdefault(f.file, []).append(f)
        for path in paths:
            note = self.vault.notes.get(path)
            if note is not None:
                out[path] += claim_gates(self.vault, note, threshold)
        return out

    def index(self, notes: Iterable[Note], titles: Iterable[str] = ()) -> Resolver[Any]:
        self.vault.load()
        return self.vault.index()

    def graph(self, deleted: list[str], starts: list[str]) -> Graph:
        """The vault's references reversed; deleted notes stand in the index so links to them are followed."""
        from codex_cli.ops import impact

        vault = self.vault
        if not deleted:
            return impact.graph(vault)
        notes = vault.notes
        aliases = [(a, n) for n in notes.values() for a in aliases_of(n.meta)] if vault.config.aliases else []
        resolver: Resolver[Any] = Resolver([*notes.values(), *(PathRef(p) for p in deleted if p not in notes)], aliases)
        return impact.graph(vault, resolver)

    def challenges(self, paths: set[str]) -> dict[str, str]:
        return challenge_relations(self.vault.notes.values(), self.vault.resolver)


class Scoped:
    """Only what the change needs (see the module's steps)."""

    def __init__(self, vault: Vault, changes: list[history.Change], paths: list[str]) -> None:
        from codex_cli.ops.check_scope import Scope, _read, read

        self.vault = vault
        self.paths = paths
        self.exists = listing.on_disk(vault.root)
        present = [c.path for c in changes if c.kind != history.DELETED and self.exists(c.path)]
        back = [c.path for c in changes if c.kind == history.DELETED and self.exists(c.path)]  # deleted, then written again, uncommitted
        changed = {p: n for p, (n, _) in _read(vault, present + back).items()}
        follow: list[str] = []
        for c in changes:
            note = changed.get(c.path)
            if c.kind == history.DELETED and note is None:
                follow.append(title_of(c.path))
            elif c.kind != history.ADDED and note is not None:
                follow += self._words(note)
        follow = list(dict.fromkeys(follow))
        self.searched = set(follow)
        self.reading = read(vault, paths, Scope(set(present), follow=follow, holders=bool(follow)))
        self.notes: dict[str, Note] = {**{p: changed[p] for p in back}, **self.reading.notes}
        self._aliases = bool(follow) and vault.config.aliases  # every holder was read by the one grep
        if self._aliases:
            self._add_aliases(self.notes.values())

    def _words(self, note: Note) -> list[str]:
        """What a note that refers to `note` must mention: its title, its aliases, its belief sections' headings."""
        config = self.vault.config
        words = [title_of(note.path)]
        if config.aliases:
            words += aliases_of(note.meta)
        if config.is_belief_file(note.path):
            try:
                words += [_heading_word(h) for _, h in sections(self.vault.read_text(note.path))]
            except OSError:
                pass
        return [w for w in words if w]

    def note(self, path: str) -> Note | None:
        return self.notes.get(path)

    def gates(self, paths: list[str], threshold: float) -> dict[str, list[Finding]]:
        report = self.reading.report
        if report is None:  # more notes to check than a scoped check reads: the whole vault's check
            return Full(self.vault).gates(paths, threshold)
        out: dict[str, list[Finding]] = {p: [] for p in paths}
        for f in report.findings:
            if f.file in out:
                out[f.file].append(f)
        for path in paths:
            note = self.notes.get(path)
            if note is not None:
                out[path] += claim_gates(self.vault, note, threshold)
        return out

    def index(self, notes: Iterable[Note], titles: Iterable[str] = ()) -> Resolver[Any]:
        """The partial index, exact for these notes' links and these titles."""
        index = self.reading.index
        targets = [link.target for note in notes for link in note.links if not link.markdown]
        index.cover(*targets, *(link.target for note in notes for link in note.links if link.markdown), *titles)
        targets += list(titles)
        if self.vault.config.aliases and not self._aliases and any(index.resolve(t).status == BROKEN for t in targets):
            self._load_holders()
        return index

    def _load_holders(self) -> None:
        """Every note that may hold an alias, read, and every alias in the index (one `git grep`)."""
        from codex_cli.ops.check_scope import ALIAS_KEY, _read

        self._aliases = True
        found = grep.files_mentioning(self.vault.root, ALIAS_KEY, [p for p in self.paths if p not in self.notes])
        for path, (note, _) in _read(self.vault, {p for p in found if self.exists(p)}).items():
            self.notes[path] = note
        self._add_aliases(self.notes.values())

    def _add_aliases(self, notes: Iterable[Note]) -> None:
        index = self.reading.index
        for note in sorted(notes, key=lambda n: n.path):  # in the order the whole vault's resolver adds them
            for alias in aliases_of(note.meta):
                index.add_alias(alias, PathRef(note.path))  # a PathRef equals any other of its path: added once

    def graph(self, deleted: list[str], starts: list[str]) -> Graph:
        """A graph of the notes read that answers `impact` for `starts` as the whole vault's would."""
        from codex_cli.ops.check_scope import _read
        from codex_cli.ops.impact import belief_sections, role_of

        vault, config = self.vault, self.vault.config
        beliefs = [p for p in config.belief_files_in(self.paths) if p not in self.notes and self.exists(p)]
        for path, (note, _) in _read(vault, beliefs).items():
            self.notes[path] = note
        index = self.reading.index
        for path in deleted:
            if not self.exists(path):
                index.add(PathRef(path))
        role = role_of(vault)
        while True:
            pool = {p: self.notes[p] for p in sorted(self.notes)}
            if self._aliases:
                self._add_aliases(pool.values())
            graph = Graph(pool, cast(Resolver[Any], _Covering(index)), role, belief_sections(vault, pool))
            more: list[str] = []
            for start in starts:
                for d in graph.impact(start).dependents:
                    if d.role in CASCADING or d.relation == DEPENDS_ON:
                        reached = pool.get(d.node.path)
                        words = self._words(reached) if reached is not None else [title_of(d.node.path)]
                        if d.node.section:
                            words.append(_heading_word(d.node.section))
                        more += [w for w in words if w and w not in self.searched]
            if not more:
                return graph
            more = list(dict.fromkeys(more))
            self.searched.update(more)
            found = grep.files_mentioning(vault.root, more[0], [p for p in self.paths if p not in self.notes], *more[1:])
            new = {p for p in found if self.exists(p)}
            if not new:
                return graph
            for path, (note, _) in _read(vault, new).items():
                self.notes[path] = note


    def challenges(self, paths: set[str]) -> dict[str, str]:
        """`challenge_relations` as every note would give it, for `paths`: those notes, and
        every note that mentions their titles or aliases (one `git grep`), are enough."""
        from codex_cli.ops.check_scope import _read

        for path, (note, _) in _read(self.vault, {p for p in paths if p not in self.notes and self.exists(p)}).items():
            self.notes[path] = note
        words = list(dict.fromkeys(w for p in sorted(paths) if p in self.notes for w in self._words(self.notes[p])))
        if words:
            found = grep.files_mentioning(self.vault.root, words[0], [p for p in self.paths if p not in self.notes], *words[1:])
            for path, (note, _) in _read(self.vault, {p for p in found if self.exists(p)}).items():
                self.notes[path] = note
        challenging = [self.notes[p] for p in sorted(self.notes) if any(link.field == CHALLENGED_BY for link in self.notes[p].links)]
        resolver = self.index(challenging)
        if self._aliases:
            self._add_aliases(self.notes.values())
        found_relations = challenge_relations(challenging, resolver)
        return {p: why for p, why in found_relations.items() if p in paths}


class _Covering:
    """The partial index, covering each target as the graph resolves it: the graph
    resolves only the links that can name a note it is asked about (and every
    markdown link), a few among the thousands a map holds."""

    def __init__(self, index: PartialIndex) -> None:
        self.index = index

    def resolve_link(self, link: Any, source_path: str | None = None) -> Resolution[PathRef]:
        self.index.cover(link.target)
        return self.index.resolve_link(link, source_path)

    def resolve_key(self, k: str, source_path: str | None = None) -> Resolution[PathRef]:
        self.index.cover(k)
        return self.index.resolve_key(k, source_path)


def _heading_word(heading: str) -> str:
    """The longest ASCII word of a belief's heading: every link its loose key matches holds it."""
    from codex_cli.core.text import loose_key

    words = [w for w in loose_key(heading).split() if w.isascii()]
    return max(words, key=len) if words else heading


def reader(vault: Vault, changes: list[history.Change], paths: list[str] | None) -> Reader:
    """`Scoped` for a change of up to SCOPED_UP_TO notes (given the listing), else `Full`."""
    if paths is None or len(changes) > SCOPED_UP_TO:
        return Full(vault)
    return Scoped(vault, changes, paths)
