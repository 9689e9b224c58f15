""""Did you mean": the closest titles to a target that resolves to nothing.

rapidfuzz does the scoring. On a large vault, scoring every title for every
broken link would be quadratic, so candidates come first from an inverted
index of title words (the rarest words of the query), then get scored.
"""

from __future__ import annotations

from collections.abc import Sequence

from codex_cli.core.text import loose_key, strip_md

SCORE_CUTOFF = 60.0
SMALL = 3000
_MAX_CANDIDATES = 400


def combined_score(query: str, candidate: str) -> float:
    """0-100: how likely `candidate` is the title `query` meant (both loose keys)."""
    from rapidfuzz import fuzz

    shorter = min(1.0, len(candidate) / max(1, len(query))) ** 0.3
    return max(fuzz.token_sort_ratio(query, candidate), 0.95 * fuzz.token_set_ratio(query, candidate) * shorter)


def closest_titles(query: str, titles: Sequence[str], limit: int = 3) -> list[str]:
    return Suggester(titles).suggest(query, limit)


class Suggester:
    def __init__(self, titles: Sequence[str]) -> None:
        # Unique titles, in a stable order.
        self.titles = list(dict.fromkeys(titles))
        self.keys = [loose_key(t) for t in self.titles]
        self._postings: dict[str, list[int]] | None = None
        self._memo: dict[str, list[str]] = {}

    def _index(self) -> dict[str, list[int]]:
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for i, k in enumerate(self.keys):
                for word in set(k.split()):
                    postings.setdefault(word, []).append(i)
            self._postings = postings
        return self._postings

    def _candidates(self, qkey: str) -> list[int]:
        if len(self.keys) <= SMALL:
            return list(range(len(self.keys)))
        postings = self._index()
        words = sorted({w for w in qkey.split() if w in postings}, key=lambda w: len(postings[w]))
        chosen: dict[int, int] = {}
        for word in words[:6]:
            for i in postings[word][: _MAX_CANDIDATES * 4]:
                chosen[i] = chosen.get(i, 0) + 1
        if len(chosen) > _MAX_CANDIDATES:
            ranked = sorted(chosen.items(), key=lambda kv: -kv[1])[:_MAX_CANDIDATES]
            return [i for i, _ in ranked]
        return list(chosen)

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        qkey = loose_key(strip_md(query.rpartition("/")[2] if "/" in query else query))
        if not qkey:
            return []
        memo_key = f"{limit}\0{qkey}"
        if memo_key in self._memo:
            return self._memo[memo_key]
        from rapidfuzz import fuzz, process

        ids = self._candidates(qkey)
        choices = {i: self.keys[i] for i in ids}
        # Two native scorers, then one combined score on their union: the
        # word-order-free ratio, and shared words (for truncated or extended
        # titles) damped when the candidate is much shorter than the query.
        pool = {i for _, _, i in process.extract(qkey, choices, scorer=fuzz.token_sort_ratio, limit=limit + 3)}
        pool |= {i for _, _, i in process.extract(qkey, choices, scorer=fuzz.token_set_ratio, limit=limit + 3)}
        scored = sorted(((combined_score(qkey, self.keys[i]), i) for i in pool), key=lambda t: (-t[0], self.titles[t[1]]))
        out = [self.titles[i] for score, i in scored[:limit] if score >= SCORE_CUTOFF]
        self._memo[memo_key] = out
        return out
