"""What depends on a note: the cascade of skills/cascade.md, as data.

Every reference is found by the one link parser and resolved by the one
resolver, so any link kind they learn (aliases, markdown links, frontmatter
links) is followed here too. A reference is named by how it is held: the
frontmatter field (`depends_on`, `challenged_by`, `claims_extracted`,
`enrichments`, …), `map` for a map's entry, `link` for any other body link.

The cascade goes on past the notes that depend on a note when they are
beliefs or positions (whatever links to them depends on them), and along
`depends_on` (a claim built on a claim). A belief file that holds several
beliefs as sections (the sample's `agents/<name>/beliefs.md`, one `###`
section per belief) counts each section as a belief of its own: a link in a
section is that belief's grounding, and a position's `depends_on` entry that
names the section's heading depends on it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from codex_cli.core.note import Note
from codex_cli.core.resolve import (
    AMBIGUOUS,
    BROKEN,
    OK,
    Resolver,
    aliases_of,
    path_key,
    target_key,
    title_key,
)
from codex_cli.core.text import loose_key

CLAIM = "claim"
BELIEF = "belief"
POSITION = "position"
MAP = "map"
SOURCE = "source"
NOTE = "note"
CASCADING = frozenset({BELIEF, POSITION})
DEPENDS_ON = "depends_on"

_HEADING = re.compile(r"^(#{2,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")


@dataclass(frozen=True)
class Node:
    """A note, or one belief section of a belief file."""

    path: str
    section: str | None = None

    @property
    def label(self) -> str:
        return self.path if self.section is None else f"{self.path}#{self.section}"


@dataclass(frozen=True)
class Dependent:
    node: Node
    role: str  # claim, belief, position, map, source or note
    relation: str  # how it refers to the note before it in the chain
    line: int | None
    chain: tuple[Node, ...]  # from the note asked about to this one, both included
    ambiguous: bool = False  # the reference names several notes, this one among them

    @property
    def depth(self) -> int:
        return len(self.chain) - 1

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.node.path, "role": self.role, "relation": self.relation, "line": self.line, "depth": self.depth}
        if self.node.section is not None:
            doc["section"] = self.node.section
        doc["chain"] = [n.label for n in self.chain]
        doc["ambiguous"] = self.ambiguous
        return doc


@dataclass
class Impact:
    note: str
    dependents: list[Dependent]

    @property
    def direct(self) -> list[Dependent]:
        return [d for d in self.dependents if d.depth == 1]

    @property
    def cascade(self) -> list[Dependent]:
        """The beliefs and positions reached, at any depth."""
        return [d for d in self.dependents if d.role in CASCADING]

    def as_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "dependents": [d.as_dict() for d in self.dependents],
            "cascade": [d.as_dict() for d in self.cascade],
        }


def sections(text: str) -> list[tuple[int, str]]:
    """A belief file's sections: (first line, heading without its number), in order."""
    out = []
    for m in _HEADING.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append((line, _NUMBERED.sub("", m.group(2)).strip()))
    return out


def section_at(found: list[tuple[int, str]], line: int) -> str | None:
    current = None
    for start, heading in found:
        if start > line:
            break
        current = heading
    return current


