"""core.rename: every link form, frontmatter values, the H1, path links, maps."""

from __future__ import annotations

import pytest

from codex_cli.adapters.grep import needle
from codex_cli.config import DEFAULTS
from codex_cli.core.note import ParseContext, parse_note
from codex_cli.core.rename import Source, Target, new_h1, plan_rename, rewrite_target, written_title
from codex_cli.core.resolve import PathRef, Resolver

CTX = ParseContext(frozenset(DEFAULTS["title_fields"]), {}, frozenset({"ai", "bio"}))
OLD = "d/old claim.md"
NEW = "d/new claim.md"


def sources(files: dict[str, str]) -> dict[str, Source]:
    out = {}
    for path, text in files.items():
        raw = text.encode()
        out[path] = Source(parse_note(path, raw, CTX), raw, text)
    return out


def renamed(files: dict[str, str], target: Target, others: tuple[str, ...] = ()) -> dict[str, str]:
    """Plan the rename and return every file's text after it, by new path."""
    srcs = sources(files)
    index: Resolver[PathRef] = Resolver(PathRef(p) for p in (*files, *others))
    result = plan_rename(target, srcs, index)
    assert index.resolve("old claim").note is not None  # the index is left as it was
    out = dict(files)
    for change in result.plan.effective():
        out.pop(change.old_path or change.path, None)
        out[change.path] = change.after()
    return out


def body(text: str) -> dict[str, str]:
    return {OLD: "# old claim\n", "d/other.md": text}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("[[old claim]]", "[[new claim]]"),
        ("[[Old claim]]", "[[New claim]]"),  # a capital at the start of a sentence is kept
        ("[[OLD CLAIM]]", "[[new claim]]"),  # any other variant takes the title as written
        ("[[old claim|the alias]]", "[[new claim|the alias]]"),
        ("[[old claim#Evidence]]", "[[new claim#Evidence]]"),
        ("[[old claim#Evidence|see]]", "[[new claim#Evidence|see]]"),
        ("![[old claim]]", "![[new claim]]"),
        ("[[d/old claim]]", "[[d/new claim]]"),
        ("[[D/old claim]]", "[[D/new claim]]"),  # the path as written, only the name changes
        ("[[old claim.md]]", "[[new claim.md]]"),
        ("[[d/old claim.md|x]]", "[[d/new claim.md|x]]"),
        ("[[ old claim ]]", "[[ new claim ]]"),
        ("[[./d/old claim]]", "[[./d/new claim]]"),
        ("[[d\\old claim]]", "[[d\\new claim]]"),
    ],
)
def test_every_link_form_keeps_its_shape(written: str, expected: str) -> None:
    out = renamed(body(f"see {written} here\n"), Target(OLD, NEW, "new claim"))
    assert out["d/other.md"] == f"see {expected} here\n"


def test_links_in_code_and_other_links_are_left_alone() -> None:
    text = "`[[old claim]]`\n\n```\n[[old claim]]\n```\n\n~~~md\n[[old claim]]\n~~~\n[[old claims]] [[other]] [[old claim]]\n"
    out = renamed(body(text), Target(OLD, NEW, "new claim"))
    assert out["d/other.md"] == text.replace("[[old claims]] [[other]] [[old claim]]", "[[old claims]] [[other]] [[new claim]]")


def test_frontmatter_values_change_and_nothing_else_in_the_frontmatter() -> None:
    fm = (
        "---\n"
        "type: claim\n"
        "description: a very long description that ruamel would re-wrap if it dumped this frontmatter again at eighty columns\n"
        "depends_on:\n"
        "  - old claim\n"
        '  - "[[old claim]]"\n'
        "  - 'old claim.md'\n"
        "  - other title\n"
        "challenged_by: [old claim, other]\n"
        "enrichments: \"Old claim\"\n"
        "---\n\nbody\n"
    )
    out = renamed(body(fm), Target(OLD, NEW, "new claim"))
    assert out["d/other.md"] == (
        "---\n"
        "type: claim\n"
        "description: a very long description that ruamel would re-wrap if it dumped this frontmatter again at eighty columns\n"
        "depends_on:\n"
        "  - new claim\n"
        '  - "[[new claim]]"\n'
        "  - 'new claim.md'\n"
        "  - other title\n"
        "challenged_by: [new claim, other]\n"
        "enrichments: \"New claim\"\n"
        "---\n\nbody\n"
    )


def test_a_value_with_escapes_is_requoted_whole() -> None:
    fm = '---\ndepends_on:\n  - "old claim\\u0020"\n  - "[[old claim]] \\u00e9"\n---\n'
    out = renamed(body(fm), Target(OLD, NEW, "new claim"))
    assert out["d/other.md"] == '---\ndepends_on:\n  - "new claim "\n  - "[[new claim]] é"\n---\n'


def test_a_plain_value_that_would_not_read_back_is_quoted() -> None:
    fm = "---\ndepends_on:\n  - old claim\n---\n"
    out = renamed(body(fm), Target(OLD, "d/new #1 claim.md", "new #1 claim"))
    assert out["d/other.md"] == '---\ndepends_on:\n  - "new #1 claim"\n---\n'


def test_h1_follows_when_it_matched_the_title() -> None:
    files = {OLD: "---\ntype: claim\n---\n\n# Old claim\n\nSee [[old claim]] and [[#Evidence]].\n"}
    out = renamed(files, Target(OLD, NEW, "new: claim"))
    assert out == {NEW: "---\ntype: claim\n---\n\n# New: claim\n\nSee [[new claim]] and [[#Evidence]].\n"}


