"""core.impact: who depends on a note, through the one parser and resolver."""

from __future__ import annotations

from codex_cli.core.impact import BELIEF, CLAIM, MAP, NOTE, POSITION, Graph, Node, sections
from codex_cli.core.note import Note, ParseContext, parse_note
from codex_cli.core.resolve import Resolver

CTX = ParseContext(frozenset({"depends_on", "challenged_by", "claims_extracted", "enrichments"}), {}, frozenset())


def note(path: str, text: str) -> Note:
    return parse_note(path, text.encode(), CTX)


def role(n: Note) -> str:
    if n.path.endswith("_map.md"):
        return MAP
    return {"claim": CLAIM, "position": POSITION, "belief": BELIEF}.get(n.type or "", NOTE)


BELIEFS = "# Beliefs\n\n### 1. Markets beat votes\n\n- [[base claim]] — grounding\n\n### 2. Something else\n\n- [[other claim]]\n"
NOTES = {
    "d/base claim.md": "---\ntype: claim\n---\n# base claim\n",
    "d/other claim.md": "---\ntype: claim\n---\n# other\n",
    "d/built on it.md": '---\ntype: claim\ndepends_on:\n  - "base claim"\n---\n# built\n',
    "d/merely links.md": "---\ntype: claim\n---\nsee [[base claim]]\n",
    "d/links to built.md": "---\ntype: claim\n---\nsee [[built on it]]\n",
    "d/links to the linker.md": "---\ntype: claim\n---\nsee [[merely links]]\n",
    "d/_map.md": "- [[base claim]] — entry\n",
    "a/beliefs.md": BELIEFS,
    "a/positions/p1.md": '---\ntype: position\ndepends_on:\n  - "[[markets beat votes]]"\n---\n# p1\n',
    "a/positions/p2.md": '---\ntype: position\ndepends_on:\n  - "[[built on it]]"\n---\n# p2\n',
    "a/positions/p3.md": '---\ntype: position\ndepends_on:\n  - "[[something else]]"\n---\n# p3\n',
    "s/source.md": '---\ntype: source\nclaims_extracted:\n  - "base claim"\n---\n',
}


def graph() -> Graph:
    notes = {p: note(p, t) for p, t in NOTES.items()}
    return Graph(notes, Resolver(notes.values()), role, {"a/beliefs.md": sections(BELIEFS)})


def test_direct_dependents_are_named_by_how_they_refer() -> None:
    found = graph().impact("d/base claim.md")
    direct = {(d.node.label, d.relation) for d in found.direct}
    assert direct == {
        ("d/built on it.md", "depends_on"),
        ("d/merely links.md", "link"),
        ("d/_map.md", "map"),
        ("a/beliefs.md#Markets beat votes", "link"),
        ("s/source.md", "claims_extracted"),
    }


def test_cascade_follows_beliefs_positions_and_depends_on_with_the_chain() -> None:
    found = graph().impact("d/base claim.md")
    cascade = {d.node.label: [n.label for n in d.chain] for d in found.cascade}
    assert cascade == {
        "a/beliefs.md#Markets beat votes": ["d/base claim.md", "a/beliefs.md#Markets beat votes"],
        "a/positions/p1.md": ["d/base claim.md", "a/beliefs.md#Markets beat votes", "a/positions/p1.md"],
        "a/positions/p2.md": ["d/base claim.md", "d/built on it.md", "a/positions/p2.md"],
    }
    # past a depends_on the chain goes on; past a plain link it does not; nor to another belief of the file
    depth = {d.node.label: d.depth for d in found.dependents}
    assert depth["d/links to built.md"] == 2
    assert "d/links to the linker.md" not in depth and "a/positions/p3.md" not in depth


def test_a_note_nothing_refers_to_has_no_dependents() -> None:
    assert graph().impact("a/positions/p2.md").dependents == []


def test_ambiguous_references_count_and_say_so() -> None:
    notes = {p: note(p, t) for p, t in {
        "x/same.md": "# same\n", "y/same.md": "# same\n", "z/user.md": "links [[same]]\n",
    }.items()}
    found = Graph(notes, Resolver(notes.values()), role).impact("x/same.md")
    assert [(d.node, d.ambiguous) for d in found.dependents] == [(Node("z/user.md"), True)]


def test_sections_drop_the_numbering() -> None:
    assert sections(BELIEFS) == [(3, "Markets beat votes"), (7, "Something else")]
