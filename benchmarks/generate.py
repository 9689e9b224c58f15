"""Write a synthetic knowledge base of N claims shaped like teleo-codex.

    python benchmarks/generate.py --notes 100000 --out benchmarks/.vaults/100k [--seed 1]

What it writes (see docs/performance.md for why these proportions):
- `domains/<d>/`, `core/<d>/`, `foundations/<d>/` folders of claims whose
  file names are long prose propositions (8-25 words, unique), each with
  claim frontmatter (type, domain, description, confidence, source,
  created; some `depends_on` / `challenged_by` lists of titles);
- bodies of a few paragraphs with about six wiki links: some with `|alias`
  or `#heading`, a few inside code (which are not links), and a share of
  broken ones (typos, truncations, old titles, topics with no note), then a
  `Relevant Notes:` / `Topics:` tail;
- one `_map.md` per domain listing most of its claims in sections;
- one "hub" claim that exactly `--hub-backlinks` other notes link to once
  each (for the rename benchmark), and a git repository with one commit;
- `.bench-manifest.json`: the facts the benchmarks and tests need.

Deterministic for a given seed and note count. Uses only the standard
library and the `git` executable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".bench-manifest.json"
BROKEN_RATE = 0.05
ALIAS_RATE = 0.06
HEADING_RATE = 0.03
CODE_LINK_RATE = 0.03  # share of notes with one example link inside a code span
MAPPED_RATE = 0.9
DEPENDS_RATE = 0.25
CHALLENGED_RATE = 0.08
TRUNCATE_AT = 90

# --- vocabulary ---------------------------------------------------------------
# Content words are the sample knowledge base's own (benchmarks/vocabulary.txt:
# 8,000 words with their counts), drawn in proportion to how often the sample
# uses them, so that word frequencies follow real prose: a few very common
# terms and a long tail of rare ones (which is what makes title matching hard
# or easy). Verbs and connectives give titles the shape of a proposition.

VOCABULARY = Path(__file__).with_name("vocabulary.txt")

VERBS = """
creates outperforms requires enables undermines amplifies constrains
accelerates reduces increases shifts determines explains predicts
replaces preserves destroys compounds erodes aggregates coordinates
rewards punishes selects filters concentrates disperses stabilizes
destabilizes converts captures transfers absorbs resists survives
dominates complements substitutes reinforces weakens unlocks blocks
""".split()

CONNECTIVES = [
    "because", "because", "because", "rather than", "so", "while", "which means",
    "but", "and", "when", "until", "since", "even though", "so that",
]
DETERMINERS = ["", "", "", "the", "the", "every", "most", "no"]
PREPOSITIONS = ["of", "in", "for", "across", "between", "within", "under", "through"]
CONFIDENCE = ["likely", "likely", "likely", "experimental", "experimental", "speculative", "proven"]
AUTHORS = [
    "Sorensen et al", "Ostrom", "Bostrom", "Hidalgo", "Christensen", "Acemoglu",
    "Hayek", "Hanson", "Friston", "Taleb", "Meadows", "Arrow", "Coase",
    "Girard", "Henrich", "Tetlock", "Page", "Woolley et al", "Scott", "Jacobs",
]
VENUES = ["ICML 2024", "NeurIPS 2024", "Nature 2023", "arXiv 2402.05070", "NBER working paper", "HBR 2019", "book, 2014", "blog post, 2025"]
HEADINGS = ["Evidence", "Mechanism", "Challenges", "Implications"]
ROOTS = ["domains", "core", "foundations"]
DOMAIN_WORDS = """
ai-alignment internet-finance health entertainment space-development
collective-intelligence teleological-economics cultural-dynamics
critical-systems mechanisms living-capital living-agents grand-strategy
teleohumanity energy governance biology media education labor cities
climate manufacturing security law science-policy philanthropy
""".split()


def load_vocabulary() -> tuple[list[str], list[float]]:
    words: list[str] = []
    counts: list[float] = []
    for line in VOCABULARY.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, count = line.split()
            words.append(word)
            counts.append(float(count))
    return words, _cum(counts)


class Words:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocabulary, self._cw = load_vocabulary()
        self._vw = _cum([1.0 / (i + 8) for i in range(len(VERBS))])

    def content(self, k: int = 1) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self._cw, k=k)

    def verb(self) -> str:
        return self.rng.choices(VERBS, cum_weights=self._vw)[0]

    def phrase(self) -> list[str]:
        r = self.rng.random()
        out = [d] if (d := self.rng.choice(DETERMINERS)) else []
        out += self.content(2 if r < 0.55 else 1)
        if r > 0.7:
            out += [self.rng.choice(PREPOSITIONS), *self.content()]
        return out

    def clause(self) -> list[str]:
        return [*self.phrase(), self.verb(), *self.phrase()]

    def proposition(self, low: int, high: int) -> str:
        goal = self.rng.randint(low, high)
        words = self.clause()
        while len(words) < goal:
            words += [*self.rng.choice(CONNECTIVES).split(), *self.clause()]
        if len(words) > high:
            words = words[:high]
        while words[-1] in CONNECTIVE_WORDS or words[-1] in PREPOSITIONS or words[-1] in DETERMINERS:
            words.pop()
        return " ".join(words)


CONNECTIVE_WORDS = {w for c in CONNECTIVES for w in c.split()}


def _cum(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


# --- the vault as data ----------------------------------------------------------


@dataclass
class Claim:
    index: int
    title: str
    folder: str  # e.g. "domains/health"
    domain: str
    links: list[str] = field(default_factory=list)  # targets of body links, resolved on purpose

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.title}.md"


@dataclass
class Stats:
    links: int = 0  # links written outside code (body + frontmatter + maps)
    resolving: int = 0
    broken: int = 0
    in_code: int = 0
    aliases: int = 0
    headings: int = 0
    frontmatter_refs: int = 0
    broken_kinds: dict[str, int] = field(default_factory=dict)


def plan_domains(n: int) -> list[tuple[str, str]]:
    """(folder, domain) pairs: about one domain per 2,000 claims, at least four."""
    count = max(4, min(len(DOMAIN_WORDS) * 3, n // 2000))
    out = []
    for i in range(count):
        base = DOMAIN_WORDS[i % len(DOMAIN_WORDS)]
        name = base if i < len(DOMAIN_WORDS) else f"{base}-{i // len(DOMAIN_WORDS) + 1}"
        out.append((f"{ROOTS[i % 3]}/{name}", name))
    return out


def make_titles(n: int, words: Words) -> list[str]:
    seen: set[str] = set()
    titles: list[str] = []
    while len(titles) < n:
        t = words.proposition(8, 25)
        k = t.lower()
        if k in seen:
            continue
        seen.add(k)
        titles.append(t)
    return titles


class Breaker:
    """Link targets that resolve to nothing, of the kinds real vaults have."""

    TOPICS = 300  # "coordination mechanisms"-style topics that have no note

    def __init__(self, rng: random.Random, words: Words, keys: set[str]) -> None:
        self.rng = rng
        self.words = words
        self.keys = keys
        self.topics = []
        while len(self.topics) < self.TOPICS:
            t = " ".join(words.phrase()[-2:])
            if t.lower() not in keys:
                self.topics.append(t)

    def make(self, title: str, stats: Stats) -> str:
        rng = self.rng
        for _ in range(20):
            r = rng.random()
            if r < 0.35:
                kind, target = "typo", self._typo(title)
            elif r < 0.6:
                kind, target = "truncated", title[:TRUNCATE_AT].rstrip()
            elif r < 0.85:
                kind, target = "old-title", self._reworded(title)
            else:
                kind, target = "topic", rng.choice(self.topics)
            if target.strip().lower() not in self.keys:
                stats.broken_kinds[kind] = stats.broken_kinds.get(kind, 0) + 1
                return target
        stats.broken_kinds["topic"] = stats.broken_kinds.get("topic", 0) + 1
        return "no such note " + str(rng.randrange(10**9))

    def _typo(self, title: str) -> str:
        rng = self.rng
        chars = list(title)
        i = rng.randrange(1, len(chars) - 1)
        op = rng.random()
        if op < 0.4:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op < 0.7:
            del chars[i]
        else:
            chars.insert(i, rng.choice("aeiourstn"))
        return "".join(chars)

    def _reworded(self, title: str) -> str:
        words = title.split()
        i = self.rng.randrange(len(words))
        words[i] = self.words.content()[0]
        if self.rng.random() < 0.3:
            words = words[: max(6, len(words) - 3)]
        return " ".join(words)


class Writer:
    def __init__(self, rng: random.Random, words: Words, claims: list[Claim], breaker: Breaker, hub: Claim, stats: Stats, broken_rate: float = BROKEN_RATE) -> None:
        self.broken_rate = broken_rate
        self.rng = rng
        self.words = words
        self.claims = claims
        self.breaker = breaker
        self.hub = hub
        self.stats = stats
        self.by_folder: dict[str, list[Claim]] = {}
        for c in claims:
            if c is not hub:
                self.by_folder.setdefault(c.folder, []).append(c)

    def _other(self, me: Claim) -> Claim:
        rng = self.rng
        for _ in range(10):
            if rng.random() < 0.5:
                c = rng.choice(self.by_folder[me.folder])
            else:
                c = self.claims[rng.randrange(len(self.claims))]
            if c is not me and c is not self.hub:
                return c
        return self.by_folder[me.folder][0] if self.by_folder[me.folder][0] is not me else self.by_folder[me.folder][-1]

    def link(self, me: Claim, target: Claim | None = None, decorate: bool = True) -> str:
        rng = self.rng
        st = self.stats
        st.links += 1
        if target is None and rng.random() < self.broken_rate:
            st.broken += 1
            return f"[[{self.breaker.make(self._other(me).title, st)}]]"
        target = target or self._other(me)
        st.resolving += 1
        me.links.append(target.title)
        text = target.title
        if decorate:
            r = rng.random()
            if r < HEADING_RATE:
                st.headings += 1
                text += "#" + rng.choice(HEADINGS)
            elif r < HEADING_RATE + ALIAS_RATE:
                st.aliases += 1
                text += "|" + " ".join(target.title.split()[:4])
        return f"[[{text}]]"

    def sentence(self) -> str:
        s = self.words.proposition(10, 26)
        return s[0].upper() + s[1:] + "."

    def paragraph(self, me: Claim, links: int) -> str:
        parts = [self.sentence() for _ in range(self.rng.randint(3, 5))]
        for _ in range(links):
            i = self.rng.randrange(len(parts))
            lead = self.rng.choice(["Since", "Because", "As", "Given that"])
            parts[i] = f"{lead} {self.link(me)}, {parts[i][0].lower()}{parts[i][1:]}"
        return " ".join(parts)

    def note(self, me: Claim, hub_link: bool, created: str) -> str:
        rng = self.rng
        w = self.words
        st = self.stats
        fm = [
            "---",
            "type: claim",
            f"domain: {me.domain}",
            f"description: {w.proposition(12, 24).capitalize()}",
            f"confidence: {rng.choice(CONFIDENCE)}",
            f'source: "{rng.choice(AUTHORS)}, {w.proposition(4, 8).title()} ({rng.choice(VENUES)})"',
            f"created: {created}",
        ]
        if rng.random() < DEPENDS_RATE:
            fm.append("depends_on:")
            for _ in range(rng.randint(1, 2)):
                target = self._other(me)
                fm.append(f"  - {target.title}")
                st.frontmatter_refs += 1
        if rng.random() < CHALLENGED_RATE:
            fm.append("challenged_by:")
            fm.append(f"  - {self._other(me).title}")
            st.frontmatter_refs += 1
        fm.append("---")
        body_links = [1, 1, 1]
        rng.shuffle(body_links)
        paras = [self.paragraph(me, n) for n in body_links]
        if rng.random() < 0.5:
            paras.append(self.paragraph(me, 0))
        if hub_link:
            paras[-1] += f" This is one instance of {self.link(me, self.hub, decorate=False)}."
        if rng.random() < CODE_LINK_RATE:
            st.in_code += 1
            paras.append(f"Write a link as `[[{self._other(me).title}]]` in a note's body.")
        relevant = [
            f"- {self.link(me, decorate=False)} — {w.proposition(6, 12)}" for _ in range(rng.randint(2, 3))
        ]
        st.links += 1
        st.resolving += 1
        return "\n".join(
            [
                *fm,
                "",
                f"# {me.title}",
                "",
                "\n\n".join(paras),
                "",
                "---",
                "",
                "Relevant Notes:",
                *relevant,
                "",
                "Topics:",
                "- [[_map]]",
                "",
            ]
        )

    def map_note(self, folder: str, domain: str, listed: list[Claim]) -> str:
        lines = [f"# {domain.replace('-', ' ').title()}", "", f"Claims about {domain.replace('-', ' ')}.", ""]
        step = 40
        for i in range(0, len(listed), step):
            lines.append(f"## {' '.join(self.words.phrase()).title()} {i // step + 1}")
            for c in listed[i : i + step]:
                lines.append(f"- [[{c.title}]] — {self.words.proposition(5, 10)}")
                self.stats.links += 1
                self.stats.resolving += 1
            lines.append("")
        return "\n".join(lines)


def generate(
    n: int,
    out: Path,
    seed: int = 1,
    hub_backlinks: int = 1000,
    commit: bool = True,
    broken_rate: float = BROKEN_RATE,
) -> dict[str, object]:
    if n < 20:
        raise SystemExit("--notes: at least 20")
    rng = random.Random(seed)
    words = Words(rng)
    domains = plan_domains(n)
    titles = make_titles(n, words)
    claims = [Claim(i, t, *domains[i % len(domains)]) for i, t in enumerate(titles)]
    hub = claims[0]
    hub_backlinks = min(hub_backlinks, n // 2)
    stats = Stats()
    breaker = Breaker(rng, words, {t.lower() for t in titles} | {"_map"})
    writer = Writer(rng, words, claims, breaker, hub, stats, broken_rate)
    # the hub's map is one of its backlinks: hub_backlinks - 1 claims link to it
    linking_hub = set(rng.sample(range(1, n), hub_backlinks - 1))

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for folder, _ in domains:
        (out / folder).mkdir(parents=True, exist_ok=True)
    mapped: dict[str, list[Claim]] = {}
    for c in claims:
        year = 2024 + c.index % 3
        created = f"{year}-{1 + c.index % 12:02d}-{1 + c.index % 28:02d}"
        text = writer.note(c, c.index in linking_hub, created)
        with open(out / c.path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        if c is hub or rng.random() < MAPPED_RATE:
            mapped.setdefault(c.folder, []).append(c)
    for folder, domain in domains:
        (out / folder / "_map.md").write_text(writer.map_note(folder, domain, mapped.get(folder, [])), encoding="utf-8")
    (out / "README.md").write_text(f"# Synthetic knowledge base\n\n{n} generated claims (seed {seed}).\n", encoding="utf-8")

    ordinary = [c for c in claims[1:] if c.links and c.index not in linking_hub][:50]
    manifest: dict[str, object] = {
        "notes": n + len(domains) + 1,
        "claims": n,
        "maps": len(domains),
        "seed": seed,
        "domains": [d for _, d in domains],
        "hub": {"title": hub.title, "path": hub.path, "backlinks": hub_backlinks},
        "ordinary": [{"title": c.title, "path": c.path} for c in ordinary],
        "links": {
            "written": stats.links,
            "resolving": stats.resolving,
            "broken": stats.broken,
            "broken_kinds": stats.broken_kinds,
            "in_code": stats.in_code,
            "aliases": stats.aliases,
            "headings": stats.headings,
            "frontmatter_refs": stats.frontmatter_refs,
        },
        "rates": {"broken": broken_rate, "alias": ALIAS_RATE, "heading": HEADING_RATE, "mapped": MAPPED_RATE},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if commit:
        git_commit(out)
    return manifest


def git_commit(out: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_AUTHOR_DATE": "2026-03-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-03-01T00:00:00Z",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=out, env=env, check=True, stdout=subprocess.DEVNULL)

    git("init", "-q", "-b", "main")
    git("config", "core.looseCompression", "1")
    (out / ".gitignore").write_text(f"{MANIFEST}\n", encoding="utf-8")
    git("add", "-A")
    git("-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "Synthetic knowledge base")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, required=True, help="number of claims")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hub-backlinks", type=int, default=1000)
    parser.add_argument("--broken-rate", type=float, default=BROKEN_RATE, help="share of body links that resolve to nothing (default %(default)s)")
    parser.add_argument("--no-git", action="store_true", help="skip the git repository")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.notes, args.out, args.seed, args.hub_backlinks, not args.no_git, args.broken_rate)
    took = time.perf_counter() - started
    print(f"wrote {manifest['notes']} notes to {args.out} in {took:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
