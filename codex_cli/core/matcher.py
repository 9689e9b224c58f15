"""Rank existing notes by relevance to a note or a draft, and say why.

Public contract (other commands call it): `rank(vault, draft, limit, types)`
returns `Suggestion`s, best first, never the draft's own note nor a note it
already links to; claim types by default (config `claim_types`).

The score is a logistic model over one feature per kind of evidence
(`PRIOR`; docs/link.md has the table):

- text: BM25 (SQLite FTS5, in C) over title, description, body and word
  pairs, fields weighted; the query is the draft's most telling words and
  pairs by TF-IDF against the vault (English stop words dropped), without
  its link tail and link text; and BM25 over its rarest words alone;
- the link graph: notes that the most similar notes link to ("linked from 3
  similar notes"), how many notes link to a candidate, notes that link to
  this one, notes linked with the ones the draft already links (its seeds),
  notes listed in the same map section;
- the domain, and a fuzzy title score, so a near-identical title is never missed.

The index lives in `adapters.search_index` (cached, updated for changed
files only). The prior weights are round numbers set before measuring;
benchmarks/eval_judgement.py measures them on a time split of the real
history with TF-IDF and fuzzy-title baselines beside them
(benchmarks/eval_link.py is the quick leave-one-out loop on the sample).
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

# --- text retrieval settings (set on the dev half of the sample; benchmarks/eval_judgement.py measures them) ---
TITLE_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 2.0
BODY_WEIGHT = 1.0
PAIR_WEIGHT = 0.5
QUERY_TERMS = 200  # the query's most telling words and pairs used to find candidates (all of a claim's)
LARGE_VAULT = 5000  # from this many notes the query keeps only its LARGE_QUERY_TERMS most telling terms
LARGE_QUERY_TERMS = 30  # (BM25's time grows with every term's posting list)
QUERY_PAIRS = 40  # pairs considered for them
LOOKUP_WORDS = 200  # the draft's most frequent words whose rarity is looked up
REPEAT = 3  # the strongest term is repeated this often in the query, the others in proportion
CANDIDATES = 200  # text matches considered
NEIGHBOURS = 12  # similar notes whose links vote
BM25_WEIGHTS = (TITLE_WEIGHT, DESCRIPTION_WEIGHT, BODY_WEIGHT, PAIR_WEIGHT)  # title, description, body, pairs

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


def term_counts(text: str, weight: float, into: dict[str, float], *, pairs: bool = True) -> None:
    """Add weighted counts of words and (with `pairs`) adjacent word pairs of `text` to `into`."""
    prev = ""
    for t in tokens(text):
        if t:
            into[t] = into.get(t, 0.0) + weight
            if prev and pairs:
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
    def in_degree(self, rows: dict[int, Row]) -> dict[int, int]: ...


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
    chosen = scored[: QUERY_TERMS if n < LARGE_VAULT else LARGE_QUERY_TERMS]
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


# --- the evidence, one feature each ------------------------------------------------------

FEATURES = ("text", "rare", "votes", "popular", "backlink", "section", "seeds", "domain", "title")
# The weights when there is nothing to learn from (the git-grep first run, a vault with too few
# linked claims): plausible round numbers, not tuned.
PRIOR = (-4.0, 3.0, 1.0, 2.0, 1.0, 1.0, 0.5, 2.0, 0.3, 1.0)
MODEL_VERSION = "1"
TRAIN_NOTES = 60  # linked claims the weights are learnt from (each gives two training queries)
MIN_TRAIN = 12  # fewer linked claims than this: keep the prior
NEGATIVES = 30  # hard negatives kept per training query
L2 = 5.0  # how strongly the learnt weights are pulled towards PRIOR
GRAPH_FANOUT = 100  # links followed from one note (a map lists thousands on a large vault)
RARE_TERMS = 6  # the query's rarest words, searched on their own ("rare" evidence)


_TAIL = re.compile(r"^(?:---[ \t]*\r?\n\s*)?(?:Relevant Notes|Topics)\s*:", re.MULTILINE)


def query_body(body: str) -> str:
    """What of a body says what the note is about: no `Relevant Notes:`/`Topics:` tail, no link text.

    The notes it already links are graph evidence (seeds), not words: their
    titles would only find themselves, and they are never suggested.
    """
    m = _TAIL.search(body)
    if m is not None:
        body = body[: m.start()]
    return LINK.sub(" ", body)


@dataclass
class Evidence:
    """Why one candidate is there: what each feature saw."""

    features: list[float]
    voters: int = 0
    linkers: int = 0
    section: str | None = None
    seeds: int = 0


def collect(index: IndexView, draft: Draft, wanted: frozenset[str], *, as_new: bool = False) -> tuple[dict[int, Evidence], dict[int, Row]]:
    """Every candidate for `draft` with its features (FEATURES order), and its index row.

    `as_new` leaves out what only an existing note has (notes linking to it,
    the map sections it is listed in): for learning from existing notes as
    if they were being written.
    """
    clean = Draft(draft.title, draft.description, query_body(draft.body), draft.path, draft.links, draft.domain)
    terms = query_terms(index, clean)  # drafted on the index as it is while `git status` runs
    if index.settle():
        terms = query_terms(index, clean)
    own = index.by_path(draft.path) if draft.path else None
    own_id = own.id if own else None
    wanted_list = sorted(wanted)
    match = match_expression(terms)
    text_hits = [(i, s) for i, s in index.search(match, BM25_WEIGHTS, CANDIDATES, wanted_list) if i != own_id]
    near = [(i, s) for i, s in index.search(match, BM25_WEIGHTS, NEIGHBOURS + 1) if i != own_id][:NEIGHBOURS]
    top = max((s for _, s in text_hits), default=0.0) or max((s for _, s in near), default=0.0) or 1.0
    text = {i: s / top for i, s in text_hits}
    rare_terms = _rarest(index, terms) if getattr(index, "rare_search", True) else []
    rare_hits = index.search(match_expression([(t, 1) for t in rare_terms]), BM25_WEIGHTS, CANDIDATES, wanted_list) if rare_terms else []
    rare_top = max((s for _, s in rare_hits), default=0.0) or 1.0
    rare = {i: s / rare_top for i, s in rare_hits if i != own_id}

    # Graph: what the most similar notes link to.
    votes: dict[int, float] = {}
    voters: dict[int, int] = {}
    near_rows = index.rows(i for i, _ in near)
    near_targets = index.targets(i for i, _ in near)
    for j, s in near:
        src = near_rows.get(j)
        for t in _resolved(index, near_targets.get(j, ())[:GRAPH_FANOUT], src.path if src else None):
            if t != own_id:
                votes[t] = votes.get(t, 0.0) + s / top
                voters[t] = voters.get(t, 0) + 1
    top_vote = max(votes.values(), default=0.0) or 1.0

    # Graph: notes that link to this one, and notes in the same map section.
    backlinks: set[int] = set()
    section_of: dict[int, str] = {}
    if not as_new:
        own_keys = _own_keys(draft)
        backlinks = index.linking_to(own_keys) - {own_id}
        for heading, keys in index.sections_of(backlinks):
            if not own_keys & set(keys):
                continue
            for k in keys:
                found = index.resolve_key(k)
                if len(found) == 1 and found[0].id != own_id and found[0].id not in section_of:
                    section_of[found[0].id] = heading

    # Graph: the notes it already links (seeds): what they link, what links them, what is cited beside them.
    seeds = _seed_graph(index, draft, own_id, wanted)

    ids = set(text) | set(rare) | set(votes) | backlinks | set(section_of) | set(seeds)
    rows = index.rows(ids)
    excluded = _excluded(index, draft)
    ids = {i for i in ids if i in rows and rows[i].type in wanted and rows[i].path not in excluded and i != own_id}
    degree = index.in_degree({i: rows[i] for i in ids})
    titles = _title_scores(draft, {i: rows[i].title for i in ids})
    n_seeds = max(1, len(_seed_ids(index, draft, own_id)))
    out: dict[int, Evidence] = {}
    for i in ids:
        r = rows[i]
        f = [
            text.get(i, 0.0),
            rare.get(i, 0.0),
            votes.get(i, 0.0) / top_vote,
            min(1.0, math.log1p(degree.get(i, 0)) / 4.0),
            1.0 if i in backlinks else 0.0,
            1.0 if i in section_of else 0.0,
            min(1.0, seeds.get(i, 0) / n_seeds),
            1.0 if draft.domain and r.domain == draft.domain else 0.0,
            titles.get(i, 0.0),
        ]
        out[i] = Evidence(f, voters.get(i, 0), degree.get(i, 0), section_of.get(i), seeds.get(i, 0))
    return out, {i: rows[i] for i in ids}


def _rarest(index: IndexView, terms: list[tuple[str, int]]) -> list[str]:
    """The query's rarest single words (by document frequency), for the "rare" evidence."""
    words = [t for t, _ in terms if "_" not in t and " " not in t]
    stems = index.stems(words)
    df = index.doc_frequency(stems.values())
    scored = sorted((df.get(stems[w], 0), w) for w in words if w in stems and df.get(stems[w], 0) > 0)
    return [w for _, w in scored[:RARE_TERMS]]


