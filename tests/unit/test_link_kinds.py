"""The parser and resolver on every link form of issue 17: markdown links,
aliases, `[[...]]` in any frontmatter field, case drift."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core import frontmatter as fm
from codex_cli.core.check import CLAIM, Part, through_aliases
from codex_cli.core.links import (
    encode_like,
    markdown_destination,
    parse_markdown_links,
    relative_path,
)
from codex_cli.core.note import ParseContext, parse_note
from codex_cli.core.resolve import (
    ALIAS,
    AMBIGUOUS,
    BROKEN,
    OK,
    PATH,
    TITLE,
    PathRef,
    Resolver,
    aliases_of,
    case_drift,
    markdown_path,
)

CTX = ParseContext(frozenset({"depends_on"}), {}, frozenset())


def md(text: str) -> list[tuple[str, str, str | None, str | None, bool]]:
    return [(text[lk.start : lk.end], lk.target, lk.heading, lk.alias, lk.embed) for lk in parse_markdown_links(text)]


def test_markdown_links_found_and_decoded() -> None:
    text = (
        "[a](foo.md) ![b](../x/Bar%20baz.md#sec \"t\") [c](<d e.md>) [p](a(1).md) [r](/root/R.md)\n"
        "[u](https://x.org/a.md) [m](mailto:a@b.md) [s](//host/a.md) [n](notes.txt) [h](#anchor) "
        "`[q](q.md)` [[w]](z.md) [e](a\\ b.md)\n```\n[f](fenced.md)\n```\n"
    )
    assert md(text) == [
        ("[a](foo.md)", "foo.md", None, "a", False),
        ('![b](../x/Bar%20baz.md#sec "t")', "../x/Bar baz.md", "sec", "b", True),
        ("[c](<d e.md>)", "d e.md", None, "c", False),
        ("[p](a(1).md)", "a(1).md", None, "p", False),
        ("[r](/root/R.md)", "/root/R.md", None, "r", False),
    ]
    links = parse_markdown_links(text)
    assert [text[lk.target_start : lk.target_end] for lk in links] == ["foo.md", "../x/Bar%20baz.md", "d e.md", "a(1).md", "/root/R.md"]
    assert all(lk.markdown and lk.line == 1 for lk in links)


def test_markdown_link_text_with_brackets_and_lines() -> None:
    text = "x\n[see [this] one](a.md) and [[wiki]] [b](\nb.md)"
    assert md(text) == [("[see [this] one](a.md)", "a.md", None, "see [this] one", False)]
    assert parse_markdown_links(text)[0].line == 2


@pytest.mark.parametrize(
    ("path", "written", "angle", "expected"),
    [
        ("new title.md", "old%20title.md", False, "new%20title.md"),
        ("a's, b.md", "old%20title.md", False, "a's,%20b.md"),
        ("a's, b.md", "x%27s%2C%20y.md", False, "a%27s%2C%20b.md"),
        ("new title.md", "old.md", False, "new%20title.md"),
        ("new title.md", "old title.md", True, "new title.md"),
        ("50% off.md", "old.md", False, "50%25%20off.md"),
    ],
)
def test_encode_like(path: str, written: str, angle: bool, expected: str) -> None:
    assert encode_like(path, written, angle) == expected


def test_relative_paths() -> None:
    assert relative_path("a/b/c.md", "a/d") == "../b/c.md"
    assert relative_path("c.md", "a/d") == "../../c.md"
    assert relative_path("a/c.md", "") == "a/c.md"
    assert relative_path("a/c.md", "a") == "c.md"
    assert markdown_destination("d/new.md", "e/f/x.md", "./../../d/old.md") == "../../d/new.md"
    assert markdown_destination("d/new.md", "d/x.md", "./old.md") == "./new.md"
    assert markdown_destination("d/new one.md", "e/x.md", "/d/old.md") == "/d/new%20one.md"
    assert markdown_destination("d/new.md", "e/x.md", "../d/./old%20x.md", same_folder=True) == "../d/./new.md"
    assert markdown_path("../x/y.md", "a/b/n.md") == "a/x/y.md"
    assert markdown_path("/x/y.md", "a/b/n.md") == "x/y.md"
    assert markdown_path("../../../y.md", "a/n.md") is None


def test_aliases_resolve_after_path_and_title() -> None:
    g, h, t = PathRef("d/gamma.md"), PathRef("e/h.md"), PathRef("d/taken.md")
    r = Resolver([g, h, t], [("Gamma Alias", g), ("taken", h), ("shared", g), ("shared", h)])
    res = r.resolve("gamma alias")
    assert (res.status, res.note, res.via) == (OK, g, ALIAS)
    assert (r.resolve("taken").note, r.resolve("taken").via) == (t, TITLE)  # a title wins over an alias
    assert r.resolve("d/gamma").via == PATH
    assert r.resolve("shared").status == AMBIGUOUS
    assert r.resolve("shared", "e/x.md").note == h  # the one in the linking note's folder
    assert r.find("Gamma Alias") == [g]
    r.remove(g)
    assert r.resolve("gamma alias").status == BROKEN
    assert aliases_of({"aliases": "One"}) == ("One",)
    assert aliases_of({"aliases": ["a", 3, " ", "b "]}) == ("a", "b")
    assert aliases_of({"aliases": None}) == ()


def test_check_resolves_aliases_as_the_resolver_does() -> None:
    """`through_aliases` (whole-vault, after the workers) gives the answer `Resolver` gives."""
    finding = ("x/n.md", "broken-link", "error", "m", 3, "Gamma Alias", ())
    parts = {
        "x/n.md": Part((finding,), 1, 0, (), (), (), (0,)),
        "d/gamma.md": Part((), 0, CLAIM, (), (), ("gamma alias",)),
    }
    assert through_aliases(parts)["x/n.md"].findings == ()
    parts["e/other.md"] = Part((), 0, 0, (), (), ("Gamma Alias",))
    assert through_aliases(parts)["x/n.md"].findings[0][1] == "ambiguous-link"
    parts["x/local.md"] = Part((), 0, 0, (), (), ("Gamma Alias",))
    assert through_aliases(parts)["x/n.md"].findings == ()


def drift(target: str, path: str, source: str = "x/n.md", markdown: bool = False) -> str | None:
    from codex_cli.core.links import Link

    r = Resolver([PathRef(path)])
    link = Link(0, 0, 0, 0, 1, target, None, None, False, markdown=markdown)
    return case_drift(link, r.resolve_link(link, source), source)


def test_case_drift() -> None:
    assert drift("gamma rises", "d/gamma rises.md") is None
    assert drift("Gamma rises", "d/gamma rises.md") is None  # a sentence's capital
    assert drift("gamma rises", "d/Gamma rises.md") is None
    assert drift("gamma Rises", "d/Gamma rises.md") == "gamma rises"
    assert drift("Gamma Rises", "d/gamma rises.md") == "Gamma rises"
    assert drift(" gamma RISES.md ", "d/gamma rises.md") == " gamma rises.md "
    assert drift("D/gamma rises", "d/gamma rises.md") == "d/gamma rises"
    assert drift("./d/Gamma rises", "d/gamma rises.md") is None
    assert drift("../D/Gamma Rises.md", "d/gamma rises.md", markdown=True) == "../d/gamma rises.md"
    assert drift("../d/gamma rises.md", "d/gamma rises.md", markdown=True) is None
    assert drift("café", "d/cafe\u0301.md") is None  # NFC differs, case does not


def test_frontmatter_links_in_any_field() -> None:
    text = (
        '---\ntype: entity\nparent_entity: "[[metadao]]"\nnotes: plain text\n'
        "depends_on:\n  - a title\nrelated:\n  - \"[[x]] and [[y|why]]\"\n---\n\nBody [[z]].\n"
    )
    note = parse_note("e/n.md", text.encode(), CTX)
    assert [(lk.target, lk.field, lk.bare, lk.line) for lk in note.links] == [
        ("metadao", "parent_entity", False, 3),
        ("a title", "depends_on", True, 6),
        ("x", "related", False, 8),
        ("y", "related", False, 8),
        ("z", "", False, 11),
    ]
    off = parse_note("e/n.md", text.encode(), ParseContext(frozenset({"depends_on"}), {}, frozenset(), frontmatter_links=False))
    assert [lk.target for lk in off.links] == ["a title", "z"]
    nested = "---\nmeta:\n  parent: \"[[deep]]\"\n  list: [\"[[deeper]]\", 3]\n---\n"
    assert [(lk.target, lk.field) for lk in parse_note("n.md", nested.encode(), CTX).links] == [("deep", "meta"), ("deeper", "meta")]


values = st.sampled_from(["plain", '"[[a]]"', "'[[b|c]]'", "[[d]] text", '"x [[e]] y"', "2026-01-01"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["depends_on", "parent", "other", "notes"]), st.lists(values, max_size=3), values), max_size=4, unique_by=lambda t: t[0]))
def test_fast_and_composed_spans_agree_on_any_field_links(fields: list[tuple[str, list[str], str]]) -> None:
    yaml = ""
    for name, items, single in fields:
        yaml += f"{name}:\n" + "".join(f"  - {v}\n" for v in items) if items else f"{name}: {single}\n"
    text = f"---\n{yaml}---\n"
    block = fm.locate(text)
    assert block is not None
    fast = fm._fast_spans(text, block, {"depends_on"}, True)
    if fast is None:
        return
    slow = fm._composed_spans(text, block, {"depends_on"}, True)
    assert [(s.field, s.value, s.start, s.end) for s in fast] == [(s.field, s.value, s.start, s.end) for s in slow]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["](", "]", "(", "[", "a", "]]", "\n", ")"]), max_size=30).map("".join), st.integers(0, 8), st.integers(0, 8))
def test_markdown_scan_finds_what_find_finds(text: str, start: int, cut: int) -> None:
    """The `(`-first scan is `str.find("](")` (the ASCII fast path parse_markdown_links uses)."""
    from codex_cli.core.links import _next_tail

    start = min(start, len(text))
    end = max(start, len(text) - cut)
    assert _next_tail(text, start, end) == text.find("](", start, end)


cased_word = st.sampled_from(["alpha", "Alpha", "ALPHA", "beta", "bEta", "café", "Café", "x"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(cased_word, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=5, unique_by=str.lower),
    st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["", "nfd", "lower", "upper", "md", "path", "pad"])), max_size=8),
)
def test_the_cased_shortcut_finds_every_drift(names: list[str], links: list[tuple[int, str]]) -> None:
    """`note_part` with `cased_keys` reports exactly the drift it reports comparing every link."""
    from codex_cli.core.check import note_part
    from codex_cli.core.resolve import cased_keys

    paths = [f"d/{n}.md" for n in names]
    forms = {"": lambda n: n, "nfd": lambda n: unicodedata.normalize("NFD", n.lower()), "lower": str.lower, "upper": str.upper, "md": lambda n: n.lower() + ".md", "path": lambda n: "d/" + n.lower(), "pad": lambda n: f" {n.lower()} "}
    body = " ".join(f"[[{forms[f](names[i % len(names)])}]]" for i, f in links)
    note = parse_note("d/linker.md", f"# L\n\n{body}\n".encode(), CTX)
    index = Resolver([PathRef(p) for p in [*paths, "d/linker.md"]])
    slow = note_part(note, index, frozenset(), lambda p: False)
    fast = note_part(note, index, frozenset(), lambda p: False, cased=cased_keys([*paths, "d/linker.md"]))
    assert fast == slow
