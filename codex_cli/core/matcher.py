"""Rank existing notes by relevance to a note or a draft, and say why.

Public contract (other commands call it): `rank(vault, draft, limit, types)`
returns `Suggestion`s, best first, never the draft's own note nor a note it
already links to; claim types by default (config `claim_types`).

One score adds up several kinds of evidence:

- text: BM25 (SQLite FTS5, in C) over title, description, body and word
  pairs, fields weighted; the query is the draft's most telling words and
  pairs by TF-IDF against the vault (English stop words dropped);
- the link graph: notes that the most similar notes link to ("linked from 3
  similar notes"), notes that link to this one, notes listed in the same map
  section;
- the domain, and a fuzzy title score, so a near-identical title is never missed.

The index lives in `adapters.search_index` (cached, updated for changed
files only); the weights below were set on the dev half of the sample only
(benchmarks/eval_link.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from codex_cli.core.links import LINK
from codex_cli.core.resolve import path_key, target_key, title_key, wiki_target

if TYPE_CHECKING:
    from codex_cli.adapters.search_index import Row, SearchIndex
    from codex_cli.core.note import Note
    from codex_cli.vault import Vault

# --- tuning (set on the dev half of the sample only; see benchmarks/eval_link.py) ---
TITLE_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 2.0
BODY_WEIGHT = 1.0
PAIR_WEIGHT = 0.5
QUERY_TERMS = 20  # the query's most telling words and pairs used to find candidates
QUERY_PAIRS = 10  # pairs considered for them
LOOKUP_WORDS = 50  # the draft's most frequent words whose rarity is looked up
REPEAT = 3  # the strongest term is repeated this often in the query, the others in proportion
CANDIDATES = 200  # text matches considered
NEIGHBOURS = 12  # similar notes whose links vote
BM25_WEIGHTS = (TITLE_WEIGHT, DESCRIPTION_WEIGHT, BODY_WEIGHT, PAIR_WEIGHT)  # title, description, body, pairs
W_TEXT = 1.0
W_VOTES = 1.2
W_BACKLINK = 0.35
W_SECTION = 0.15
W_DOMAIN = 0.05
W_TITLE = 0.1

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before being below
    between both but by can cannot could did do does doing don down during each either else ever every few for
    from further had has have having he her here hers herself him himself his how however i if in into is isn it
    its itself just let like ll may me might more most much must my myself no nor not now of off often on once
    only or other others otherwise our ours ourselves out over own per rather re s same shall she should since so
    some such t than that the their theirs them themselves then there these they this those though through thus
    to too under until up upon us ve very via was we were what when where whether which while who whom whose why
    will with within without would yet you your yours yourself yourselves one two new use used using make makes
    made way ways even many well much becomes become get gets
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_PLAIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # apostrophes split words: "don't" -> "don", "t"
_NOT_TEXT = re.compile(r"https?://\S+|`[^`\n]*`")


def stem(word: str) -> str:
    """A light English stemmer: plurals and common verb endings only."""
    if len(word) <= 3 or not word.isascii():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "zes")):
                continue
            return word[: len(word) - len(suffix)] + repl
    return word


def tokens(text: str) -> list[str]:
    """Content words (stemmed, lower case) of `text`, in order; stop words become ''."""
    out = []
    for m in _WORD.finditer(_NOT_TEXT.sub(" ", text.lower())):
        w = m.group().replace("’", "'").split("'")[0]
        if w in STOP_WORDS or len(w) < 2 or w.isdigit():
            out.append("")
        else:
            out.append(stem(w))
    return out


def term_counts(text: str, weight: float, into: dict[str, float]) -> None:
    """Add weighted counts of words and adjacent word pairs of `text` to `into`."""
    prev = ""
    for t in tokens(text):
        if t:
            into[t] = into.get(t, 0.0) + weight
            if prev:
                pair = prev + " " + t
                into[pair] = into.get(pair, 0.0) + weight * PAIR_WEIGHT
        prev = t


def pair_text(text: str) -> str:
    """Adjacent content words joined by `_` (`prediction_markets`), for the index's pairs column."""
    words = _PLAIN_WORD.findall(_NOT_TEXT.sub(" ", link_text(text).lower()))
    stop = STOP_WORDS
    out = []
    prev = ""
    for w in words:
        if w in stop or len(w) < 2 or w.isdigit():
            prev = ""
        else:
            if prev:
                out.append(prev + "_" + w)
            prev = w
    return " ".join(out)


def link_text(text: str) -> str:
    """Text with `[[target|alias]]` replaced by what a reader sees."""
    return LINK.sub(lambda m: " " + (m.group(4) or m.group(2) or "") + " ", text)


