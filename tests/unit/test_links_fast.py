"""The link scanner's fast paths find exactly what the plain regex scan finds."""

from __future__ import annotations

import re

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
    fast = [(m.span(), m.groups()) for m in _matches(text, start, len(text))]
    slow = [(m.span(), m.groups()) for m in LINK.finditer(text, start, len(text))]
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
