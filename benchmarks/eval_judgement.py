"""How good codex's judgement is on claims it was never tuned on, beside plain baselines.

One runner for every judgement codex makes (issue 11): link proposals, the
map section and the domain of a new claim, near-duplicate titles and "did
you mean". Every figure is printed beside plain baselines from the same run.

    git clone ../shared/sample-codex-history.bundle /tmp/history
    .venv/bin/python benchmarks/eval_judgement.py /tmp/history              # dev part only (for tuning)
    .venv/bin/python benchmarks/eval_judgement.py /tmp/history --part test  # the held-out part
    .venv/bin/python benchmarks/eval_judgement.py /tmp/history --part all --cold --json out.json

Protocols

- time split (the main one): the queries are the claims added by every
  commit after the first; each is asked against the tree of its commit's
  parent (a `git worktree`), with its links stripped (every `[[...]]` in
  the body, the `Relevant Notes:` / `Topics:` tail, and the frontmatter is
  not part of the query), and the gold is the claims it really links that
  exist in that tree. The split is fixed by time before any tuning: the
  queries in commit order (then by path), the first 60% are `dev`, the
  latest 40% `test`. Tune on dev only; look at test only to report.
- leave-one-out on the sample (the history's last tree): every claim with
  at least 3 links to other claims, rewritten without its links, asked
  against the rest; split dev/test by a hash of the path (`part_of`).

Baselines: TF-IDF cosine over the notes' full text (title, description,
body) and fuzzy title matching (rapidfuzz token_set_ratio); for map
sections the nearest TF-IDF section centroid and the largest section; for
the domain the majority of the 7 nearest notes by TF-IDF.

The sample is the history's last state (435 notes); the issue's own figures
were measured on a later, larger state (about 1,230 notes) that is not
available here.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codex_cli.core import matcher
from codex_cli.core.links import LINK
from codex_cli.core.note import Note, decode, encode, parse_note
from codex_cli.core.text import loose_key
from codex_cli.vault import Vault

K = 10
DEV_SHARE = 0.6
MIN_LOO_LINKS = 3
_TAIL = re.compile(r"^(?:---[ \t]*\r?\n\s*)?(?:Relevant Notes|Topics)\s*:", re.MULTILINE)
_WORD = re.compile(r"[a-z0-9]{2,}")


def part_of(path: str) -> str:
    """'dev' or 'test' for leave-one-out protocols, fixed by the path alone."""
    return "dev" if int(hashlib.sha1(path.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0 else "test"


def strip_links(body: str) -> str:
    """The body without its link tail and without any `[[...]]`."""
    m = _TAIL.search(body)
    if m is not None:
        body = body[: m.start()]
    return LINK.sub("", body)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


# --- TF-IDF (the baseline, a textbook implementation) -------------------------------------


class Tfidf:
    def __init__(self, docs: dict[str, str]) -> None:
        tf = {p: self.terms(t) for p, t in docs.items()}
        df: Counter[str] = Counter()
        for counts in tf.values():
            df.update(counts.keys())
        self.n = len(docs)
        self.idf = {w: math.log((1 + self.n) / (1 + c)) + 1 for w, c in df.items()}
        self.vecs = {p: self.vec(c) for p, c in tf.items()}

    @staticmethod
    def terms(text: str) -> Counter[str]:
        return Counter(_WORD.findall(text.lower()))

    def vec(self, counts: Counter[str]) -> dict[str, float]:
        unseen = math.log(1 + self.n) + 1
        v = {w: c * self.idf.get(w, unseen) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    def query(self, text: str) -> dict[str, float]:
        return self.vec(self.terms(text))

    def rank(self, text: str, skip: str | None = None, limit: int = K, among: set[str] | None = None) -> list[str]:
        q = self.query(text)
        scored = [(cosine(q, dv), p) for p, dv in self.vecs.items() if p != skip and (among is None or p in among)]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [p for _, p in scored[:limit]]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def fuzzy_titles(titles: dict[str, str], query: str, skip: str | None = None, limit: int = K) -> list[str]:
    from rapidfuzz import fuzz, process

    choices = {p: loose_key(t) for p, t in titles.items() if p != skip}
    return [p for _, _, p in process.extract(loose_key(query), choices, scorer=fuzz.token_set_ratio, limit=limit)]


# --- the cases ----------------------------------------------------------------------------


@dataclass
class Query:
    """One claim to find links for: its stripped text, the tree to ask, the gold."""

    path: str
    title: str
    description: str
    body: str
    domain: str | None
    gold: set[str]
    part: str
    tree: str  # the commit whose tree is the vault
    order: int = 0
    in_vault: bool = False  # leave-one-out: the note is in the vault (rewritten without links)
    raw: bytes = b""
    cites: str = ""  # its `source:` field

    def draft(self) -> matcher.Draft:
        return matcher.Draft(self.title, self.description, self.body, path=self.path if self.in_vault else None, domain=self.domain)


@dataclass
class Trees:
    """Work trees of the history's commits, made on demand, removed at the end."""

    repo: Path
    work: Path
    made: dict[str, Path] = field(default_factory=dict)

    def get(self, commit: str) -> Path:
        if commit not in self.made:
            where = self.work / f"tree-{commit[:10]}"
            git(self.repo, "worktree", "add", "-q", "--detach", str(where), commit)
            self.made[commit] = where
        return self.made[commit]

    def close(self) -> None:
        for where in self.made.values():
            subprocess.run(["git", "-C", str(self.repo), "worktree", "remove", "--force", str(where)], capture_output=True, check=False)
        subprocess.run(["git", "-C", str(self.repo), "worktree", "prune"], capture_output=True, check=False)