@dataclass(frozen=True)
class Features:
    """What the matcher keeps of one note (picklable, cached by signature)."""

    terms: dict[str, float]
    targets: tuple[str, ...] = ()  # target keys of its links
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # maps: (heading, target keys)


_HEADING = re.compile(r"^#{2,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def features(title: str, description: str, body: str, link_targets: Iterable[str] = (), is_map: bool = False) -> Features:
    terms: dict[str, float] = {}
    term_counts(title, TITLE_WEIGHT, terms)
    term_counts(description, DESCRIPTION_WEIGHT, terms)
    term_counts(link_text(body), BODY_WEIGHT, terms)
    targets = tuple(dict.fromkeys(k for k in (target_key(t) for t in link_targets) if k))
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if is_map:
        sections = map_sections(body)
    return Features(terms, targets, sections)


def map_sections(body: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(heading, target keys) of each `##`.. section of a map's body."""
    out: list[tuple[str, tuple[str, ...]]] = []
    bounds = [(m.start(), m.group(1)) for m in _HEADING.finditer(body)]
    for i, (start, heading) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(body)
        keys = tuple(dict.fromkeys(k for k in (target_key(m.group(2)) for m in LINK.finditer(body, start, end)) if k))
        if keys:
            out.append((heading, keys))
    return tuple(out)


class IndexView(Protocol):
    """What `rank_in` reads: `adapters.search_index.SearchIndex` (the cached index), or
    `adapters.grep_rank.ColdIndex` (one `git grep` pass, while there is no index yet)."""

    def settle(self) -> bool: ...
    def count(self) -> int: ...
    def by_path(self, path: str) -> Row | None: ...
    def resolve_key(self, key: str, source_path: str | None = None) -> list[Row]: ...
    def rows(self, ids: Iterable[int]) -> dict[int, Row]: ...
    def targets(self, ids: Iterable[int]) -> dict[int, list[str]]: ...
    def linking_to(self, keys: Iterable[str]) -> set[int]: ...
    def sections_of(self, ids: Iterable[int]) -> list[tuple[str, tuple[str, ...]]]: ...
    def stems(self, words: Sequence[str]) -> dict[str, str]: ...
    def doc_frequency(self, stems: Iterable[str]) -> dict[str, int]: ...
    def search(self, match: str, weights: Sequence[float], limit: int, types: Sequence[str] | None = None) -> list[tuple[int, float]]: ...


# --- public types ----------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What to find related notes for: a note being written, or an existing one."""

    title: str
    description: str = ""
    body: str = ""
    path: str | None = None  # an existing note to leave out of the results
    links: frozenset[str] = field(default_factory=frozenset)  # targets it already links to
    domain: str | None = None


@dataclass(frozen=True)
class Suggestion:
    title: str
    path: str
    score: float
    why: str


# --- ranking -------------------------------------------------------------------------


def weighted_words(draft: Draft) -> tuple[dict[str, float], dict[str, float]]:
    """Surface words and `word_word` pairs of a draft, with field-weighted counts."""
    words: dict[str, float] = {}
    pairs: dict[str, float] = {}
    for text, weight in ((draft.title, TITLE_WEIGHT), (draft.description, DESCRIPTION_WEIGHT), (draft.body, BODY_WEIGHT)):
        prev = ""
        for m in _WORD.finditer(_NOT_TEXT.sub(" ", link_text(text).lower())):
            w = m.group().replace("’", "'").split("'")[0]
            if w in STOP_WORDS or len(w) < 2 or w.isdigit():
                prev = ""
                continue
            words[w] = words.get(w, 0.0) + weight
            if prev:
                pair = f"{prev}_{w}"
                pairs[pair] = pairs.get(pair, 0.0) + weight
            prev = w
    return words, pairs


def query_terms(index: IndexView, draft: Draft) -> list[tuple[str, int]]:
    """The draft's most telling words and pairs (TF-IDF against the index), with a repeat count.

    Only the strongest few go into the query: BM25 then scores candidates in
    C over short posting lists, which keeps a search fast on a large vault.
    """
    words, pairs = weighted_words(draft)
    strongest_words = sorted(words, key=lambda w: (-words[w], -len(w)))[:LOOKUP_WORDS]
    strongest_pairs = sorted(pairs, key=lambda p: -pairs[p])[: QUERY_PAIRS * 2]
    words = {w: words[w] for w in strongest_words}
    stems = index.stems(strongest_words + strongest_pairs)
    by_stem: dict[str, tuple[str, float]] = {}
    for w, c in list(words.items()) + [(p, pairs[p] * PAIR_WEIGHT) for p in strongest_pairs]:
        st = stems.get(w)
        if st is None:
            continue
        first, total = by_stem.get(st, (w, 0.0))
        by_stem[st] = (first, total + c)
    df = index.doc_frequency(by_stem)
    n = max(1, index.count())
    own = 1 if draft.path and index.by_path(draft.path) is not None else 0
    scored = []
    for st, (surface, c) in by_stem.items():
        d = df.get(st, 0) - own
        if d <= 0:
            continue  # in no other note: cannot match anything
        idf = math.log(1 + n / d)
        scored.append(((1 + math.log(c)) * idf if c >= 1 else c * idf, surface))
    scored.sort(key=lambda t: (-t[0], t[1]))
    chosen = scored[:QUERY_TERMS]
    if not chosen:
        return []
    top = chosen[0][0]
    return [(surface, max(1, round(REPEAT * w / top))) for w, surface in chosen]


def match_expression(terms: list[tuple[str, int]]) -> str:
    """An FTS5 query: every term OR-ed, repeated by weight (BM25 sums over phrases)."""
    parts = []
    for t, n in terms:
        if t and '"' not in t:
            parts.extend([f'"{t}"'] * n)
    return " OR ".join(parts)


def rank(vault: Vault, draft: Draft, limit: int = 10, types: Iterable[str] | None = None) -> list[Suggestion]:
    """The `limit` notes of the given types (default: claim types) most related to `draft`."""
    index = open_index(vault, settle=False)
    try:
        wanted = frozenset(types) if types is not None else vault.config.claim_types
        return rank_in(index, draft, limit, wanted, text_reader(vault))
    finally:
        index.close()


def rank_in(
    index: IndexView,
    draft: Draft,
    limit: int,
    wanted: frozenset[str],
    read_text: Callable[[str], str] | None = None,
) -> list[Suggestion]:
    if limit <= 0 or not wanted:
        return []
    surface = _surface(f"{draft.title} {draft.description} {draft.body}")
    terms = query_terms(index, draft)  # drafted on the index as it is while `git status` runs
    if index.settle():
        terms = query_terms(index, draft)
    match = match_expression(terms)
    excluded = _excluded(index, draft)
    own = index.by_path(draft.path) if draft.path else None
    own_id = own.id if own else None
    wanted_list = sorted(wanted)

    text_hits = [(i, s) for i, s in index.search(match, BM25_WEIGHTS, CANDIDATES, wanted_list) if i != own_id]
    near = [(i, s) for i, s in index.search(match, BM25_WEIGHTS, NEIGHBOURS + 1) if i != own_id][:NEIGHBOURS]
    top = max((s for _, s in text_hits), default=0.0) or max((s for _, s in near), default=0.0) or 1.0
    score: dict[int, float] = {i: W_TEXT * s / top for i, s in text_hits}

    # Graph: what the most similar notes link to.
    votes: dict[int, float] = {}
    voters: dict[int, int] = {}
    near_rows = index.rows(i for i, _ in near)
    near_targets = index.targets(i for i, _ in near)
    for j, s in near:
        src = near_rows.get(j)
        for k in near_targets.get(j, ()):
            found = index.resolve_key(k, src.path if src else None)
            if len(found) != 1:
                continue
            t = found[0].id
            if t == own_id:
                continue
            votes[t] = votes.get(t, 0.0) + s / top
            voters[t] = voters.get(t, 0) + 1
    if votes:
        top_vote = max(votes.values())
        for t, v in votes.items():
            score[t] = score.get(t, 0.0) + W_VOTES * v / top_vote

    # Graph: notes that link to this one, and notes in the same map section.
    own_keys = _own_keys(draft)
    backlinks = index.linking_to(own_keys) - {own_id}
    for t in backlinks:
        score[t] = score.get(t, 0.0) + W_BACKLINK
    section_of: dict[int, str] = {}
    for heading, keys in index.sections_of(backlinks):
        if not own_keys & set(keys):
            continue
        for k in keys:
            found = index.resolve_key(k)
            if len(found) == 1 and found[0].id != own_id and found[0].id not in section_of:
                section_of[found[0].id] = heading
                score[found[0].id] = score.get(found[0].id, 0.0) + W_SECTION

    rows = index.rows(score)
    allowed = {i for i, r in rows.items() if r.type in wanted and r.path not in excluded and i != own_id}
    score = {i: s for i, s in score.items() if i in allowed}
    if draft.domain:
        for t in score:
            if rows[t].domain == draft.domain:
                score[t] += W_DOMAIN
    _title_boost(draft, {i: rows[i].title for i in score}, score)

    ranked = sorted(score.items(), key=lambda kv: (-kv[1], rows[kv[0]].title))[:limit]
    qterms = set(features(draft.title, draft.description, draft.body).terms)
    out = []
    for i, s in ranked:
        r = rows[i]
        text = (r.title, "", read_text(r.path) if read_text else "")
        why = _why(qterms, text, voters.get(i, 0), i in backlinks, section_of.get(i), surface)
        out.append(Suggestion(r.title, r.path, round(s, 4), "; ".join(why) or "similar text"))
    return out


def _title_boost(draft: Draft, titles: dict[int, str], score: dict[int, float]) -> None:
    """A fuzzy title score among the candidates, so a near-identical title is never missed."""
    from rapidfuzz import fuzz, process

    from codex_cli.core.text import loose_key

    query = loose_key(draft.title)
    if not query or not titles:
        return
    choices = {i: loose_key(t) for i, t in titles.items()}
    for _, s, i in process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=20, score_cutoff=50):
        score[i] = score.get(i, 0.0) + W_TITLE * (s - 50) / 50


def _why(
    qterms: set[str],
    text: tuple[str, str, str] | None,
    voters: int,
    backlink: bool,
    section: str | None,
    surface: dict[str, str],
) -> list[str]:
    why = []
    if text is not None:
        weights: dict[str, float] = {}
        term_counts(text[0], TITLE_WEIGHT, weights)
        term_counts(text[1], DESCRIPTION_WEIGHT, weights)
        term_counts(text[2], BODY_WEIGHT, weights)
        shared = sorted((t for t in qterms if t in weights), key=lambda t: (-weights[t], t))[:4]
        if shared:
            why.append("shares " + ", ".join(surface.get(t, t) for t in shared))
    if voters:
        why.append(f"linked from {voters} similar note{'s' if voters != 1 else ''}")
    if backlink:
        why.append("links to this note")
    if section:
        why.append(f"same map section ({section})")
    return why


def _surface(text: str) -> dict[str, str]:
    """Stem -> the first word of `text` it came from, to show words a reader recognises."""
    out: dict[str, str] = {}
    for m in _WORD.finditer(_NOT_TEXT.sub(" ", link_text(text).lower())):
        w = m.group().replace("’", "'").split("'")[0]
        out.setdefault(stem(w), w)
    return out


def _own_keys(draft: Draft) -> set[str]:
    keys = set()
    if draft.title:
        keys.add(title_key(draft.title))
    if draft.path:
        keys.add(path_key(draft.path))
        keys.add(title_key(draft.path.rpartition("/")[2]))
    return {k for k in keys if k}


def _excluded(index: IndexView, draft: Draft) -> set[str]:
    """Paths never to suggest: the note itself and every note it links to."""
    out: set[str] = set()
    if draft.path:
        out.add(draft.path)
    for target in draft.links:
        k = target_key(target)
        if k:
            out.update(r.path for r in index.resolve_key(k, draft.path))
    return out


# --- building and caching the index --------------------------------------------------


def text_reader(vault: Vault) -> Callable[[str], str]:
    def read(path: str) -> str:
        try:
            return vault.read_text(path)
        except OSError:
            return ""

    return read


def draft_of(vault: Vault, note: Note, text: str | None = None) -> Draft:
    """The draft of an existing note: its text, and what it already links to."""
    if text is None:
        text = vault.read_text(note.path)
    body = text[note.body_start :]
    return Draft(
        title=note.title,
        description=note.description,
        body=body,
        path=note.path,
        links=frozenset(t for t in (wiki_target(link, note.path) for link in note.links) if t.strip()),
        domain=note.domain,
    )


def open_index(vault: Vault, progress: Callable[[int, int], None] | None = None, *, settle: bool = True) -> SearchIndex:
    """The vault's search index, brought up to date (only new and changed files are read).

    With `settle=False` the update is deferred until `index.settle()`: the
    caller can draft its query meanwhile (`rank_in` settles before searching).
    """
    from codex_cli.adapters import cache
    from codex_cli.adapters.search_index import SearchIndex

    started = cache.now_ns()
    index = SearchIndex.open(vault.root, vault.fingerprint())
    proc = SearchIndex.start_git_state(vault.root)

    def bring_up_to_date() -> bool:
        state = SearchIndex.finish_git_state(proc, vault.root)
        if state is not None and index.meta("git_state") == state:
            return False  # same commit, same uncommitted changes as at the last update
        read = index.update(vault.root, vault.files, vault.context(), vault.config.is_map, started, progress)
        if state is not None:
            index.set_meta("git_state", state if index.meta("digest") else "")
        return read > 0

    def cancel() -> None:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    index.defer(bring_up_to_date, cancel)
    if settle:
        index.settle()
    return index
