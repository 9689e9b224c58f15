"""The domain of a new claim: the one guess `codex new`, `codex extract` and the benchmarks use.

The steps, in order:

1. the text model (core.domains.TextModel): the vault's claims, each under
   the domain of its folder, and each domain map's own words;
2. the evidence of the draft, one probability per domain each: its text;
   the domains of the notes the link ranker finds closest (core.matcher);
   the writing agent's past claims (adapters.agent_history) and its
   identity.md; the domain its source declares and those of the claims
   already taken from that source; the domains of the notes it links;
3. pooled by core.domains.pool: every domain, best first, with its score.

`DomainGuess.sure` says whether the best is clear enough to take without
asking (core.domains.SURE).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from codex_cli.core import domains as model
from codex_cli.core.domains import DomainChoice
from codex_cli.vault import Vault

NEIGHBOURS = 20  # the closest notes whose domains vote, one vote each
MODEL_NOTES = 3000  # on a larger vault the text models learn from about this many claims (a sample fixed by path)
IDENTITY_WEIGHT = 3.0  # an agent's identity.md counts as this many of its past claims


@dataclass(frozen=True)
class DomainDraft:
    """What the author has when the domain is asked."""

    title: str
    description: str = ""
    body: str = ""
    cites: str = ""  # its `source:` (who proposed it, the primary evidence)
    agent: str | None = None  # who is writing (--agent, CODEX_AGENT, the configured agent)
    source_domains: Sequence[str] = ()  # extracting: the source's `domain:`, then those of the claims taken from it so far
    links: Sequence[str] = ()  # titles or paths it links to
    exclude: str | None = None  # an existing note to leave out entirely (leave-one-out)


@dataclass
class DomainGuess:
    choices: list[DomainChoice]
    evidence: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def domain(self) -> str | None:
        return self.choices[0].domain if self.choices else None

    @property
    def score(self) -> float:
        return self.choices[0].score if self.choices else 0.0

    @property
    def sure(self) -> bool:
        return bool(self.choices) and self.score >= model.SURE

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "score": self.score,
            "sure": self.sure,
            "runner_up": self.choices[1].to_json() if len(self.choices) > 1 else None,
        }


def claim_domain(vault: Vault, note: Any) -> str | None:
    """The domain a note is filed under: its `domain:` when that names a folder, else its folder's."""
    config = vault.config
    return note.domain if note.domain in config.domains else config.domain_of_folder(note.folder)


