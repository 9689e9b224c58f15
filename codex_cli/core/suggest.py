""""Did you mean": the closest titles to a target that resolves to nothing.

rapidfuzz does the scoring. Up to SMALL titles, every title is a candidate
and the two native scorers pick a pool that the combined score ranks. On a
larger vault that would be quadratic (and token_set_ratio costs microseconds
a pair), so candidates come from an inverted index of title words instead:
the titles that share the most of the query's rarest words, which is where a
typo, a truncation or a reworded title still lands; only those few are
scored. Suggestions depend only on the query and the set of titles, so they
are memoised per query (and `ops.check` keeps them between runs).

For a few queries (a scoped `codex check`), building the index costs more
than answering them: the postings of their words alone are gathered in one
pass over every title's loose key (a set intersection per title), which
gives the same postings in the same order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from codex_cli.core.text import loose_key, strip_md

# loose_key's translation of ASCII (bytes), keeping the line breaks between titles
_ASCII_LOOSE = bytes(c if c == 10 or c > 127 or chr(c).isalnum() else 32 for c in range(256))

SCORE_CUTOFF = 60.0
SMALL = 500
_RAREST_WORDS = 3  # query words whose postings are counted
_POSTINGS_CAP = 600  # postings read per word (the rarest words have far fewer)
_SCORED = 8  # candidates scored per query on a large vault
FEW_QUERIES = 64  # up to this many queries, the postings of their words alone are gathered in one pass (cheaper than indexing every word)


def combined_score(query: str, candidate: str) -> float:
    """0-100: how likely `candidate` is the title `query` meant (both loose keys)."""
    fuzz = _fuzz()
    shorter = min(1.0, len(candidate) / max(1, len(query))) ** 0.3
    return max(fuzz.token_sort_ratio(query, candidate), 0.95 * fuzz.token_set_ratio(query, candidate) * shorter)


def _fuzz() -> Any:
    global _FUZZ
    if _FUZZ is None:
        from rapidfuzz import fuzz

        _FUZZ = fuzz
    return _FUZZ


_FUZZ: Any = None


def closest_titles(query: str, titles: Sequence[str], limit: int = 3) -> list[str]:
    return Suggester(titles).suggest(query, limit)


class Suggester:
    def __init__(self, titles: Sequence[str]) -> None:
        # Unique titles, in a stable order.
        self.titles = list(dict.fromkeys(titles))
        self._keys: list[str] | None = None
        self._postings: dict[str, list[int]] | None = None
        self._memo: dict[str, list[str]] = {}
        self._text: list[bytes] | None = None  # see _lines
        self._searched_words: dict[str, list[int]] = {}

    @property
    def keys(self) -> list[str]:
        """Every title's loose key, in the order of `titles`."""
        if self._keys is None:
            self._keys = [loose_key(t) for t in self.titles]
        return self._keys

    @property
    def small(self) -> bool:
        return len(self.titles) <= SMALL

    def prepare(self) -> Suggester:
        """Build the word index now (before forking workers that share it)."""
        if not self.small:
            self._index()
        return self

    def _index(self) -> dict[str, list[int]]:
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            get = postings.get
            for i, k in enumerate(self.keys):
                for word in set(k.split()):
                    bucket = get(word)
                    if bucket is None:
                        postings[word] = [i]
                    else:
                        bucket.append(i)
            self._postings = postings
        return self._postings

    def _candidates(self, qkey: str) -> list[int]:
        """Titles sharing the most of the query's rarest words, best first.

        The rarest words are those with the fewest postings, equally rare
        ones taken in the words' order (not a set's, which varies between
        processes). The order is that of counting votes over their postings
        in turn (most votes first, ties in order of first appearance), found
        with set operations: postings are ascending title numbers, so first
        appearance is numeric order within each list.
        """
        postings = self._index() if self._postings is not None or not self._few else self._searched(qkey.split())
        words = sorted({w for w in qkey.split() if w in postings}, key=lambda w: (len(postings[w]), w))  # ties by the word: a set's order varies between runs
        if not words:
            return []
        lists = [postings[w][:_POSTINGS_CAP] for w in words[:_RAREST_WORDS]]
        if len(lists) == 1:
            return lists[0][:_SCORED]
        sets = [set(lst) for lst in lists]
        if len(sets) == 2:
            a, b = sets
            levels = [a & b]
        else:
            a, b, c = sets
            ab, ac, bc = a & b, a & c, b & c
            three = ab & c
            levels = [three, (ab | ac | bc) - three]
        levels.append((a | b | c if len(sets) == 3 else a | b) - set().union(*levels))
        out: list[int] = []
        for level in levels:
            if not level:
                continue
            seen: set[int] = set()
            for s in sets:  # first appearance: the first list that holds it
                mine = (level & s) - seen
                if mine:
                    out.extend(sorted(mine)[: _SCORED - len(out)])
                    if len(out) >= _SCORED:
                        return out
                    seen |= mine
        return out

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        qkey = _query_key(query)
        if not qkey:
            return []
        memo_key = f"{limit}\0{qkey}"
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        if self.small:
            found = self._suggest_small(qkey, limit)
        else:
            found = self._suggest_large(qkey, limit)
        self._memo[memo_key] = found
        return found

    def suggest_many(self, queries: Iterable[str], limit: int = 3) -> dict[str, list[str]]:
        queries = list(queries)
        self._few = len(queries) <= FEW_QUERIES
        if self._few and self._postings is None and not self.small:
            self._searched([w for q in queries for w in _query_key(q).split()])  # every query's words in one pass
        return {q: self.suggest(q, limit) for q in queries}

    _few = True  # suggest_many says otherwise for a large batch (then the index pays off)

    def _searched(self, words: list[str]) -> dict[str, list[int]]:
        """The postings of `words` alone (those that occur), as `_index` would hold them.

        One pass over every title's loose key (as bytes, one a line) keeps
        the titles that hold one of the words not looked for yet: a set
        intersection a title, in C, and no list for any other word. ASCII
        titles get their keys all at once (`bytes.translate`); only the
        others go through `loose_key`.
        """
        todo = {w for w in words if w not in self._searched_words}
        if todo:
            lines = self._lines()
            wanted = {w.encode("utf-8", "surrogatepass"): w for w in todo}
            found: dict[str, list[int]] = {w: [] for w in todo}
            for i, line in enumerate(lines):
                hits = wanted.keys() & line.split()
                if hits:
                    for hit in hits:
                        found[wanted[hit]].append(i)
            self._searched_words.update(found)
        out: dict[str, list[int]] = {}
        for word in words:
            postings = self._searched_words[word]
            if postings:
                out[word] = postings
        return out

    def _lines(self) -> list[bytes]:
        """Every title's loose key as UTF-8, in the order of `titles`."""
        if self._text is None:
            if self._keys is not None:
                self._text = [k.encode("utf-8", "surrogatepass") for k in self._keys]
                return self._text
            joined = "\n".join(self.titles)
            lines = joined.encode("utf-8", "surrogatepass").lower().translate(_ASCII_LOOSE).split(b"\n")
            if len(lines) != len(self.titles):  # a title holds a line break: every key on its own
                self._text = [k.encode("utf-8", "surrogatepass") for k in self.keys]
                return self._text
            for i, line in enumerate(lines):
                if not line.isascii():
                    lines[i] = loose_key(self.titles[i]).encode("utf-8", "surrogatepass")
            self._text = lines
        return self._text

    def _suggest_small(self, qkey: str, limit: int) -> list[str]:
        from rapidfuzz import fuzz, process

        choices = dict(enumerate(self.keys))
        # Two native scorers, then one combined score on their union: the
        # word-order-free ratio, and shared words (for truncated or extended
        # titles) damped when the candidate is much shorter than the query.
        pool = {i for _, _, i in process.extract(qkey, choices, scorer=fuzz.token_sort_ratio, limit=limit + 3)}
        pool |= {i for _, _, i in process.extract(qkey, choices, scorer=fuzz.token_set_ratio, limit=limit + 3)}
        return self._best(qkey, pool, limit)

    def _suggest_large(self, qkey: str, limit: int) -> list[str]:
        return self._best(qkey, self._candidates(qkey), limit)

    def _best(self, qkey: str, ids: Iterable[int], limit: int) -> list[str]:
        titles = self.titles
        ids = list(ids)
        if not ids:
            return []
        keys = [self._keys[i] if self._keys is not None else loose_key(titles[i]) for i in ids]
        scores = _combined_scores(qkey, keys)
        scored = sorted(zip(scores, ids, strict=True), key=lambda t: (-t[0], titles[t[1]]))
        return [titles[i] for score, i in scored[:limit] if score >= SCORE_CUTOFF]


def _query_key(query: str) -> str:
    """The loose key a query is matched by: its last path component, without `.md`."""
    return loose_key(strip_md(query.rpartition("/")[2] if "/" in query else query))


def _combined_scores(query: str, candidates: list[str]) -> list[float]:
    """`combined_score` of each candidate, each scorer run once over all of them (in C)."""
    from rapidfuzz import fuzz, process

    sort = process.extract(query, candidates, scorer=fuzz.token_sort_ratio, limit=None)
    sets = process.extract(query, candidates, scorer=fuzz.token_set_ratio, limit=None)
    by_sort = [0.0] * len(candidates)
    by_set = [0.0] * len(candidates)
    for _, score, i in sort:
        by_sort[i] = score
    for _, score, i in sets:
        by_set[i] = score
    q = max(1, len(query))
    return [
        max(by_sort[i], 0.95 * by_set[i] * min(1.0, len(c) / q) ** 0.3)
        for i, c in enumerate(candidates)
    ]
