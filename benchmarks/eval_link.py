"""Recall@10 of `codex link --suggest` on a real knowledge base, next to baselines.

Protocol (issue 4): take every claim with at least 3 links to other claims;
in a copy, remove its links (every `[[...]]` in the body, and the tail from
`Relevant Notes:` / `Topics:` on); ask each ranker for 10 claims; count how
many of the removed targets come back. The matcher runs through its public
API (`core.matcher.rank`) on a copy of the vault in a temporary folder, in
which each claim in turn is rewritten without its links and then restored
(so its index entry is refreshed like after any edit). The baselines rank
the same stripped text in memory.

The claims are split once, deterministically (sha1 of the path), into a dev
part used while tuning and a held-out part that is only reported:

    .venv/bin/python benchmarks/eval_link.py ../shared/sample-codex            # dev only
    .venv/bin/python benchmarks/eval_link.py ../shared/sample-codex --held-out # both parts
    .venv/bin/python benchmarks/eval_link.py ../shared/sample-codex --held-out --cold  # and the cold ranker
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from codex_cli.core import matcher
from codex_cli.core.links import LINK
from codex_cli.core.note import Note, encode
from codex_cli.core.text import loose_key
from codex_cli.vault import Vault

K = 10
MIN_LINKS = 3
_TAIL = re.compile(r"^(?:---[ \t]*\r?\n\s*)?(?:Relevant Notes|Topics)\s*:", re.MULTILINE)


def part_of(path: str) -> str:
    """'dev' or 'held-out', fixed by the path alone (decided before any tuning)."""
    return "dev" if int(hashlib.sha1(path.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0 else "held-out"


def strip_links(body: str) -> str:
    m = _TAIL.search(body)
    if m is not None:
        body = body[: m.start()]
    return LINK.sub("", body)


def gold_targets(vault: Vault, note: Note, claims: set[str]) -> set[str]:
    """Claims the note links to in its body (not those its frontmatter already names)."""
    fm_targets: set[str] = set()
    body_targets: set[str] = set()
    for link in note.links:
        res = vault.resolver.resolve(link.target, note.path)
        if res.note is None or res.note.path not in claims or res.note.path == note.path:
            continue
        (fm_targets if link.field else body_targets).add(res.note.path)
    return body_targets - fm_targets


Ranker = Callable[[Note, matcher.Draft], list[str]]


def tfidf_ranker(docs: dict[str, str], plain: bool) -> Callable[[str, str], list[str]]:
    """A textbook TF-IDF cosine ranker over `docs` (path -> text)."""
    word = re.compile(r"[a-z0-9]{2,}")

    def terms(text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in word.findall(text.lower()):
            out[w] = out.get(w, 0) + 1
        return out

    tf = {p: terms(t) for p, t in docs.items()}
    df: dict[str, int] = {}
    for counts in tf.values():
        for w in counts:
            df[w] = df.get(w, 0) + 1
    n = len(docs)
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}

    def vec(counts: dict[str, int]) -> dict[str, float]:
        v = {w: c * idf.get(w, math.log(1 + n) + 1) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    vecs = {p: vec(c) for p, c in tf.items()}

    def rank(query: str, skip: str) -> list[str]:
        q = vec(terms(query))
        scored = [(sum(q[w] * dv.get(w, 0.0) for w in q), p) for p, dv in vecs.items() if p != skip]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [p for _, p in scored[:K]]

    del plain
    return rank


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vault", type=Path)
    ap.add_argument("--held-out", action="store_true", help="also report the held-out part")
    ap.add_argument("--cold", action="store_true", help="also evaluate the cold ranker (git grep, used while there is no index)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    vault = Vault.open(args.vault)
    notes = vault.notes
    claim_types = vault.config.claim_types
    claims = {p for p, n in notes.items() if n.type in claim_types}
    texts = {p: vault.read_text(p) for p in notes}
    cases = []
    for path in sorted(claims):
        gold = gold_targets(vault, notes[path], claims)
        if len(gold) >= MIN_LINKS:
            cases.append((path, gold))
    parts = ["dev", "held-out"] if args.held_out else ["dev"]

    work = Path(tempfile.mkdtemp(prefix="codex-eval-"))
    shutil.copytree(args.vault, work / "vault", ignore=shutil.ignore_patterns(".git"))
    os.environ["CODEX_CACHE_DIR"] = str(work / "cache")

    claim_titles = {p: notes[p].title for p in claims}
    title_docs = tfidf_ranker(claim_titles, plain=True)
    stripped_claims = {p: f"{notes[p].title}\n{notes[p].description}\n{strip_links(texts[p][notes[p].body_start:])}" for p in claims}
    full_docs = tfidf_ranker(stripped_claims, plain=True)

    def fuzzy_title(note: Note, draft: matcher.Draft) -> list[str]:
        from rapidfuzz import fuzz, process

        choices = {p: loose_key(t) for p, t in claim_titles.items() if p != note.path}
        found = process.extract(loose_key(draft.title), choices, scorer=fuzz.token_set_ratio, limit=K)
        return [p for _, _, p in found]

    def tfidf_title(note: Note, draft: matcher.Draft) -> list[str]:
        return title_docs(draft.title, note.path)

    def tfidf_full(note: Note, draft: matcher.Draft) -> list[str]:
        return full_docs(f"{draft.title}\n{draft.description}\n{draft.body}", note.path)

    def codex(note: Note, draft: matcher.Draft) -> list[str]:
        path = work / "vault" / note.path
        original = path.read_bytes()
        path.write_bytes(encode(texts[note.path][: note.body_start] + draft.body))
        try:
            return [s.path for s in matcher.rank(Vault.open(work / "vault"), draft, K)]
        finally:
            path.write_bytes(original)

    def codex_cold(note: Note, draft: matcher.Draft) -> list[str]:
        from codex_cli.adapters import grep_rank

        path = work / "vault" / note.path
        original = path.read_bytes()
        path.write_bytes(encode(texts[note.path][: note.body_start] + draft.body))
        try:
            return [s.path for s in grep_rank.rank(Vault.open(work / "vault"), draft, K)]
        finally:
            path.write_bytes(original)

    if args.cold:  # git grep needs a repository: commit the copy once
        import subprocess

        for cmd in (["init", "-q"], ["add", "-A"], ["-c", "user.name=eval", "-c", "user.email=eval@example.org", "commit", "-q", "-m", "copy"]):
            subprocess.run(["git", "-C", str(work / "vault"), *cmd], check=True)

    rankers: dict[str, Ranker] = {
        "fuzzy title": fuzzy_title,
        "tf-idf title": tfidf_title,
        "tf-idf full text": tfidf_full,
        "codex matcher": codex,
    }
    if args.cold:
        rankers["codex cold (git grep)"] = codex_cold
    results: dict[str, dict[str, float | int]] = {}
    started = time.perf_counter()
    for part in parts:
        chosen = [(p, g) for p, g in cases if part_of(p) == part]
        for name, ranker in rankers.items():
            found = total = 0
            per_note = 0.0
            for path, gold in chosen:
                note = notes[path]
                body = strip_links(texts[path][note.body_start :])
                draft = matcher.Draft(note.title, note.description, body, path=path, links=frozenset(), domain=note.domain)
                got = set(ranker(note, draft)[:K])
                hits = len(got & gold)
                found += hits
                total += len(gold)
                per_note += hits / len(gold)
            results[f"{part}/{name}"] = {
                "claims": len(chosen),
                "targets": total,
                "recall@10": round(found / total, 3) if total else 0.0,
                "macro_recall@10": round(per_note / len(chosen), 3) if chosen else 0.0,
            }
    elapsed = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"k": K, "results": results, "seconds": round(elapsed, 1)}, indent=2))
        return 0
    print(f"{len(cases)} claims with >= {MIN_LINKS} links to other claims; recall@{K} (micro / macro)")
    for key, r in results.items():
        print(f"  {key:<28} {r['recall@10']:.3f} / {r['macro_recall@10']:.3f}   ({r['claims']} claims, {r['targets']} targets)")
    print(f"({elapsed:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