class DomainGuesser:
    """The models of one vault, built once (the benchmarks ask it many times).

    The text models learn from every claim, or on a vault of more than
    MODEL_NOTES claims from a sample of about that many, chosen by a hash of
    the path (so a new claim rarely changes it). They are kept in the cache
    folder for the files they read as they are (paths and stat signatures);
    `leave_out=True` also keeps each claim's words, so that
    `DomainDraft.exclude` can take one out (the benchmarks' leave-one-out),
    and is never cached.
    """

    def __init__(self, vault: Vault, leave_out: bool = False) -> None:
        from codex_cli.adapters import cache
        from codex_cli.adapters.search_index import files_digest

        self.vault = vault
        self.domains = sorted(vault.config.domains)
        self.terms: dict[str, tuple[str, dict[str, float]]] = {}  # claim path -> (domain, its words), with leave_out
        self.cites: dict[str, tuple[str, dict[str, float]]] = {}
        self._agents: dict[str, Counter[str]] | None = None
        claim_types = vault.config.claim_types
        claims = [p for p, n in vault.notes.items() if n.type in claim_types and not vault.config.is_map(p)]
        every = max(1, -(-len(claims) // MODEL_NOTES))
        self.sample = [p for p in claims if every == 1 or _bucket(p) % every == 0]
        maps = [m for m in (vault.config.map_for_domain(d) for d in self.domains) if m]
        files = vault.files
        store = cache.Store(vault.root)
        key = f"{vault.fingerprint()}:{files_digest({p: files[p] for p in [*self.sample, *maps] if p in files})}"
        kept = None if leave_out else store.load("domain-model", key)
        if isinstance(kept, tuple) and len(kept) == 2:
            self.text, self.cited = kept
            return
        self.text, self.cited = self._learn(leave_out)
        if not leave_out:
            store.save("domain-model", key, (self.text, self.cited))

    def _learn(self, leave_out: bool) -> tuple[model.TextModel, model.TextModel]:
        """The text model (claims and maps) and the `source:` model (claims), from the vault."""
        from codex_cli.core.matcher import query_body

        vault = self.vault
        text = model.TextModel()
        cited = model.TextModel()  # the words of the claims' `source:` fields
        for path in self.sample:
            note = vault.notes[path]
            d = claim_domain(vault, note)
            if d is None:
                continue
            try:
                body = vault.read_text(path)[note.body_start :]
            except OSError:
                body = ""
            terms = model.words(note.title, note.description, query_body(body))
            cites = model.words("", "", str((note.meta or {}).get("source") or ""))
            text.add(d, terms)
            cited.add(d, cites)
            if leave_out:
                self.terms[path] = (d, terms)
                self.cites[path] = (d, cites)
        for d in self.domains:
            map_path = vault.config.map_for_domain(d)
            body = ""
            map_note = vault.notes.get(map_path or "")
            if map_note is not None and map_path:
                try:
                    body = vault.read_text(map_path)[map_note.body_start :]
                except OSError:
                    body = ""
                body = f"{map_note.description}\n{body}"
            text.add(d, model.map_words(body, vault.config.domains[d]), note=False)
        return text, cited

    # --- the evidence, one kind each ---

    def by_text(self, draft: DomainDraft) -> dict[str, float]:
        from codex_cli.core.matcher import query_body

        return self.text.probabilities(model.words(draft.title, draft.description, query_body(draft.body)), self.domains)

    def by_cites(self, draft: DomainDraft) -> dict[str, float]:
        return self.cited.probabilities(model.words("", "", draft.cites), self.domains) if draft.cites else {}

    def by_neighbours(self, draft: DomainDraft) -> dict[str, float]:
        from codex_cli.core.matcher import Draft, query_body, rank

        votes: dict[str, float] = {}
        found = rank(self.vault, Draft(draft.title, draft.description, query_body(draft.body), path=draft.exclude), limit=NEIGHBOURS)
        for s in found:
            note = self.vault.notes.get(s.path)
            d = claim_domain(self.vault, note) if note is not None else None
            if d is not None:
                votes[d] = votes.get(d, 0.0) + 1.0
        return model.shares(votes)

    def agent_counts(self) -> dict[str, Counter[str]]:
        """agent -> domain -> how many notes its commits added there."""
        if self._agents is None:
            from codex_cli.adapters.agent_history import agent_added
            from codex_cli.adapters.identity import known_agents

            known = frozenset(known_agents(self.vault.root, self.vault.config) or ())
            self._agents = {}
            for agent, paths in agent_added(self.vault.root, known).items():
                counts: Counter[str] = Counter()
                for p in paths:
                    if p.endswith(".md") and not self.vault.config.is_map(p):
                        d = self.vault.config.domain_of_folder(p.rpartition("/")[0])
                        if d is not None:
                            counts[d] += 1
                self._agents[agent] = counts
        return self._agents

    def by_agent(self, draft: DomainDraft) -> dict[str, float]:
        if not draft.agent:
            return {}
        agent = draft.agent.lower()
        counts = Counter(self.agent_counts().get(agent, Counter()))
        own = self.vault.notes.get(draft.exclude or "")
        d = claim_domain(self.vault, own) if own is not None else None
        if d is not None and counts[d] > 0:
            counts[d] -= 1  # leave-one-out: not its own claim
        identity = self._identity(agent)
        mixed = {d: counts.get(d, 0) + IDENTITY_WEIGHT * identity.get(d, 0.0) for d in self.domains}
        return model.shares(mixed)

    def _identity(self, agent: str) -> dict[str, float]:
        folder = self.vault.config.review.get("agents_folder") or "agents"
        path = f"{folder}/{agent}/identity.md"
        note = self.vault.notes.get(path)
        if note is None:
            return {}
        try:
            text = self.vault.read_text(path)[note.body_start :]
        except OSError:
            return {}
        return self.text.probabilities(model.words("", "", text), self.domains)

    def by_links(self, draft: DomainDraft) -> dict[str, float]:
        votes: Counter[str] = Counter()
        for target in draft.links:
            res = self.vault.resolver.resolve(target, draft.exclude or "")
            note = res.note
            d = claim_domain(self.vault, note) if note is not None and not self.vault.config.is_map(note.path) else None
            if d is not None:
                votes[d] += 1
        return model.shares(votes)

    def by_source(self, draft: DomainDraft) -> dict[str, float]:
        return model.shares(Counter(d for d in draft.source_domains if d in self.vault.config.domains))

    # --- the guess ---

    @contextmanager
    def leaving_out(self, path: str | None) -> Iterator[None]:
        """Leave-one-out: while inside, the note at `path` is not part of the text models."""
        own = [(m, kept[path]) for m, kept in ((self.text, self.terms), (self.cited, self.cites)) if path and path in kept]
        for m, (d, terms) in own:
            m.add(d, terms, sign=-1)
        try:
            yield
        finally:
            for m, (d, terms) in own:
                m.add(d, terms)

    def guess(self, draft: DomainDraft, weights: Mapping[str, float] | None = None) -> DomainGuess:
        """Every domain, best first, from the evidence `weights` turns on (default: core.domains.WEIGHTS)."""
        weights = model.WEIGHTS if weights is None else weights
        if not self.domains or not (draft.title or draft.description or draft.body):
            return DomainGuess([])
        with self.leaving_out(draft.exclude):
            kinds = {
                "text": self.by_text,
                "cites": self.by_cites,
                "neighbours": self.by_neighbours,
                "agent": self.by_agent,
                "source": self.by_source,
                "links": self.by_links,
            }
            evidence = {k: f(draft) for k, f in kinds.items() if weights.get(k, 0.0) > 0}
        return DomainGuess(model.pool(self.domains, evidence, weights), evidence)


def _bucket(path: str) -> int:
    import zlib

    return zlib.crc32(path.encode("utf-8", "surrogateescape"))


def guess_domain(vault: Vault, draft: DomainDraft) -> DomainGuess:
    """The domain of a claim being written (see the module docstring)."""
    return DomainGuesser(vault).guess(draft)