class Graph:
    """Who refers to each note, looked up when asked.

    Links are indexed once by their target's key, without resolving them;
    asking who refers to a note resolves only the links whose key can name
    it (its path, its title, its aliases), with the one resolver, so that a
    large vault is not resolved whole for the few notes a command follows.
    `role(note)` names what a note is (see the module's roles);
    `belief_sections` holds, for each belief file, its sections.
    """

    def __init__(
        self,
        notes: Mapping[str, Note],
        resolver: Resolver[Any],
        role: Callable[[Note], str],
        belief_sections: Mapping[str, list[tuple[int, str]]] | None = None,
    ) -> None:
        self.notes = notes
        self.role = role
        self.resolver = resolver
        self.belief_sections = dict(belief_sections or {})
        self._by_heading: dict[str, Node] = {}
        for path, found in self.belief_sections.items():
            for _, heading in found:
                self._by_heading.setdefault(loose_key(heading), Node(path, heading))
        self._by_key: dict[str, list[tuple[Note, Any]]] = {}  # target key -> (note, link)
        self._by_path: dict[str, list[tuple[Note, Any]]] = {}  # markdown links, resolved: target path -> (note, link)
        self._loose: dict[str, list[str]] | None = None  # loose key -> target keys that name no note
        self._roles: dict[str, str] = {}
        self._memo: dict[Node, list[tuple[Node, str, int | None, bool]]] = {}
        by_key = self._by_key
        for note in notes.values():
            for link in note.links:
                if getattr(link, "markdown", False):  # a relative path: resolved from where it is written
                    res = resolver.resolve_link(link, note.path)
                    if res.status == OK and res.note is not None:
                        self._by_path.setdefault(res.note.path, []).append((note, link))
                    continue
                k = target_key(link.target)
                if k:
                    bucket = by_key.get(k)
                    if bucket is None:
                        by_key[k] = [(note, link)]
                    else:
                        bucket.append((note, link))

    def referrers(self, node: Node) -> list[tuple[Node, str, int | None, bool]]:
        """(source node, relation, line, ambiguous) of every reference to `node`."""
        hit = self._memo.get(node)
        if hit is not None:
            return hit
        edges = []
        path = node.path
        for note, link in self._candidates(path):
            if note.path == path and node.section is None:
                continue
            res = self.resolver.resolve_link(link, note.path)
            if res.status == OK and res.note is not None:
                if res.note.path == path and self._section_named(path, link) == node.section:
                    edges.append(self._edge(note, link, False))
            elif res.status == AMBIGUOUS and node.section is None and any(c.path == path for c in res.candidates):
                edges.append(self._edge(note, link, True))
        if node.section is not None and self._by_heading.get(loose_key(node.section)) == node:
            for k in self._loose_index().get(loose_key(node.section), ()):  # a belief named by its heading
                edges.extend(self._edge(note, link, False) for note, link in self._by_key[k])
        self._memo[node] = edges
        return edges

    def _candidates(self, path: str) -> list[tuple[Note, Any]]:
        keys = {path_key(path), title_key(path.rpartition("/")[2])}
        note = self.notes.get(path)
        if note is not None:
            keys.update(title_key(a) for a in aliases_of(note.meta))
        out = [ref for k in keys if k for ref in self._by_key.get(k, ())]
        return out + self._by_path.get(path, [])

    def _section_named(self, path: str, link: Any) -> str | None:
        """The belief section of file `path` a link's heading names, if any."""
        heading = link.heading.strip() if link.heading else None
        if heading and path in self.belief_sections:
            named = self._by_heading.get(loose_key(_NUMBERED.sub("", heading)))
            if named is not None and named.path == path:
                return named.section
        return None

    def _loose_index(self) -> dict[str, list[str]]:
        if self._loose is None:
            self._loose = {}
            for k in self._by_key:
                if self.resolver.resolve_key(k).status == BROKEN:
                    self._loose.setdefault(loose_key(k), []).append(k)
        return self._loose

    def _edge(self, note: Note, link: Any, ambiguous: bool) -> tuple[Node, str, int | None, bool]:
        return (self._source(note, link.line), self._relation(note, link), link.line, ambiguous)

    def _source(self, note: Note, line: int) -> Node:
        found = self.belief_sections.get(note.path)
        if found:
            return Node(note.path, section_at(found, line))
        return Node(note.path)

    def _relation(self, note: Note, link: Any) -> str:
        if link.field:
            return str(link.field)
        role = self._roles.get(note.path)
        if role is None:
            role = self._roles[note.path] = self.role(note)
        return MAP if role == MAP else "link"

    def role_of(self, node: Node) -> str:
        if node.section is not None or node.path in self.belief_sections:
            return BELIEF
        note = self.notes.get(node.path)
        return self.role(note) if note is not None else NOTE

    def impact(self, path: str) -> Impact:
        """Everything that depends on the note at `path`, breadth first (the shortest chain to each)."""
        start = Node(path)
        starts = [start, *(Node(path, h) for _, h in self.belief_sections.get(path, []))]
        seen: set[Node] = set(starts)
        out: list[Dependent] = []
        queue: deque[tuple[Node, tuple[Node, ...]]] = deque((n, (start,)) for n in starts)
        while queue:
            node, chain = queue.popleft()
            for source, relation, line, ambiguous in sorted(self.referrers(node), key=_order):
                if source in seen:
                    continue
                seen.add(source)
                role = self.role_of(source)
                here = (*chain, source)
                out.append(Dependent(source, role, relation, line, here, ambiguous))
                if role in CASCADING or relation == DEPENDS_ON:
                    queue.append((source, here))
        return Impact(path, out)

    def impacts(self, paths: Iterable[str]) -> dict[str, Impact]:
        return {p: self.impact(p) for p in paths}


def _order(item: tuple[Node, str, int | None, bool]) -> tuple[bool, str, str, int]:
    node, _, line, ambiguous = item
    return (ambiguous, node.path, node.section or "", line or 0)