def _resolved(index: IndexView, keys: Iterable[str], source: str | None) -> list[int]:
    out = []
    for k in keys:
        found = index.resolve_key(k, source)
        if len(found) == 1:
            out.append(found[0].id)
    return out


def _seed_ids(index: IndexView, draft: Draft, own_id: int | None) -> set[int]:
    out = set()
    for target in draft.links:
        k = target_key(target)
        if k:
            found = index.resolve_key(k, draft.path)
            if len(found) == 1 and found[0].id != own_id:
                out.add(found[0].id)
    return out


def _seed_graph(index: IndexView, draft: Draft, own_id: int | None, wanted: frozenset[str]) -> dict[int, int]:
    """Per note: how many of the draft's seeds (of the wanted types: not its maps) it is linked with
    (either way, or cited beside them); at most GRAPH_FANOUT links followed from each note."""
    seed_rows = {i: r for i, r in index.rows(_seed_ids(index, draft, own_id)).items() if r.type in wanted}
    seeds = set(seed_rows)
    if not seeds:
        return {}
    out: dict[int, int] = {}
    targets = index.targets(seeds)
    for s in seeds:
        near: set[int] = set(_resolved(index, targets.get(s, ())[:GRAPH_FANOUT], seed_rows[s].path))
        r = seed_rows[s]
        linkers = sorted(index.linking_to({title_key(r.title), path_key(r.path)}))[:GRAPH_FANOUT]
        near.update(linkers)
        for t_keys in index.targets(linkers[:50]).values():
            near.update(_resolved(index, t_keys[:GRAPH_FANOUT], None))
        for t in near - {s}:
            out[t] = out.get(t, 0) + 1
    return out