@contextlib.contextmanager
def cache_for(work: Path, commit: str) -> Iterator[None]:
    os.environ["CODEX_CACHE_DIR"] = str(work / f"cache-{commit[:10]}")
    yield


def claim_domain(vault: Vault, note: Note) -> str | None:
    config = vault.config
    return note.domain if note.domain in config.domains else config.domain_of_folder(note.folder)


def time_split_queries(repo: Path, trees: Trees) -> list[Query]:
    """Claims added after the first commit, each against its parent's tree (see the docstring)."""
    commits = git(repo, "rev-list", "--reverse", "--no-merges", "--topo-order", "HEAD").split()
    out: list[Query] = []
    vaults: dict[str, Vault] = {}
    for commit in commits[1:]:
        parents = git(repo, "rev-list", "--parents", "-n", "1", commit).split()[1:]
        if not parents:
            continue
        parent = parents[0]
        added = [p for p in git(repo, "diff-tree", "-r", "--no-commit-id", "--name-only", "--diff-filter=A", "-z", parent, commit).split("\0") if p.endswith(".md")]
        if not added:
            continue
        if parent not in vaults:
            vaults[parent] = Vault.open(trees.get(parent))
        vault = vaults[parent]
        claim_types = vault.config.claim_types
        for path in sorted(added):
            raw = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True).stdout
            note = parse_note(path, raw, vault.context())
            if note.type not in claim_types:
                continue
            gold = set()
            for link in note.links:
                res = vault.resolver.resolve(link.target, path)
                if res.note is not None and res.note.type in claim_types and res.note.path != path:
                    gold.add(res.note.path)
            text, _ = decode(raw)
            cites = str((note.meta or {}).get("source") or "")
            out.append(Query(path, note.title, note.description, strip_links(text[note.body_start :]), claim_domain(vault, note), gold, "", parent, raw=raw, cites=cites))
    for i, q in enumerate(out):
        q.order = i
        q.part = "dev" if i < round(DEV_SHARE * len(out)) else "test"
    return out


def loo_queries(repo: Path, trees: Trees) -> list[Query]:
    head = git(repo, "rev-parse", "HEAD").strip()
    vault = Vault.open(trees.get(head))
    claims = {p for p, n in vault.notes.items() if n.type in vault.config.claim_types}
    out = []
    for path in sorted(claims):
        note = vault.notes[path]
        fm: set[str] = set()
        body: set[str] = set()
        for link in note.links:
            res = vault.resolver.resolve(link.target, path)
            if res.note is None or res.note.path not in claims or res.note.path == path:
                continue
            (fm if link.field else body).add(res.note.path)
        gold = body - fm
        if len(gold) < MIN_LOO_LINKS:
            continue
        text = vault.read_text(path)
        q = Query(path, note.title, note.description, strip_links(text[note.body_start :]), claim_domain(vault, note), gold, part_of(path), head, in_vault=True)
        out.append(q)
    return out


# --- link proposals -------------------------------------------------------------------------


Ranker = Callable[[Query], list[str]]


