"""A few queries search for their words' postings instead of indexing every title: same answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core.suggest import SMALL, Suggester

WORDS = ["markets", "beat", "votes", "AI", "alignment", "is", "a", "coordination", "problem", "Foo-Bar", "x_y", "é", "naïve", "  ", "(draft)", "1"]
title = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
FILLER = [f"{WORDS[i % 9]} filler {WORDS[i % 7]} number {i}" for i in range(SMALL)]  # past SMALL: the large path


@settings(max_examples=15, deadline=None)
@given(titles=st.lists(title, min_size=1, max_size=40), queries=st.lists(title, min_size=1, max_size=4), at=st.integers(0, SMALL))
def test_searched_postings_give_the_indexed_suggestions(titles: list[str], queries: list[str], at: int) -> None:
    import codex_cli.core.suggest as suggest

    suggest.FEW_QUERIES, few = 32, suggest.FEW_QUERIES  # every batch here takes the searched path
    titles = FILLER[:at] + titles + FILLER[at:]
    indexed = Suggester(titles).prepare()
    searched = Suggester(titles)
    try:
        assert searched.suggest_many(queries) == indexed.suggest_many(queries)
    finally:
        suggest.FEW_QUERIES = few
    if all(t.isascii() for t in titles):
        assert searched._keys is None  # no title's key was computed up front
    words = sorted({w for k in indexed.keys for w in k.split()})
    index = indexed._index()
    assert searched._searched(words) == {w: index[w] for w in words}