def scored(evidence: dict[int, Evidence], weights: Sequence[float]) -> dict[int, float]:
    """The model's score (a log-odds) of each candidate."""
    w0, ws = weights[0], weights[1:]
    return {i: w0 + sum(w * x for w, x in zip(ws, e.features, strict=True)) for i, e in evidence.items()}


def rank_in(
    index: IndexView,
    draft: Draft,
    limit: int,
    wanted: frozenset[str],
    read_text: Callable[[str], str] | None = None,
) -> list[Suggestion]:
    if limit <= 0 or not wanted:
        return []
    evidence, rows = collect(index, draft, wanted)
    weights = model_weights(index, wanted, read_text)
    score = scored(evidence, weights)
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], rows[kv[0]].title))[:limit]
    surface = _surface(f"{draft.title} {draft.description} {query_body(draft.body)}")
    counts = features(draft.title, draft.description, query_body(draft.body)).terms
    qterms = [t for t in counts if " " not in t]
    words = [surface.get(t, t) for t in qterms]
    stems = index.stems(words) if ranked and words else {}
    df = index.doc_frequency(stems.values()) if stems else {}
    n = max(1, index.count())
    telling = {  # for "shares": the draft's words by weight (title 3, description 2, body 1 per use) × rarity (IDF)
        t: counts[t] * math.log(1 + n / df[stems[w]]) for t, w in zip(qterms, words, strict=True) if df.get(stems.get(w, ""), 0) > 0
    }
    out = []
    for i, s in ranked:
        r = rows[i]
        text = (r.title, "", read_text(r.path) if read_text else "")
        why = _why(telling, text, evidence[i], weights, surface)
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))  # the model's log-odds as 0-1
        out.append(Suggestion(r.title, r.path, round(probability, 4), "; ".join(why) or "similar text"))
    return out


def _title_scores(draft: Draft, titles: dict[int, str]) -> dict[int, float]:
    """0-1: how alike the titles read (rapidfuzz token sort above 50), so a near-identical title is never missed."""
    from rapidfuzz import fuzz, process

    from codex_cli.core.text import loose_key

    query = loose_key(draft.title)
    if not query or not titles:
        return {}
    choices = {i: loose_key(t) for i, t in titles.items()}
    return {i: (s - 50) / 50 for _, s, i in process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=20, score_cutoff=50)}