@dataclass
class Tally:
    hits5: int = 0
    hits10: int = 0
    total: int = 0
    rr: float = 0.0
    queries: int = 0
    by_domain: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, q: Query, got: list[str]) -> int:
        h5 = len(set(got[:5]) & q.gold)
        h10 = len(set(got[:K]) & q.gold)
        self.hits5 += h5
        self.hits10 += h10
        self.total += len(q.gold)
        self.queries += 1
        self.rr += next((1.0 / (i + 1) for i, p in enumerate(got[:K]) if p in q.gold), 0.0)
        d = self.by_domain[q.domain or "-"]
        d[0] += h10
        d[1] += len(q.gold)
        return h10

    def summary(self) -> dict[str, object]:
        t = max(1, self.total)
        return {
            "queries": self.queries,
            "targets": self.total,
            "recall@5": round(self.hits5 / t, 3),
            "recall@10": round(self.hits10 / t, 3),
            "mrr": round(self.rr / max(1, self.queries), 3),
            "by_domain": {d: round(h / max(1, n), 3) for d, (h, n) in sorted(self.by_domain.items())},
        }


def with_note_rewritten(root: Path, q: Query) -> contextlib.AbstractContextManager[None]:
    """Leave-one-out: the note's file holds the stripped text while it is ranked."""

    @contextlib.contextmanager
    def cm() -> Iterator[None]:
        if not q.in_vault:
            yield
            return
        path = root / q.path
        original = path.read_bytes()
        text = original.decode("utf-8", "surrogateescape")
        note = parse_note(q.path, original, Vault.open(root).context())
        path.write_bytes(encode(text[: note.body_start] + q.body))
        try:
            yield
        finally:
            path.write_bytes(original)

    return cm()


def evaluate_links(name: str, queries: list[Query], trees: Trees, work: Path, cold: bool, log: Callable[[str], None]) -> dict[str, object]:
    """Every ranker on every query; per part: the tallies, per-query comparison, a few misses."""
    from codex_cli.adapters import grep_rank

    per_tree: dict[str, list[Query]] = defaultdict(list)
    for q in queries:
        per_tree[q.tree].append(q)
    names = ["fuzzy title", "tf-idf full text", "codex"] + (["codex cold (git grep)"] if cold else [])
    got: dict[str, dict[int, list[str]]] = {n: {} for n in names}
    seconds: dict[str, float] = defaultdict(float)
    for commit, qs in per_tree.items():
        root = trees.get(commit)
        vault = Vault.open(root)
        claim_types = vault.config.claim_types
        claims = {p: n for p, n in vault.notes.items() if n.type in claim_types}
        texts = {p: f"{n.title}\n{n.description}\n{matcher.link_text(vault.read_text(p)[n.body_start:])}" for p, n in claims.items()}
        titles = {p: n.title for p, n in claims.items()}
        for q in qs:  # a leave-one-out query's own text is the stripped one
            if q.path in texts:
                texts[q.path] = f"{q.title}\n{q.description}\n{q.body}"
        tfidf = Tfidf(texts)
        with cache_for(work, commit):
            for q in qs:
                qtext = f"{q.title}\n{q.description}\n{q.body}"
                t0 = time.perf_counter()
                got["fuzzy title"][id(q)] = fuzzy_titles(titles, q.title, skip=q.path)
                t1 = time.perf_counter()
                got["tf-idf full text"][id(q)] = tfidf.rank(qtext, skip=q.path)
                t2 = time.perf_counter()
                seconds["fuzzy title"] += t1 - t0
                seconds["tf-idf full text"] += t2 - t1
                with with_note_rewritten(root, q):
                    t0 = time.perf_counter()
                    got["codex"][id(q)] = [s.path for s in matcher.rank(Vault.open(root), q.draft(), K)]
                    seconds["codex"] += time.perf_counter() - t0
                    if cold:
                        t0 = time.perf_counter()
                        got["codex cold (git grep)"][id(q)] = [s.path for s in grep_rank.rank(Vault.open(root), q.draft(), K)]
                        seconds["codex cold (git grep)"] += time.perf_counter() - t0
        log(f"  {name}: {commit[:8]} ({len(qs)} queries) done")
    report: dict[str, object] = {}
    for part in ("dev", "test"):
        chosen = [q for q in queries if q.part == part]
        if not chosen:
            continue
        tallies = {n: Tally() for n in names}
        hits: dict[str, dict[int, int]] = {n: {} for n in names}
        for q in chosen:
            for n in names:
                hits[n][id(q)] = tallies[n].add(q, got[n][id(q)])
        versus = {}
        for n in names:
            if n == "tf-idf full text":
                continue
            b = sum(1 for q in chosen if hits[n][id(q)] > hits["tf-idf full text"][id(q)])
            w = sum(1 for q in chosen if hits[n][id(q)] < hits["tf-idf full text"][id(q)])
            versus[n] = {"better": b, "worse": w, "tied": len(chosen) - b - w}
        misses = []
        for q in sorted(chosen, key=lambda q: hits["codex"][id(q)] - hits["tf-idf full text"][id(q)])[:3]:
            missed = sorted(q.gold - set(got["codex"][id(q)]))
            misses.append({"query": q.title, "missed": [Path(p).stem for p in missed][:3], "codex top 3": [Path(p).stem for p in got["codex"][id(q)][:3]]})
        report[part] = {
            "rankers": {n: tallies[n].summary() for n in names},
            "versus tf-idf (hits@10 per query)": versus,
            "misses": misses,
        }
    report["seconds"] = {n: round(s, 1) for n, s in seconds.items()}
    return report


