"""Which domain a new claim belongs to, from every piece of evidence its author has (pure).

One model, used by `codex new`, `codex extract` and benchmarks/eval_judgement.py
(through ops.domain). Each kind of evidence gives a probability per domain;
the guess is their weighted product (a log-linear pool), renormalised:

- text: multinomial naive Bayes over stemmed words (core.matcher.tokens),
  learnt from the vault's own claims (title, description and body, fields
  weighted as the link ranker weighs them), from each domain map's own
  words (its headings and prose, not its entries) and from the domain
  folder's name;
- neighbours: the domains of the notes the link ranker finds closest;
- agent: the domains the writing agent has added claims to before (its
  commits in the vault's history), and its agents/<name>/identity.md read
  by the text model;
- cites: the claim's `source:` (who proposed it, the evidence), by a second
  naive Bayes over the vault's claims' `source:` fields;
- source: the `domain:` the source being extracted declares, and the
  domains of the claims already taken from it (one source's claims mostly
  share one);
- links: the domains of the notes the draft links to.

`WEIGHTS` were chosen on the dev part of benchmarks/eval_judgement.py
(docs/link.md, "Measured"); a guess whose probability is below `SURE` is
offered, never taken silently.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from codex_cli.core.matcher import (
    BODY_WEIGHT,
    DESCRIPTION_WEIGHT,
    TITLE_WEIGHT,
    term_counts,
)

# Per kind of evidence: how strongly its log-probability counts (dev part, docs/link.md).
WEIGHTS: dict[str, float] = {"text": 0.25, "cites": 0.5, "neighbours": 1.0, "agent": 2.0, "source": 2.0, "links": 1.0}
TEXT_TEMPERATURE = 8.0  # the text's mean log-likelihood per word, scaled: how peaked its belief is
MAP_WEIGHT = 3.0  # a map's own words count as this many claims' worth of words, per word
FOLDER_WEIGHT = 5.0  # the folder name's words
SMOOTHING = 0.1  # additive smoothing of word counts (per word and domain)
FLOOR = 0.02  # the least probability any evidence leaves a domain (it may be wrong)
SURE = 0.995  # below this the guess is offered, not taken (the pooled score is peaked, not calibrated: docs/link.md)
_BULLET = re.compile(r"^\s*[-*+]\s")


def words(title: str, description: str = "", body: str = "") -> dict[str, float]:
    """Stemmed content words, weighted by field as the link ranker weighs them."""
    out: dict[str, float] = {}
    for text, weight in ((title, TITLE_WEIGHT), (description, DESCRIPTION_WEIGHT), (body, BODY_WEIGHT)):
        term_counts(text, weight, out, pairs=False)
    return out


def map_words(body: str, folder: str) -> dict[str, float]:
    """A domain map's own words: its headings and prose (not its entries), and its folder's name."""
    out: dict[str, float] = {}
    prose = "\n".join(line for line in body.splitlines() if not _BULLET.match(line) and "[[" not in line)
    for text, weight in ((prose, MAP_WEIGHT), (folder.rpartition("/")[2].replace("-", " "), FOLDER_WEIGHT)):
        term_counts(text, weight, out, pairs=False)
    return out


@dataclass
class TextModel:
    """Multinomial naive Bayes: per domain, weighted word counts (add and take away notes freely)."""

    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)

    def add(self, domain: str, terms: Mapping[str, float], sign: int = 1, note: bool = True) -> None:
        bag = self.counts.setdefault(domain, {})
        for t, c in terms.items():
            bag[t] = bag.get(t, 0.0) + sign * c
            self.totals[domain] = self.totals.get(domain, 0.0) + sign * c
        if note:
            self.notes[domain] += sign

    def probabilities(self, terms: Mapping[str, float], domains: Iterable[str]) -> dict[str, float]:
        """P(domain | words), with the mean log-likelihood per word (so a long body is not overconfident)."""
        names = list(domains)
        known = [t for t in terms if any(self.counts.get(d, {}).get(t, 0.0) > 0 for d in names)]
        weight = sum(terms[t] for t in known)
        if not names or weight <= 0:
            return {}
        vocab = len({t for d in names for t, c in self.counts.get(d, {}).items() if c > 0}) or 1
        logs = {}
        for d in names:
            bag = self.counts.get(d, {})
            total = self.totals.get(d, 0.0) + SMOOTHING * vocab
            ll = sum(terms[t] * math.log((max(0.0, bag.get(t, 0.0)) + SMOOTHING) / total) for t in known) / weight
            logs[d] = TEXT_TEMPERATURE * ll
        return softmax(logs)


def softmax(logs: Mapping[str, float]) -> dict[str, float]:
    top = max(logs.values())
    exp = {d: math.exp(v - top) for d, v in logs.items()}
    total = sum(exp.values())
    return {d: v / total for d, v in exp.items()}


def shares(counts: Mapping[str, float]) -> dict[str, float]:
    """Counts per domain as shares of their sum ({} when there are none)."""
    total = sum(v for v in counts.values() if v > 0)
    return {d: v / total for d, v in counts.items() if v > 0} if total > 0 else {}


@dataclass(frozen=True)
class DomainChoice:
    domain: str
    score: float  # the pooled probability, 0-1
    why: str

    def to_json(self) -> dict[str, object]:
        return {"domain": self.domain, "score": self.score, "why": self.why}


def pool(domains: Iterable[str], evidence: Mapping[str, Mapping[str, float]], weights: Mapping[str, float] | None = None) -> list[DomainChoice]:
    """Every domain with its pooled probability, best first, and the evidence that favoured it.

    `evidence` maps a kind (a key of WEIGHTS) to probabilities per domain;
    an empty one says nothing. Each is floored (FLOOR) so that no single
    piece of evidence can rule a domain out.
    """
    names = sorted(domains)
    if not names:
        return []
    weights = WEIGHTS if weights is None else weights
    logs = dict.fromkeys(names, 0.0)
    used = {k: v for k, v in evidence.items() if v and weights.get(k, 0.0) > 0}
    for kind, probs in used.items():
        total = sum(probs.get(d, 0.0) for d in names) or 1.0
        for d in names:
            p = (1 - FLOOR) * probs.get(d, 0.0) / total + FLOOR / len(names)
            logs[d] += weights[kind] * math.log(p)
    pooled = softmax(logs)
    out = []
    for d in names:
        favours = [kind for kind, probs in used.items() if all(probs.get(d, 0.0) > p for o, p in probs.items() if o != d)]
        out.append(DomainChoice(d, round(pooled[d], 4), ", ".join(favours) or "-"))
    out.sort(key=lambda c: (-pooled[c.domain], c.domain))  # by the score before rounding: a runner-up far behind is still the runner-up
    return out
