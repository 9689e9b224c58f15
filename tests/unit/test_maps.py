"""The map model: sections, entries, one-line edits, similarity, findings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codex_cli.core.maps import (
    add_entries,
    add_entry,
    after_removals,
    best_section,
    entry_line,
    map_entry_findings,
    new_map,
    parse_map,
    rank_sections,
    remove_entries,
    remove_entry,
)
from codex_cli.core.note import ParseContext, parse_note
from codex_cli.core.plan import Plan, TextEdit
from codex_cli.core.resolve import Resolver

MAP = """\
# AI

Intro prose with a [[link in prose]] that is not an entry.

## Superintelligence Dynamics
- [[intelligence and goals are orthogonal]] — Bostrom's orthogonality thesis
- [[recursive self-improvement creates explosive intelligence gains]] — the explosion

## Alignment Approaches
- [[emergent misalignment arises from reward hacking]] — deception as side effect
* [[the specification trap]]
  - a sub-bullet that belongs to the entry above

Some closing prose.

### Open questions
- What is alignment, really?
- `[[code quoted]]` — not an entry

```
## not a heading
- [[inside a fence]] — not an entry
```
"""


def apply(text: str, edit: TextEdit) -> str:
    return text[: edit.start] + edit.new + text[edit.end :]


def test_sections_and_entries() -> None:
    m = parse_map(MAP)
    assert [s.heading for s in m.sections] == [None, "Superintelligence Dynamics", "Alignment Approaches", "Open questions"]
    assert [s.level for s in m.sections] == [0, 2, 2, 3]
    assert [e.target for e in m.entries] == [
        "intelligence and goals are orthogonal",
        "recursive self-improvement creates explosive intelligence gains",
        "emergent misalignment arises from reward hacking",
        "the specification trap",
    ]
    first = m.entries[0]
    assert first.line == 6
    assert MAP[first.start : first.end] == "- [[intelligence and goals are orthogonal]] — Bostrom's orthogonality thesis\n"
    assert first.text == "Bostrom's orthogonality thesis"
    assert first.separator == " — "
    assert m.entries[3].marker == "*" and m.entries[3].text == ""
    assert m.section("alignment approaches") is m.sections[2]
    assert m.section("## Superintelligence dynamics") is m.sections[1]
    assert m.section("nope") is None


def test_add_entry_goes_after_last_entry_and_its_sub_bullets() -> None:
    m = parse_map(MAP)
    edit = add_entry(m, "reward models drift", "why it matters", "Alignment Approaches")
    assert edit.start == edit.end
    after = apply(MAP, edit)
    assert "  - a sub-bullet that belongs to the entry above\n* [[reward models drift]] — why it matters\n\nSome closing" in after
    # exactly one line added
    assert len(after.splitlines()) == len(MAP.splitlines()) + 1


def test_add_entry_creates_missing_section_at_end() -> None:
    m = parse_map(MAP)
    after = apply(MAP, add_entry(m, "new claim", "text", "Brand New"))
    assert after.startswith(MAP)
    assert after.endswith("```\n\n## Brand New\n- [[new claim]] — text\n")


def test_add_entry_matches_crlf_and_missing_final_newline() -> None:
    text = "# M\r\n\r\n## A\r\n- [[x]] — one"
    m = parse_map(text)
    assert m.newline == "\r\n"
    after = apply(text, add_entry(m, "y", "two", "A"))
    assert after == "# M\r\n\r\n## A\r\n- [[x]] — one\r\n- [[y]] — two"


def test_add_entry_to_section_without_entries() -> None:
    text = "# M\n\n## Empty\nSome prose.\n\n## Next\n- [[x]] — one\n"
    after = apply(text, add_entry(parse_map(text), "y", "t", "Empty"))
    assert after == "# M\n\n## Empty\nSome prose.\n- [[y]] — t\n\n## Next\n- [[x]] — one\n"


def test_add_entry_best_section_by_default() -> None:
    m = parse_map(MAP)
    edit = add_entry(m, "reward hacking produces deceptive misalignment", "")
    assert "\n* [[reward hacking produces deceptive misalignment]]\n" in apply(MAP, edit)


def test_best_section_prefers_similar_entries() -> None:
    m = parse_map(MAP)
    best = best_section(m, "recursive intelligence explosion gains speed")
    assert best is not None and best.heading == "Superintelligence Dynamics"
    ranked = rank_sections(m, "the specification of values is a trap")
    assert ranked[0][1].heading == "Alignment Approaches"
    assert best_section(parse_map("# nothing\n"), "x") is None


def test_remove_entry_deletes_one_line() -> None:
    m = parse_map(MAP)
    after = apply(MAP, remove_entry(m, m.entries[1]))
    assert "recursive self-improvement" not in after
    assert len(after.splitlines()) == len(MAP.splitlines()) - 1


def test_remove_last_line_without_newline() -> None:
    text = "## A\n- [[x]] — one\n- [[y]] — two"
    m = parse_map(text)
    edits = remove_entries(m, m.entries)
    assert len(edits) == 1  # merged: never overlapping
    assert apply(text, edits[0]) == "## A"


def test_entry_line() -> None:
    assert entry_line("t", "a\nb  c") == "- [[t]] — a b c\n"
    assert entry_line("t", "", newline="\r\n") == "- [[t]]\r\n"


def test_new_map_parses_back() -> None:
    text = new_map("ai-alignment", [("a claim", "why"), ("b claim", "")])
    m = parse_map(text)
    assert text.startswith("# Ai Alignment\n")
    assert [e.target for e in m.entries] == ["a claim", "b claim"]
    assert m.headed[0].heading == "Claims"


titles = st.text(alphabet=st.characters(blacklist_characters="[]|#\n\r`", blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(lambda t: t.strip() == t and t)


@given(st.lists(titles, min_size=0, max_size=5, unique=True), titles, st.sampled_from(["A", "B", "New"]))
def test_add_then_remove_round_trip(existing: list[str], title: str, section: str) -> None:
    if title in existing:
        return
    text = "# M\n\nprose\n\n## A\n" + "".join(entry_line(t, "x") for t in existing) + "\n## B\ntext\n"
    m = parse_map(text)
    after = apply(text, add_entry(m, title, "why", section))
    m2 = parse_map(after)
    added = [e for e in m2.entries if e.target == title]
    assert len(added) == 1
    if section != "New":
        assert apply(after, remove_entry(m2, added[0])) == text


CTX = ParseContext(frozenset(), {}, frozenset())


def test_map_entry_findings() -> None:
    files = {
        "domains/ai/_map.md": "# AI\n\n## A\n- [[alpha claim]] — ok\n- [[alpha claim]] — again\n- [[beta claim]]\n- [[alpah claim]] — typo\n",
        "domains/ai/alpha claim.md": "# alpha claim\n",
        "domains/ai/beta claim.md": "# beta claim\n",
    }
    notes = {p: parse_note(p, t.encode(), CTX) for p, t in files.items()}
    resolver = Resolver(notes.values())
    path = "domains/ai/_map.md"
    found, listed = map_entry_findings(path, files[path], notes[path], resolver, links=True, suggest=lambda t: ["alpha claim"])
    got = [(f.code, f.line, f.severity) for f in found]
    assert got == [
        ("duplicate-entry", 5, "warning"),
        ("empty-entry", 6, "warning"),
        ("unresolved-entry", 7, "error"),
    ]
    assert found[2].suggestions == ("alpha claim",)
    assert [(p.rpartition("/")[2], line) for p, line, _ in listed] == [("alpha claim.md", 4), ("alpha claim.md", 5), ("beta claim.md", 6)]
    found, _ = map_entry_findings(path, files[path], notes[path], resolver)
    assert "unresolved-entry" not in {f.code for f in found}  # links=False: the link check reports it


def test_add_entries_joins_inserts_and_creates_each_section_once() -> None:
    m = parse_map(MAP)
    edits = add_entries(
        m,
        [
            ("one", "a", "Alignment Approaches", ""),
            ("two", "b", "Fresh", ""),
            ("three", "c", "Alignment Approaches", ""),
            ("four", "d", "Fresh", ""),
        ],
    )
    assert len(edits) == 2
    after = MAP
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        after = apply(after, e)
    assert "* [[one]] — a\n* [[three]] — c\n\nSome closing" in after
    assert after.endswith("```\n\n## Fresh\n- [[two]] — b\n- [[four]] — d\n")
    assert after.count("## Fresh") == 1


def test_add_entries_to_empty_map_text() -> None:
    text = "# Only a title\n"
    m = parse_map(text)
    edits = add_entries(m, [("a", "x", None, ""), ("b", "y", None, "")])
    assert apply(text, edits[0]) == "# Only a title\n\n## Claims\n- [[a]] — x\n- [[b]] — y\n"


def test_without_places_new_entries_beside_removed_lines() -> None:
    text = "## A\n- [[dead one]] — x\n\n## B\n- [[live]] — y\n"
    m = parse_map(text)
    dead = [m.entries[0]]
    removals = remove_entries(m, dead)
    edits = removals + after_removals(add_entries(m.without(dead), [("new", "z", "A", "")]), removals)
    after = text
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        after = apply(after, e)
    assert after == "## A\n- [[new]] — z\n\n## B\n- [[live]] — y\n"


def test_insert_where_a_removed_line_starts_goes_after_it() -> None:
    text = "## A\n- [[live]] — y\n- [[dead]] — x\n\n## B\n"
    m = parse_map(text)
    dead = [m.entries[1]]
    removals = remove_entries(m, dead)
    inserts = after_removals(add_entries(m.without(dead), [("new", "z", "A", "")]), removals)
    assert inserts[0].start == removals[0].end
    plan = Plan()
    for e in removals + inserts:
        plan.edit("m.md", text.encode(), e.start, e.end, e.new)
    assert plan.text_of("m.md") == "## A\n- [[live]] — y\n- [[new]] — z\n\n## B\n"


pieces = st.sampled_from(["## A\n", "### B\n", "# T\n", "- [[x]] — t\n", "  * [[y]]\n", "+ [[z]]: w\n", "- not [[an entry]]\n", "```\n", "text\n", "\n", "- [[x]]", "\r\n", "`[[c]]`\n", "~~~\n"])


@given(st.lists(pieces, max_size=25))
def test_parse_map_spans_are_whole_bullet_lines(parts: list[str]) -> None:
    text = "".join(parts)
    m = parse_map(text)
    for e in m.entries:
        line = text[e.start : e.end]
        assert e.start == 0 or text[e.start - 1] == "\n"
        assert line.lstrip(" \t")[:1] in "-*+"
        assert text[e.link.start : e.link.end].startswith("[[")
        assert e.end == len(text) or text[e.end - 1] == "\n"
    for e in m.entries:
        after = apply(text, remove_entry(m, e))
        assert len(after) == len(text) - len(text[e.start : e.end]) or not text.endswith("\n")
