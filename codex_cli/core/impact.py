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
from codex_cli.core.resolve import AMBIGUOUS, OK, Resolver
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
    """Every reference in a vault, reversed: who refers to each note.

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
        self.belief_sections = dict(belief_sections or {})
        self._by_heading: dict[str, Node] = {}
        for path, found in self.belief_sections.items():
            for _, heading in found:
                self._by_heading.setdefault(loose_key(heading), Node(path, heading))
        # target node -> [(source node, relation, line, ambiguous)]
        self.referrers: dict[Node, list[tuple[Node, str, int | None, bool]]] = {}
        for path, note in notes.items():
            for link in note.links:
                res = resolver.resolve_link(link, note.path)
                ambiguous = res.status == AMBIGUOUS
                targets = [Node(c.path) for c in res.candidates] if ambiguous else [self._target(res, link)]
                for target in targets:
                    if target is None or target.path == path and target.section is None:
                        continue
                    edge = (self._source(note, link.line), self._relation(note, link), link.line, ambiguous)
                    self.referrers.setdefault(target, []).append(edge)

    def _target(self, res: Any, link: Any) -> Node | None:
        if res.status == OK and res.note is not None:
            path = res.note.path
            heading = link.heading.strip() if link.heading else None
            if heading and path in self.belief_sections:
                named = self._by_heading.get(loose_key(_NUMBERED.sub("", heading)))
                if named is not None and named.path == path:
                    return named
            return Node(path)
        if link.target.strip():
            return self._by_heading.get(loose_key(link.target))  # a belief named by its heading
        return None

    def _source(self, note: Note, line: int) -> Node:
        found = self.belief_sections.get(note.path)
        if found:
            return Node(note.path, section_at(found, line))
        return Node(note.path)

    def _relation(self, note: Note, link: Any) -> str:
        if link.field:
            return str(link.field)
        return MAP if self.role(note) == MAP else "link"

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
            for source, relation, line, ambiguous in sorted(self.referrers.get(node, ()), key=_order):
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