# --- map sections -----------------------------------------------------------------------------


@dataclass
class SectionCase:
    title: str
    description: str
    gold: str
    part: str
    map_text: str
    body_start: int
    remove: int | None = None  # leave-one-out: the entry (by start offset) to leave out
    tree: str = ""  # the commit whose tree is the vault
    map_path: str = ""
    exclude: str | None = None  # leave-one-out: the note itself


def section_cases(repo: Path, trees: Trees, queries: list[Query]) -> tuple[list[SectionCase], int]:
    """Time split: each query listed in its domain map (at its commit), against the parent's map."""
    from codex_cli.core import maps

    out = []
    new_section = 0
    by_path = {q.path: q for q in queries}
    commits = {q.path: q for q in queries}
    head = git(repo, "rev-parse", "HEAD").strip()
    head_vault = Vault.open(trees.get(head))
    for path, q in commits.items():
        domain = q.domain
        if not domain:
            continue
        map_path = head_vault.config.map_for_domain(domain)
        if map_path is None:
            continue
        parent_root = trees.get(q.tree)
        if not (parent_root / map_path).is_file():
            continue
        later = (trees.get(head) / map_path).read_bytes()
        lnote = parse_note(map_path, later, head_vault.context())
        lmap = maps.parse_map(decode(later)[0], lnote.body_start)
        gold = None
        for s in lmap.headed:
            for e in s.entries:
                if loose_key(e.target.rpartition("/")[2]) == loose_key(q.title):
                    gold = s.heading
        if gold is None:
            continue
        raw = (parent_root / map_path).read_bytes()
        pvault = Vault.open(parent_root)
        pnote = parse_note(map_path, raw, pvault.context())
        ptext = decode(raw)[0]
        pmap = maps.parse_map(ptext, pnote.body_start)
        if not any(s.entries for s in pmap.headed):
            continue
        if pmap.section(gold) is None:
            new_section += 1
            continue
        out.append(SectionCase(q.title, q.description, pmap.section(gold).heading or "", by_path[path].part, ptext, pnote.body_start, None, q.tree, map_path))
    return out, new_section


def loo_section_cases(repo: Path, trees: Trees) -> list[SectionCase]:
    from codex_cli.core import maps

    head = git(repo, "rev-parse", "HEAD").strip()
    vault = Vault.open(trees.get(head))
    out = []
    for domain in sorted(vault.config.domains):
        map_path = vault.config.map_for_domain(domain)
        if map_path is None or map_path not in vault.notes:
            continue
        text = vault.read_text(map_path)
        m = maps.parse_map(text, vault.notes[map_path].body_start)
        for s in m.headed:
            if len(s.entries) < 2:
                continue
            for e in s.entries:
                res = vault.resolver.resolve(e.target, map_path)
                if res.note is None:
                    continue
                n = res.note
                out.append(SectionCase(n.title, n.description, s.heading or "", part_of(n.path), text, vault.notes[map_path].body_start, e.start, head, map_path, n.path))
    return out


