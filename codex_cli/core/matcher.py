"""Rank existing notes by relevance to a note or a draft, and say why.

Public contract (other commands call it): `rank(vault, draft, limit, types)`
returns `Suggestion`s, best first, never the draft's own note nor a note it
already links to; claim types by default (config `claim_types`).

One score combines three kinds of evidence:

- text: TF-IDF cosine over title, description and body (fields weighted,
  English stop words dropped, light stemming, adjacent word pairs added);
- the link graph: notes that the most similar notes link to ("linked from 3
  similar notes"), notes that link to this one, and notes listed in the same
  map section;
- the title: a fuzzy title score, so a near-identical title is never missed.

Per-note features (`features`) are pure and cached by file signature in
`vault.store` (see `load_index`), so a run only re-reads changed files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codex_cli.core.links import LINK
from codex_cli.core.resolve import path_key, target_key, title_key

if TYPE_CHECKING:
    from codex_cli.core.note import Note
    from codex_cli.vault import Vault

# --- tuning (set on the dev half of the sample only; see benchmarks/eval_link.py) ---
TITLE_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 2.0
BODY_WEIGHT = 1.0
PAIR_WEIGHT = 0.5
QUERY_TERMS = 60  # the query's strongest terms used to find candidates
NEIGHBOURS = 12  # similar notes whose links vote
W_TEXT = 1.0
W_VOTES = 0.6
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


# --- the index -----------------------------------------------------------------------


@dataclass
class Entry:
    path: str
    title: str
    type: str | None
    domain: str | None
    features: Features


class Index:
    """TF-IDF vectors and link data of every note, ready to score a query."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.by_path = {e.path: i for i, e in enumerate(self.entries)}
        n = len(self.entries)
        df: dict[str, int] = {}
        for e in self.entries:
            for t in e.features.terms:
                df[t] = df.get(t, 0) + 1
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.n = n
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.linked_by: dict[str, list[int]] = {}  # target key -> ids of notes linking to it
        self.sections: list[tuple[int, str, tuple[str, ...]]] = []
        for i, e in enumerate(self.entries):
            vec = self.vector(e.features.terms)
            for t, w in vec.items():
                self.postings.setdefault(t, []).append((i, w))
            for k in e.features.targets:
                self.linked_by.setdefault(k, []).append(i)
            for heading, keys in e.features.sections:
                self.sections.append((i, heading, keys))

    def vector(self, terms: dict[str, float]) -> dict[str, float]:
        """Sublinear TF-IDF, L2-normalised; unknown terms get the highest idf."""
        top = math.log(1 + self.n) + 1.0
        vec = {t: (1.0 + math.log(c)) * self.idf.get(t, top) if c >= 1 else c * self.idf.get(t, top) for t, c in terms.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}

    def similar(self, terms: dict[str, float], skip: int | None = None) -> tuple[dict[int, float], dict[str, float]]:
        """Cosine similarity of the query to every note sharing a strong term; and the query vector."""
        qvec = self.vector(terms)
        strongest = sorted(qvec.items(), key=lambda kv: -kv[1])[:QUERY_TERMS]
        scores: dict[int, float] = {}
        for t, qw in strongest:
            for i, w in self.postings.get(t, ()):
                scores[i] = scores.get(i, 0.0) + qw * w
        if skip is not None:
            scores.pop(skip, None)
        return scores, qvec


# --- ranking -------------------------------------------------------------------------


def rank(vault: Vault, draft: Draft, limit: int = 10, types: Iterable[str] | None = None) -> list[Suggestion]:
    """The `limit` notes of the given types (default: claim types) most related to `draft`."""
    return rank_in(load_index(vault), vault, draft, limit, types)


