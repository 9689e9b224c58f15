"""`codex impact NOTE`: everything that depends on a note, with the chain to each.

1. Load every note (from the cache where unchanged) and the one resolver.
2. Read the belief files (config `belief_files`) for their sections.
3. Reverse every reference (core.impact.Graph) and walk back from the note:
   what refers to it, and on through beliefs, positions and `depends_on`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from codex_cli.core.impact import (
    BELIEF,
    CLAIM,
    MAP,
    NOTE,
    POSITION,
    SOURCE,
    Graph,
    Impact,
    sections,
)
from codex_cli.core.note import Note
from codex_cli.core.resolve import Resolver
from codex_cli.vault import Vault


def role_of(vault: Vault) -> Callable[[Note], str]:
    config = vault.config
    claims = config.claim_types

    def role(note: Note) -> str:
        if config.is_map(note.path):
            return MAP
        if note.type in claims:
            return CLAIM
        if note.type == "belief" or config.is_belief_file(note.path):
            return BELIEF
        if note.type == "position":
            return POSITION
        if note.type == "source":
            return SOURCE
        return NOTE

    return role


def graph(vault: Vault, resolver: Resolver[Any] | None = None) -> Graph:
    """The vault's references, reversed (built once per command); `resolver` replaces the vault's."""
    notes = vault.notes
    return Graph(notes, resolver if resolver is not None else vault.resolver, role_of(vault), belief_sections(vault, notes))


def belief_sections(vault: Vault, paths: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """The sections of each belief file (config `belief_files`) among `paths`, in their order."""
    out = {}
    for path in paths:
        if vault.config.is_belief_file(path):
            try:
                out[path] = sections(vault.read_text(path))
            except OSError:
                continue
    return out


def impact(vault: Vault, path: str) -> Impact:
    return graph(vault).impact(path)