def evaluate_sections(cases: list[SectionCase], trees: Trees, work: Path) -> dict[str, object]:
    from codex_cli.core import maps
    from codex_cli.ops.maps import section_choices

    report: dict[str, object] = {}
    for part in ("dev", "test"):
        chosen = [c for c in cases if c.part == part]
        if not chosen:
            continue
        score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for c in chosen:
            m = maps.parse_map(c.map_text, c.body_start)
            if c.remove is not None:
                m = m.without([e for e in m.entries if e.start == c.remove])
            ranked = [s.heading for _, s in maps.rank_sections(m, c.title, c.description)]
            score["entries alike only (core.maps.rank_sections)"][0] += ranked[:1] == [c.gold]
            score["entries alike only (core.maps.rank_sections)"][1] += c.gold in ranked[:3]
            with cache_for(work, c.tree):
                vault = Vault.open(trees.get(c.tree))
                picked = [x.heading for x in section_choices(vault, m, c.map_path, c.title, c.description, exclude=c.exclude)]
            score["codex"][0] += picked[:1] == [c.gold]
            score["codex"][1] += c.gold in picked[:3]
            # baselines over the same entries: TF-IDF centroid of each section's entry lines, largest section
            docs = {f"{s.index}:{i}": f"{e.target} {e.text}" for s in m.headed for i, e in enumerate(s.entries)}
            tfidf = Tfidf(docs)
            q = tfidf.query(f"{c.title} {c.description}")
            cents = []
            for s in m.headed:
                vecs = [tfidf.vecs[f"{s.index}:{i}"] for i in range(len(s.entries))]
                if not vecs:
                    continue
                cent: dict[str, float] = defaultdict(float)
                for v in vecs:
                    for w, x in v.items():
                        cent[w] += x / len(vecs)
                norm = math.sqrt(sum(x * x for x in cent.values())) or 1.0
                cents.append((cosine(q, {w: x / norm for w, x in cent.items()}), -s.index, s.heading))
            cents.sort(reverse=True)
            score["tf-idf centroid"][0] += [h for _, _, h in cents[:1]] == [c.gold]
            score["tf-idf centroid"][1] += c.gold in [h for _, _, h in cents[:3]]
            sizes = sorted(((len(s.entries), -s.index, s.heading) for s in m.headed if s.entries), reverse=True)
            score["largest section"][0] += [h for _, _, h in sizes[:1]] == [c.gold]
            score["largest section"][1] += c.gold in [h for _, _, h in sizes[:3]]
        report[part] = {n: {"top1": round(a / len(chosen), 3), "top3": round(b / len(chosen), 3), "cases": len(chosen)} for n, (a, b) in score.items()}
    return report


# --- domain -----------------------------------------------------------------------------------


DOMAIN_STEPS = (  # each adds one kind of evidence to the one before (ops.domain)
    ("title", {"text", "neighbours"}),
    ("+ description", {"text", "neighbours"}),
    ("+ body", {"text", "neighbours"}),
    ("+ source: field", {"text", "neighbours", "cites"}),
    ("+ agent", {"text", "neighbours", "cites", "agent"}),
    ("+ links it makes", {"text", "neighbours", "cites", "agent", "links"}),
)


def query_agents(repo: Path) -> dict[str, str]:
    """Path -> the agent whose commit added it (who was writing: what `--agent` says for a new claim)."""
    from codex_cli.adapters import agent_history

    known = frozenset(p.name.lower() for p in (repo / "agents").iterdir() if p.is_dir()) if (repo / "agents").is_dir() else frozenset()
    commits = agent_history.read_log(repo)
    who = agent_history.attribute(commits, known)
    out: dict[str, str] = {}
    for c in reversed(commits):  # oldest first: the commit that first added a path
        for path in c.added:
            if c.sha in who:
                out.setdefault(path, who[c.sha])
    return out


