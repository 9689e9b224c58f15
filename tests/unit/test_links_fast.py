"""The link scanner's fast paths find exactly what the plain regex scan finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core.links import LINK, _inside, _matches, code_ranges, malformed_links, parse_links

_OPEN = re.compile(r"\[\[")


def reference_malformed(text: str, start: int = 0) -> list[int]:
    """The original definition: every `[[` (non-overlapping) that opens no link, outside code."""
    good = {m.start() + len(m.group(1)) for m in LINK.finditer(text, start)}
    code = code_ranges(text)
    return [
        s
        for s in (m.start() for m in _OPEN.finditer(text, start))
        if not (s in good or s - 1 in good or s + 1 in good) and not (code and _inside(code, s, s + 2))
    ]


pieces = st.lists(
    st.sampled_from(["[[", "]]", "[", "]", "!", "|", "#", "a", "b c", "\n", "`", "```\n", "~~~\n", " "]),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(pieces, st.integers(min_value=0, max_value=6))
def test_matches_equal_finditer(text: str, start: int) -> None:
    start = min(start, len(text))
    fast = list(_matches(text, start, len(text)))
    slow = [(*m.span(), *m.span(2), m.group(2), m.group(3), m.group(4), m.group(1) == "!") for m in LINK.finditer(text, start, len(text))]
    assert fast == slow


@settings(max_examples=400, deadline=None)
@given(pieces, st.integers(min_value=0, max_value=6))
def test_malformed_equal_reference(text: str, start: int) -> None:
    start = min(start, len(text))
    parse_links(text, start)  # primes the one-text memo the way parse_note does
    assert malformed_links(text, start) == reference_malformed(text, start)
    assert malformed_links(text + " ", start) == reference_malformed(text + " ", start)


def test_embed_and_neighbours() -> None:
    text = "x ![[a]]![[b|c]] [[[d]]] [[e#h]]"
    links = parse_links(text)
    assert [(lk.target, lk.embed, text[lk.start : lk.end]) for lk in links] == [
        ("a", True, "![[a]]"),
        ("b", True, "![[b|c]]"),
        ("d", False, "[[d]]"),
        ("e", False, "[[e#h]]"),
    ]
    assert malformed_links(text) == []
    assert malformed_links("a [[b\nc]] d") == [2]


# --- frontmatter spans: the line-by-line path agrees with the YAML composer ---------

_word = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzé -_:#'\"[],.0123456789"), min_size=1, max_size=20)
_key = st.sampled_from(["depends_on", "challenged_by", "type", "source", "no", "x"])


@st.composite
def _frontmatter(draw: st.DrawFn) -> str:
    lines = []
    for k in draw(st.lists(_key, min_size=1, max_size=5)):
        if draw(st.booleans()):
            lines.append(f"{k}:" + draw(st.sampled_from(["", " ", " []"])))
            for item in draw(st.lists(_word, min_size=0, max_size=3)):
                quote = draw(st.sampled_from(["", '"', "'"]))
                lines.append(draw(st.sampled_from(["  - ", "- ", "\t- "])) + f"{quote}{item}{quote}" + draw(st.sampled_from(["", "  ", "\r"])))
        else:
            quote = draw(st.sampled_from(["", '"', "'"]))
            lines.append(f"{k}: {quote}{draw(_word)}{quote}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# note", "  more text"])))
    return "---\n" + "\n".join(lines) + "\n---\nbody\n"


@settings(max_examples=500, deadline=None)
@given(_frontmatter())
def test_fast_spans_match_yaml(text: str) -> None:
    from codex_cli.core import frontmatter as fm

    block = fm.locate(text)
    assert block is not None
    fields = frozenset({"depends_on", "challenged_by", "source"})
    fast = fm._fast_spans(text, block, fields)
    if fast is None:
        return
    original = fm._fast_spans
    try:
        fm._fast_spans = lambda *a: None  # type: ignore[assignment]
        slow = fm.value_spans(text, block, fields)
    finally:
        fm._fast_spans = original  # type: ignore[assignment]
    assert fast == slow


def test_fast_spans_take_typical_title_lists() -> None:
    from codex_cli.core import frontmatter as fm

    text = "---\ntype: claim\ndepends_on:\n  - a title, with a comma\n  - 'quoted title'\nchallenged_by: \"one\"\n---\n"
    block = fm.locate(text)
    assert block is not None
    spans = fm._fast_spans(text, block, frozenset({"depends_on", "challenged_by"}))
    assert spans is not None
    assert [(s.field, s.value, text[s.start : s.end], s.style) for s in spans] == [
        ("depends_on", "a title, with a comma", "a title, with a comma", ""),
        ("depends_on", "quoted title", "quoted title", "'"),
        ("challenged_by", "one", "one", '"'),
    ]


def test_fast_loader_leaves_tab_indentation_to_libyaml() -> None:
    from codex_cli.core import frontmatter as fm

    assert fm._fast_load("a:\n\t- x\n") is None
    with pytest.raises(fm.FrontmatterError):
        fm.load("a:\n\t- x\n")
