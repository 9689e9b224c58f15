"""Rank existing notes by relevance to a note or a draft.

Public contract (other commands call it): `rank(vault, draft, limit, types)`
returns `Suggestion`s, best first, never the draft's own note nor a note it
already links to. This first version scores titles only (rapidfuzz).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codex_cli.core.resolve import target_key
from codex_cli.core.text import loose_key

if TYPE_CHECKING:
    from codex_cli.vault import Vault


@dataclass(frozen=True)
class Draft:
    """What to find related notes for: a note being written, or an existing one."""

    title: str
    description: str = ""
    body: str = ""
    path: str | None = None  # an existing note to leave out of the results
    links: frozenset[str] = field(default_factory=frozenset)  # targets it already links to


@dataclass(frozen=True)
class Suggestion:
    title: str
    path: str
    score: float
    why: str


def rank(vault: Vault, draft: Draft, limit: int = 10, types: Iterable[str] | None = None) -> list[Suggestion]:
    """The `limit` notes of the given types (default: claim types) most related to `draft`."""
    from rapidfuzz import fuzz, process

    wanted = frozenset(types) if types is not None else vault.config.claim_types
    excluded = _excluded(vault, draft)
    candidates = [n for n in vault.notes.values() if n.type in wanted and n.path not in excluded]
    query = loose_key(f"{draft.title} {draft.description}")
    if not candidates or not query or limit <= 0:
        return []
    choices = {i: loose_key(n.title) for i, n in enumerate(candidates)}
    found = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=limit)
    out = []
    for _, score, i in found:
        note = candidates[i]
        shared = sorted(set(query.split()) & set(choices[i].split()), key=len, reverse=True)[:4]
        why = "title shares: " + ", ".join(shared) if shared else "similar title"
        out.append(Suggestion(note.title, note.path, round(score / 100.0, 4), why))
    return out


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