def evaluate_domain(queries: list[Query], trees: Trees, work: Path, agents: dict[str, str]) -> dict[str, object]:
    """Every step of DOMAIN_STEPS, the guess when sure (core.domains.SURE), and TF-IDF 7-NN, per part."""
    from codex_cli.core import domains as dm
    from codex_cli.ops.domain import DomainDraft, DomainGuesser

    report: dict[str, object] = {}
    results: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    by_domain: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    misses: dict[str, list[dict[str, object]]] = defaultdict(list)
    per_tree: dict[str, list[Query]] = defaultdict(list)
    for q in queries:
        if q.domain:
            per_tree[q.tree].append(q)
    for commit, qs in per_tree.items():
        root = trees.get(commit)
        vault = Vault.open(root)
        claims = {p: n for p, n in vault.notes.items() if n.type in vault.config.claim_types and claim_domain(vault, n)}
        tfidf = Tfidf({p: f"{n.title}\n{n.description}\n{vault.read_text(p)[n.body_start:]}" for p, n in claims.items()})
        with cache_for(work, commit):
            guesser = DomainGuesser(vault, leave_out=True)
            for q in qs:
                exclude = q.path if q.path in vault.notes else None
                full = DomainDraft(q.title, q.description, q.body, cites=q.cites, agent=agents.get(q.path), links=tuple(sorted(q.gold)), exclude=exclude)
                drafts = {
                    "title": DomainDraft(q.title, exclude=exclude),
                    "+ description": DomainDraft(q.title, q.description, exclude=exclude),
                }
                guess = None
                for name, kinds in DOMAIN_STEPS:
                    draft = drafts.get(name, full)
                    guess = guesser.guess(draft, {k: w for k, w in dm.WEIGHTS.items() if k in kinds})
                    results[q.part]["codex, " + name][0] += guess.domain == q.domain
                    results[q.part]["codex, " + name][1] += 1
                assert guess is not None
                near = tfidf.rank(q.title, skip=q.path, limit=7)
                votes = Counter(claim_domain(vault, claims[p]) for p in near)
                base = votes.most_common(1)[0][0] if votes else None
                results[q.part]["tf-idf 7-NN (title)"][0] += base == q.domain
                results[q.part]["tf-idf 7-NN (title)"][1] += 1
                if guess.sure:
                    results[q.part]["codex when sure"][0] += guess.domain == q.domain
                    results[q.part]["codex when sure"][1] += 1
                cell = by_domain[q.part][q.domain or "-"]
                cell[0] += guess.domain == q.domain
                cell[1] += base == q.domain
                cell[2] += 1
                if guess.domain != q.domain and len(misses[q.part]) < 6:
                    misses[q.part].append({"title": q.title[:90], "is": q.domain, "guessed": guess.domain, "score": guess.score, "agent": full.agent})
    for part in ("dev", "test"):
        if part not in results:
            continue
        r = results[part]
        out: dict[str, object] = {n: {"accuracy": round(a / max(1, b), 3), "cases": b} for n, (a, b) in r.items()}
        total = r["tf-idf 7-NN (title)"][1]
        sure = r.get("codex when sure", [0, 0])
        out["codex when sure"] = {"accuracy": round(sure[0] / max(1, sure[1]), 3), "coverage": round(sure[1] / max(1, total), 3), "cases": sure[1]}
        out["per domain (codex / tf-idf, cases)"] = {d: f"{a / n:.2f} / {b / n:.2f}, {n}" for d, (a, b, n) in sorted(by_domain[part].items())}
        out["misses"] = misses[part]
        report[part] = out
    return report


# --- duplicates -------------------------------------------------------------------------------


def duplicate_pairs(repo: Path, trees: Trees) -> list[tuple[str, str, bool, str]]:
    """(new title, existing title, is a paraphrase, part).

    Paraphrases: the history's rename pairs (old title, new title: one in
    this history), H1s that differ from the file name (none in the sample)
    and synthetic rewordings of every claim title; non-pairs: each claim
    title and the closest other claim title (hard negatives).
    """
    from rapidfuzz import fuzz, process

    pairs: list[tuple[str, str, bool, str]] = []
    log = git(repo, "log", "-M", "--diff-filter=R", "--name-status", "--format=")
    for line in log.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("R"):
            a, b = (Path(p).stem for p in parts[1:])
            pairs.append((b, a, True, part_of(b)))
    head = git(repo, "rev-parse", "HEAD").strip()
    vault = Vault.open(trees.get(head))
    claims = [n for n in vault.notes.values() if n.type in vault.config.claim_types]
    titles = [n.title for n in claims]
    keys = [loose_key(t) for t in titles]
    rnd = random.Random(13)
    for n in claims:
        if n.h1 and loose_key(n.h1) != loose_key(n.title):  # an H1 that says it differently (none in the sample)
            pairs.append((n.h1, n.title, True, part_of(n.path)))
        reworded = rewording(n.title, rnd)  # synthetic: synonyms, a dropped word, a cut ending
        if loose_key(reworded) != loose_key(n.title):
            pairs.append((reworded, n.title, True, part_of(n.path)))
    for i, n in enumerate(claims):  # the closest other title: a different claim that reads alike
        found = process.extract(keys[i], {j: k for j, k in enumerate(keys) if j != i and loose_key(claims[j].h1 or "") != keys[i]}, scorer=fuzz.token_sort_ratio, limit=1)
        if found and keys[found[0][2]] != keys[i]:  # the same title twice is a real duplicate, not a non-pair
            pairs.append((titles[i], titles[found[0][2]], False, part_of(n.path)))
    return pairs