def _why(
    telling: dict[str, float],
    text: tuple[str, str, str],
    ev: Evidence,
    weights: Sequence[float],
    surface: dict[str, str],
) -> list[str]:
    """The evidence that drove the score, strongest first (each feature's share of it)."""
    parts = sorted(((w * x, name) for w, x, name in zip(weights[1:], ev.features, FEATURES, strict=True) if w * x > 0), reverse=True)
    total = sum(c for c, _ in parts) or 1.0
    why: list[str] = []
    for c, name in parts:
        if c < 0.1 * total:
            continue
        if name in ("text", "rare"):
            if any(w.startswith("shares ") for w in why):
                continue
            weights_of: dict[str, float] = {}
            term_counts(text[0], TITLE_WEIGHT, weights_of)
            term_counts(text[2], BODY_WEIGHT, weights_of)
            shared = sorted((t for t in telling if t in weights_of), key=lambda t: (-telling[t], t))  # most telling first
            if shared:
                why.append("shares " + ", ".join(surface.get(t, t) for t in shared[:4]))
        elif name == "votes" and ev.voters:
            why.append(f"linked from {ev.voters} similar note{'s' if ev.voters != 1 else ''}")
        elif name == "popular" and ev.linkers:
            why.append(f"linked by {ev.linkers} note{'s' if ev.linkers != 1 else ''}")
        elif name == "backlink":
            why.append("links to this note")
        elif name == "section" and ev.section:
            why.append(f"same map section ({ev.section})")
        elif name == "seeds" and ev.seeds:
            why.append(f"linked with {ev.seeds} of the notes it links")
        elif name == "domain":
            why.append("same domain")
        elif name == "title":
            why.append("similar title")
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


# --- learning the weights from the vault's own links -------------------------------------


def model_weights(index: IndexView, wanted: frozenset[str], read_text: Callable[[str], str] | None) -> tuple[float, ...]:
    """PRIOR; with CODEX_LEARN_WEIGHTS=1 (an experiment, off by default: on the time split's dev
    part it did worse than PRIOR, docs/link.md) the weights learnt from this vault's links (kept in
    the index, refit when it changed by a tenth)."""
    import json
    import os

    meta = getattr(index, "meta", None)
    if meta is None or read_text is None or os.environ.get("CODEX_LEARN_WEIGHTS", "") in ("", "0"):
        return PRIOR
    n = index.count()
    key = f"model:{','.join(sorted(wanted))}"
    stored = meta(key)
    if stored:
        try:
            doc = json.loads(stored)
            if doc.get("v") == MODEL_VERSION and abs(int(doc["n"]) - n) <= max(20, n // 10):
                return tuple(float(x) for x in doc["w"])
        except (ValueError, KeyError, TypeError):
            pass
    weights = learn(index, wanted, read_text)
    index.set_meta(key, json.dumps({"v": MODEL_VERSION, "n": n, "w": list(weights)}))  # type: ignore[attr-defined]
    return weights


def learn(index: IndexView, wanted: frozenset[str], read_text: Callable[[str], str]) -> tuple[float, ...]:
    """Fit the weights on the vault's own linked claims, each asked as a new note and as a half-linked one."""
    from codex_cli.adapters.search_index import SearchIndex
    from codex_cli.core import learn as lr
    from codex_cli.core.note import ParseContext, parse_note

    if not isinstance(index, SearchIndex):
        return PRIOR
    linked = index.linked_claims(sorted(wanted), 2)
    if len(linked) < MIN_TRAIN:
        return PRIOR
    step = max(1, len(linked) / TRAIN_NOTES)
    chosen = [linked[int(k * step)] for k in range(min(TRAIN_NOTES, len(linked)))]
    rows: list[list[float]] = []
    labels: list[int] = []
    ctx = ParseContext(frozenset(), {}, frozenset())
    for row, gold_ids in chosen:
        raw = read_text(row.path)
        if not raw:
            continue
        note = parse_note(row.path, raw.encode("utf-8", "surrogateescape"), ctx)
        body = raw[note.body_start :]
        gold = sorted(gold_ids)
        seeds, held = gold[::2], gold[1::2]
        seed_titles = frozenset(r.title for r in index.rows(seeds).values())
        views = [
            (Draft(note.title, note.description, body, row.path, frozenset(), row.domain), set(gold), True),
            (Draft(note.title, note.description, body, row.path, seed_titles, row.domain), set(held), False),
        ]
        for draft, positives, as_new in views:
            evidence, _ = collect(index, draft, wanted, as_new=as_new)
            prior = scored(evidence, PRIOR)
            negatives = sorted((i for i in evidence if i not in positives), key=lambda i: -prior[i])[:NEGATIVES]
            for i in [i for i in evidence if i in positives] + negatives:
                rows.append(evidence[i].features)
                labels.append(1 if i in positives else 0)
    if sum(labels) < MIN_TRAIN:
        return PRIOR
    return tuple(lr.fit(rows, labels, L2, PRIOR))


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