def rank_in(index: Index, vault: Vault, draft: Draft, limit: int = 10, types: Iterable[str] | None = None) -> list[Suggestion]:
    wanted = frozenset(types) if types is not None else vault.config.claim_types
    if limit <= 0:
        return []
    excluded = _excluded(vault, draft)
    self_id = index.by_path.get(draft.path) if draft.path else None
    allowed = {i for i, e in enumerate(index.entries) if e.type in wanted and e.path not in excluded}
    if not allowed:
        return []
    draft_features = features(draft.title, draft.description, draft.body)
    sims, qvec = index.similar(draft_features.terms, self_id)

    score: dict[int, float] = {}
    top_sim = max((sims[i] for i in allowed if i in sims), default=0.0) or 1.0
    for i, s in sims.items():
        if i in allowed:
            score[i] = W_TEXT * s / top_sim

    # Graph: what the most similar notes link to.
    votes: dict[int, float] = {}
    voters: dict[int, int] = {}
    resolver = vault.resolver
    neighbours = sorted(sims.items(), key=lambda kv: -kv[1])[:NEIGHBOURS]
    for j, s in neighbours:
        src = index.entries[j]
        for k in src.features.targets:
            res = resolver.resolve_key(k, src.path)
            if res.note is None:
                continue
            t = index.by_path.get(res.note.path)
            if t is None or t not in allowed:
                continue
            votes[t] = votes.get(t, 0.0) + s / top_sim
            voters[t] = voters.get(t, 0) + 1
    if votes:
        top_vote = max(votes.values())
        for t, v in votes.items():
            score[t] = score.get(t, 0.0) + W_VOTES * v / top_vote

    # Graph: notes that link to this one, and notes in the same map section.
    own_keys = _own_keys(draft)
    backlinks: set[int] = set()
    for k in own_keys:
        backlinks.update(i for i in index.linked_by.get(k, ()) if i in allowed)
    for t in backlinks:
        score[t] = score.get(t, 0.0) + W_BACKLINK
    section_of: dict[int, str] = {}
    if own_keys:
        for _, heading, keys in index.sections:
            if own_keys & set(keys):
                for k in keys:
                    res = resolver.resolve_key(k)
                    if res.note is None:
                        continue
                    t = index.by_path.get(res.note.path)
                    if t is not None and t in allowed and t not in section_of:
                        section_of[t] = heading
                        score[t] = score.get(t, 0.0) + W_SECTION
    if draft.domain:
        for t in list(score):
            if index.entries[t].domain == draft.domain:
                score[t] += W_DOMAIN

    # Title: fuzzy, so that a near-identical title is never missed.
    _title_boost(index, draft, allowed, score)

    ranked = sorted(score.items(), key=lambda kv: (-kv[1], index.entries[kv[0]].title))[:limit]
    surface = _surface(f"{draft.title} {draft.description} {draft.body}")
    out = []
    for i, s in ranked:
        e = index.entries[i]
        why = _why(index, qvec, i, voters.get(i, 0), i in backlinks, section_of.get(i), surface)
        out.append(Suggestion(e.title, e.path, round(s, 4), "; ".join(why) or "similar text"))
    return out


def _title_boost(index: Index, draft: Draft, allowed: set[int], score: dict[int, float]) -> None:
    from rapidfuzz import fuzz, process

    from codex_cli.core.text import loose_key

    query = loose_key(draft.title)
    if not query:
        return
    pool = [i for i in allowed]
    choices = {i: loose_key(index.entries[i].title) for i in pool}
    for _, s, i in process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=20, score_cutoff=50):
        score[i] = score.get(i, 0.0) + W_TITLE * (s - 50) / 50


def _why(
    index: Index, qvec: dict[str, float], i: int, voters: int, backlink: bool, section: str | None, surface: dict[str, str]
) -> list[str]:
    e = index.entries[i]
    dvec = index.vector(e.features.terms)
    shared = sorted((t for t in qvec if t in dvec and " " not in t), key=lambda t: -qvec[t] * dvec[t])[:4]
    why = []
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


def _excluded(vault: Vault, draft: Draft) -> set[str]:
    """Paths never to suggest: the note itself and every note it links to."""
    out: set[str] = set()
    if draft.path:
        out.add(draft.path)
    resolver = vault.resolver
    for target in draft.links:
        if not target_key(target):
            continue
        res = resolver.resolve(target, draft.path)
        if res.note is not None:
            out.add(res.note.path)
        out.update(n.path for n in res.candidates)
    return out


# --- building and caching the index --------------------------------------------------


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
        links=frozenset(link.target for link in note.links if link.target.strip()),
        domain=note.domain,
    )


def note_features(vault: Vault, note: Note, text: str | None = None) -> Features:
    if text is None:
        try:
            text = vault.read_text(note.path)
        except OSError:
            text = ""
    return features(
        note.title,
        note.description,
        text[note.body_start :],
        (link.target for link in note.links),
        vault.config.is_map(note.path),
    )


def load_index(vault: Vault) -> Index:
    """The index of every note, re-reading only files changed since the last run."""
    from codex_cli.adapters import cache

    files = vault.files
    fingerprint = vault.fingerprint() + ":match1"
    stored: dict[str, tuple[Any, Features]] = vault.store.load("match", fingerprint) or {}
    notes = vault.notes
    entries: list[Entry] = []
    keep: dict[str, tuple[Any, Features]] = {}
    changed = False
    started = getattr(vault, "_scan_started", 0)
    for path, note in notes.items():
        sig = files.get(path)
        hit = stored.get(path)
        if hit is not None and sig is not None and hit[0] == sig:
            feats = hit[1]
        else:
            feats = note_features(vault, note)
            changed = True
        if sig is not None and cache.trusted(sig, started):
            keep[path] = (sig, feats)
        entries.append(Entry(path, note.title, note.type, note.domain, feats))
    if changed or len(keep) != len(stored):
        vault.store.save("match", fingerprint, keep)
    return Index(entries)