def test_h1_that_says_something_else_is_left_alone() -> None:
    files = {OLD: "# A different heading\n"}
    assert renamed(files, Target(OLD, NEW, "new claim")) == {NEW: "# A different heading\n"}
    assert new_h1("Old, claim!", "old claim", "new claim") == "New claim"
    assert new_h1("old claim", "old claim", "new claim") == "new claim"


def test_written_title_rule() -> None:
    assert written_title("old", "old", "new") == "new"
    assert written_title("Old", "old", "new") == "New"
    assert written_title("OLD", "old", "new") == "new"
    assert written_title("Old", "Old", "new") == "new"


def test_a_bare_title_another_note_has_becomes_a_path_link() -> None:
    files = {OLD: "# old claim\n", "e/x.md": "[[old claim]]\n"}
    out = renamed(files, Target(OLD, NEW, "new claim"), others=("f/new claim.md",))
    assert out["e/x.md"] == "[[d/new claim]]\n"


def test_move_rewrites_path_links_and_keeps_outgoing_links_pointing_where_they_did() -> None:
    files = {
        OLD: "---\ndomain: ai\n---\n# old claim\n[[beliefs]] [[d/old claim]]\n",
        "d/beliefs.md": "x\n",
        "e/beliefs.md": "y\n",
        "e/z.md": "[[d/old claim|z]] [[old claim]]\n",
    }
    out = renamed(files, Target(OLD, "e/old claim.md", None, "bio"))
    assert out["e/old claim.md"] == "---\ndomain: bio\n---\n# old claim\n[[d/beliefs]] [[e/old claim]]\n"
    assert out["e/z.md"] == "[[e/old claim|z]] [[old claim]]\n"


def test_map_entry_moves_between_maps() -> None:
    files = {
        OLD: "---\ndomain: ai\ndescription: about things\n---\n# old claim\n",
        "d/_map.md": "# D\n\n## Things\n- [[a]] — a\n- [[old claim]] — why it matters\n- [[b]] — b\n",
        "e/_map.md": "# E\n\n## Things\n- [[c]] — c\n\n## Other\n- [[e]] — e\n",
    }
    target = Target(OLD, "e/new claim.md", "new claim", "bio", "d/_map.md", "e/_map.md")
    out = renamed(files, target, others=("d/a.md", "d/b.md", "e/c.md", "e/e.md"))
    assert out["d/_map.md"] == "# D\n\n## Things\n- [[a]] — a\n- [[b]] — b\n"
    assert out["e/_map.md"] == "# E\n\n## Things\n- [[c]] — c\n- [[new claim]] — why it matters\n\n## Other\n- [[e]] — e\n"


def test_needle_for_the_prefilter() -> None:
    assert needle("plain title") == "plain title"
    assert needle("café society grows") == "society grows"
    assert needle("日本語") is None


def test_rewrite_target_when_moving_to_the_root() -> None:
    t = Target("d/old.md", "old.md", None)
    assert rewrite_target("d/old", t) == "old"
    assert rewrite_target("old", t) == "old"


def test_the_resolver_fast_path_builds_the_same_index_as_add() -> None:
    paths = ["d/a.md", "d/ B .MD", "e/b.md", "b.md", "x/café.md", "x/cafe\u0301.md", "d/.md", "noext", "a/b/c.md"]
    fast: Resolver[PathRef] = Resolver(PathRef(p) for p in paths)
    slow: Resolver[PathRef] = Resolver([])
    for p in paths:
        slow.add(PathRef(p))
    assert fast.by_path == slow.by_path
    assert fast.by_title == slow.by_title


def test_parse_references_finds_exactly_the_links_parse_note_finds() -> None:
    from codex_cli.core.note import parse_references
    from tests.helpers import SAMPLE

    texts = [p for p in sorted(SAMPLE.rglob("*.md")) if ".git" not in p.parts] if SAMPLE.is_dir() else []
    texts_extra = [
        b"---\ndepends_on: [a, '[[b]]']\n---\n[[c]]\n",
        b"---\ndepends_on: [a\n---\n[[c]]\n",  # invalid YAML: no frontmatter references
        b"---\nnested:\n  depends_on: [a]\n---\n",
        b"---\nunclosed: [[x]]\n",
        b"\x00[[binary]]",
    ]
    cases = [(p.relative_to(SAMPLE).as_posix(), p.read_bytes()) for p in texts]
    cases += [(f"x/{i}.md", raw) for i, raw in enumerate(texts_extra)]
    for path, raw in cases:
        full = parse_note(path, raw, CTX)
        lean = parse_references(path, raw, CTX)
        assert lean.links == full.links, path
        assert lean.body_start == full.body_start, path


def test_partial_index_resolves_covered_targets_as_the_full_index_does() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from codex_cli.core.resolve import PartialIndex

    names = st.sampled_from(["old", "Old", "old claim", " old ", "beliefs", "café", "cafe\u0301", "x old", "olde"])
    folders = st.sampled_from(["", "d/", "e/", "d/sub/", "D/"])
    paths = st.lists(st.tuples(folders, names).map(lambda t: f"{t[0]}{t[1]}.md"), max_size=8, unique=True)
    targets = st.lists(st.tuples(folders, names, st.sampled_from(["", ".md", ".MD"])).map("".join), max_size=5)

    @settings(max_examples=200, deadline=None)
    @given(paths, targets, st.sampled_from(["d/a.md", "e/b.md", "z.md"]))
    def check(ps: list[str], ts: list[str], source: str) -> None:
        full: Resolver[PathRef] = Resolver(PathRef(p) for p in ps)
        part = PartialIndex(ps)
        part.cover(*ts)
        for t in ts:
            a, b = full.resolve(t, source), part.resolve(t, source)
            assert (a.status, a.note, set(a.candidates)) == (b.status, b.note, set(b.candidates)), t

    check()