def evaluate_duplicates(pairs: list[tuple[str, str, bool, str]]) -> dict[str, object]:
    from codex_cli.core.titles import paraphrase_score

    report: dict[str, object] = {}
    for part in ("dev", "test"):
        chosen = [p for p in pairs if p[3] == part]
        if not chosen:
            continue
        scored = [(paraphrase_score(a, b), pos) for a, b, pos, _ in chosen]
        from codex_cli.core.titles import PARAPHRASE_THRESHOLD

        tp = sum(1 for s, pos in scored if pos and s >= PARAPHRASE_THRESHOLD)
        fp = sum(1 for s, pos in scored if not pos and s >= PARAPHRASE_THRESHOLD)
        fn = sum(1 for s, pos in scored if pos and s < PARAPHRASE_THRESHOLD)
        best = max(
            (t for t in range(50, 101)),
            key=lambda t: _f1(sum(1 for s, p in scored if p and s >= t), sum(1 for s, p in scored if not p and s >= t), sum(1 for s, p in scored if p and s < t)),
        )
        report[part] = {
            "best threshold on this part (F1)": best,
            "pairs": sum(1 for _, pos in scored if pos),
            "non-pairs": sum(1 for _, pos in scored if not pos),
            "threshold": PARAPHRASE_THRESHOLD,
            "precision": round(tp / max(1, tp + fp), 3),
            "recall": round(tp / max(1, tp + fn), 3),
            "lowest pair scores": sorted(round(s, 1) for s, pos in scored if pos)[:5],
            "highest non-pair scores": sorted((round(s, 1) for s, pos in scored if not pos), reverse=True)[:5],
        }
    return report


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


# --- did you mean -----------------------------------------------------------------------------

SYNONYMS = {
    "increases": "raises", "reduces": "lowers", "because": "since", "requires": "needs", "creates": "produces",
    "will": "shall", "cannot": "can not", "more": "greater", "less": "fewer", "most": "the majority of",
    "large": "big", "small": "little", "fails": "breaks down", "enables": "allows", "better": "superior",
}


def typo(title: str, rnd: random.Random) -> str:
    chars = list(title)
    for _ in range(2):
        i = rnd.randrange(len(chars))
        op = rnd.choice("dst")
        if op == "d" and len(chars) > 5:
            del chars[i]
        elif op == "s" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rnd.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def truncation(title: str, rnd: random.Random) -> str:
    words = title.split()
    keep = max(3, round(len(words) * rnd.uniform(0.4, 0.7)))
    return " ".join(words[:keep])


def rewording(title: str, rnd: random.Random) -> str:
    words = title.split()
    out = [SYNONYMS.get(w.lower(), w) for w in words]
    if out == words:  # no synonym: drop a short word and change the ending
        short = [i for i, w in enumerate(words) if len(w) <= 3]
        if short:
            del out[rnd.choice(short)]
    if len(out) > 8:
        cut = rnd.randrange(len(out) - 3, len(out))
        out = out[:cut]
    return " ".join(out)


def evaluate_did_you_mean(repo: Path, trees: Trees, work: Path) -> dict[str, object]:
    from codex_cli.ops.link import did_you_mean

    head = git(repo, "rev-parse", "HEAD").strip()
    root = trees.get(head)
    vault = Vault.open(root)
    rnd = random.Random(11)
    claims = sorted((n for n in vault.notes.values() if n.type in vault.config.claim_types and len(n.title.split()) >= 5), key=lambda n: n.path)
    report: dict[str, object] = {}
    results: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    self_suggestions = 0
    with cache_for(work, head):
        for n in claims:
            for kind, make in (("typo", typo), ("truncation", truncation), ("rewording", rewording)):
                query = make(n.title, rnd)
                if loose_key(query) == loose_key(n.title):
                    continue
                source = rnd.choice([c.path for c in claims if c.path != n.path])  # the note the broken link is in
                found = did_you_mean(vault, query, source, limit=3)
                self_suggestions += any(p == source for p, _ in found)
                part = part_of(n.path)
                same = {c.path for c in claims if loose_key(c.title) == loose_key(n.title)}  # a title two notes share: either is right
                results[part][kind][0] += bool(found) and found[0][0] in same
                results[part][kind][1] += 1
                fz = fuzzy_titles({c.path: c.title for c in vault.notes.values() if c.path != source}, query, limit=1)
                results[part][kind + " (fuzzy baseline)"][0] += bool(fz) and fz[0] in same
                results[part][kind + " (fuzzy baseline)"][1] += 1
    for part in ("dev", "test"):
        if part in results:
            r = results[part]
            mine = [k for k in r if "baseline" not in k]
            report[part] = {k: {"top1": round(a / max(1, b), 3), "cases": b} for k, (a, b) in r.items()}
            a = sum(r[k][0] for k in mine)
            b = sum(r[k][1] for k in mine)
            report[part]["all"] = {"top1": round(a / max(1, b), 3), "cases": b}
    report["self-suggestions"] = self_suggestions
    return report


# --- the runner -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("history", type=Path, help="a clone of sample-codex-history.bundle")
    ap.add_argument("--part", choices=("dev", "test", "all"), default="dev", help="which part to report (tune on dev only)")
    ap.add_argument("--only", default="links,loo,sections,domain,duplicates,dym", help="comma-separated: links,loo,sections,domain,duplicates,dym")
    ap.add_argument("--cold", action="store_true", help="also the first-run ranker (git grep, before the index exists)")
    ap.add_argument("--json", type=Path, help="also write the full report here")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    os.environ["CODEX_INDEX_INLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="codex-judgement-"))
    trees = Trees(args.history.resolve(), work)
    started = time.perf_counter()

    def log(s: str) -> None:
        print(s, file=sys.stderr, flush=True)

    def keep(report: dict[str, object]) -> dict[str, object]:
        if args.part == "all":
            return report
        return {k: v for k, v in report.items() if k not in ("dev", "test") or k == args.part}

    full: dict[str, object] = {}
    try:
        queries = time_split_queries(trees.repo, trees)
        linked = [q for q in queries if q.gold]
        split = {p: sum(1 for q in linked if q.part == p) for p in ("dev", "test")}
        full["time split"] = {"claims added after the first commit": len(queries), "with gold links": len(linked), "parts": split, "trees": len({q.tree for q in queries})}
        log(f"time split: {full['time split']}")
        if "links" in only:
            full["links (time split)"] = keep(evaluate_links("time split", linked, trees, work, args.cold, log))
        if "loo" in only:
            full["links (leave-one-out, sample)"] = keep(evaluate_links("leave-one-out", loo_queries(trees.repo, trees), trees, work, args.cold, log))
        if "sections" in only:
            cases, new = section_cases(trees.repo, trees, queries)
            full["map section (time split)"] = keep(evaluate_sections(cases, trees, work)) | {"went to a section new at the time (not counted)": new}
            full["map section (leave-one-out, sample)"] = keep(evaluate_sections(loo_section_cases(trees.repo, trees), trees, work))
        if "domain" in only:
            agents = query_agents(trees.repo)
            full["domain (time split)"] = keep(evaluate_domain(queries, trees, work, agents))
            full["domain (leave-one-out, sample)"] = keep(evaluate_domain(loo_all_claims(trees), trees, work, agents))
        if "duplicates" in only:
            full["duplicates"] = keep(evaluate_duplicates(duplicate_pairs(trees.repo, trees)))
        if "dym" in only:
            full["did you mean (sample)"] = keep(evaluate_did_you_mean(trees.repo, trees, work))
    finally:
        trees.close()
        shutil.rmtree(work, ignore_errors=True)
    full["seconds"] = round(time.perf_counter() - started, 1)
    print(render(full))
    if args.json:
        args.json.write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
    return 0


def loo_all_claims(trees: Trees) -> list[Query]:
    """Leave-one-out for the domain: every claim of the sample in a domain folder, its body without links,
    and the claims it links (the evidence `--link` gives); the note itself is left out of every model."""
    head = git(trees.repo, "rev-parse", "HEAD").strip()
    vault = Vault.open(trees.get(head))
    out = []
    for p, n in sorted(vault.notes.items()):
        d = claim_domain(vault, n)
        if n.type in vault.config.claim_types and d:
            body = strip_links(vault.read_text(p)[n.body_start :])
            gold = set()
            for link in n.links:
                res = vault.resolver.resolve(link.target, p)
                if res.note is not None and res.note.type in vault.config.claim_types and res.note.path != p:
                    gold.add(res.note.path)
            cites = str((n.meta or {}).get("source") or "")
            out.append(Query(p, n.title, n.description, body, d, gold, part_of(p), head, in_vault=False, cites=cites))
    return out


def render(report: dict[str, object], indent: str = "") -> str:
    lines = []
    for k, v in report.items():
        if isinstance(v, dict) and v and all(not isinstance(x, dict) for x in v.values()) and len(json.dumps(v)) < 110:
            lines.append(f"{indent}{k}: " + ", ".join(f"{a} {b}" for a, b in v.items()))
        elif isinstance(v, dict):
            lines.append(f"{indent}{k}:")
            lines.append(render(v, indent + "  "))
        elif isinstance(v, list):
            lines.append(f"{indent}{k}:")
            lines.extend(f"{indent}  - {json.dumps(x, ensure_ascii=False)}" for x in v)
        else:
            lines.append(f"{indent}{k}: {v}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
