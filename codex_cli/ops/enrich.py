"""`codex enrich CLAIM --source SOURCE --evidence TEXT`: new evidence for an existing claim.

The steps, in order (nothing is written before the last):

1. find the claim and the source (ops.source.find_source);
2. `plan_enrichment`: the evidence goes where the knowledge base puts it — a
   `### Additional Evidence (extend|confirm|challenge)` section with a
   `*Source: [[source-stem]] | Added: DATE | Extractor: WHO*` line, just
   before the `---` that opens `Relevant Notes:` / `Topics:` (at the end of
   the body when there is none); `last_evaluated` is set to today, and
   `--confidence` (with `--reason`, written under the evidence) replaces
   the claim's confidence;
3. the source records the claim under `enrichments` (core.fields);
4. one Plan, landed by ops.commit.land. `codex extract` calls step 2 and 3
   for each enrichment of its plan, into its one Plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from codex_cli.core import frontmatter
from codex_cli.core.fields import flow_list, set_fields
from codex_cli.core.note import Note, decode
from codex_cli.core.plan import Plan
from codex_cli.errors import Refused, UsageError
from codex_cli.ops.commit import CommitOptions, Message
from codex_cli.vault import Vault

KINDS = ("extend", "confirm", "challenge")
ENRICHMENTS_FIELD = "enrichments"
_SEPARATOR = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_TAIL = re.compile(r"^(Relevant Notes|Topics)\s*:", re.MULTILINE | re.IGNORECASE)


def evidence_section(source_stem: str, evidence: str, kind: str, extractor: str, today: str, confidence: str | None, reason: str | None, nl: str = "\n") -> str:
    """The text of one evidence section, as the real knowledge base writes it."""
    lines = [
        f"### Additional Evidence ({kind})",
        f"*Source: [[{source_stem}]] | Added: {today} | Extractor: {extractor}*",
        "",
        evidence.strip("\n"),
    ]
    if confidence:
        lines += ["", f"*Confidence: {confidence} — {' '.join((reason or '').split())}*"]
    return nl.join(lines) + nl


def insertion_point(text: str, body_start: int) -> int:
    """Before the last `---` line that is followed by `Relevant Notes:` or `Topics:`; else the end."""
    at = len(text)
    for m in _SEPARATOR.finditer(text, body_start):
        if _TAIL.search(text, m.end()) is not None:
            at = m.start()
            break
    return at


def plan_enrichment(
    vault: Vault,
    plan: Plan,
    note: Note,
    source_stem: str,
    evidence: str,
    *,
    kind: str = "extend",
    extractor: str,
    confidence: str | None = None,
    reason: str | None = None,
    today: str | None = None,
) -> None:
    """Add the evidence section and the frontmatter changes of one enrichment to `plan`."""
    from codex_cli.adapters import fs

    if kind not in KINDS:
        raise UsageError(f"--kind {kind!r} is not one of: {', '.join(KINDS)}")
    if not evidence.strip():
        raise UsageError("the evidence is empty")
    if confidence and not (reason or "").strip():
        raise UsageError("--confidence needs --reason: say why the confidence changes")
    if note.path in plan.changes:
        raise Refused(f"{note.path} is enriched twice by this plan: put both pieces of evidence in one")
    today = today or date.today().isoformat()
    raw = fs.read_bytes(vault.root, note.path)
    text, _ = decode(raw)
    block = frontmatter.locate(text)
    body_start = block.body_start if block is not None and block.closed else 0
    nl = "\r\n" if "\r\n" in text else "\n"
    at = insertion_point(text, body_start)
    section = evidence_section(source_stem, evidence, kind, extractor, today, confidence, reason, nl)
    if at == len(text):
        before = text if text.endswith("\n") else text + nl
        plan.edit(note.path, raw, len(text), len(text), before[len(text):] + nl + section)
    else:
        plan.edit(note.path, raw, at, at, nl + section + nl)
    lines = {"last_evaluated": f"last_evaluated: {today}"}
    if confidence:
        lines["confidence"] = f"confidence: {confidence}"
    for edit in set_fields(text, lines):
        plan.edit(note.path, raw, edit.start, edit.end, edit.new)


def merged_list(meta: dict[str, Any], name: str, new: list[str]) -> list[str]:
    """A frontmatter list with `new` added once each (existing values first)."""
    old = meta.get(name)
    values = [str(v) for v in old] if isinstance(old, list) else ([str(old)] if old else [])
    return list(dict.fromkeys(values + new))


def not_a_claim(vault: Vault, note: Note) -> str:
    """Why a note is not enriched; a note filed where claims are (a type the vault uses for claim-like notes, say
    `analysis`) says how to count its type as a claim."""
    why = f"is not a claim (type: {note.type or 'none'})"
    folder = str((vault.config.types.get("claim") or {}).get("folder") or "domains/{domain}").split("{", 1)[0].rstrip("/")
    if note.type and folder and note.path.startswith(folder + "/") and not vault.config.is_map(note.path):
        why += f"; to enrich {note.type} notes, list the type in .codex.yaml: claim_types: [{', '.join(sorted(vault.config.claim_types))}, {note.type}]"
    return why


def find_claim(vault: Vault, query: str) -> Note:
    note = vault.find_note(query)
    if note.type not in vault.config.claim_types:
        raise Refused(f"{note.path} {not_a_claim(vault, note)}: only claims are enriched")
    return note


@dataclass
class Enriched:
    claim: str
    source: str
    branch: str | None = None
    commit: str | None = None
    previous_branch: str | None = None
    files: list[str] = field(default_factory=list)
    diff: str = ""
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "diff"}


def enrich(
    vault: Vault,
    claim: str,
    source: str,
    evidence: str,
    options: CommitOptions,
    *,
    kind: str = "extend",
    confidence: str | None = None,
    reason: str | None = None,
    extractor: str | None = None,
    dry_run: bool = False,
) -> Enriched:
    from codex_cli.adapters import fs
    from codex_cli.ops.commit import author_for, land
    from codex_cli.ops.source import find_source, stem

    note = find_claim(vault, claim)
    src = find_source(vault, source)
    author = author_for(vault, options)
    if confidence is not None:
        allowed = ((vault.config.types.get(note.type or "") or {}).get("fields") or {}).get("confidence", {}).get("enum") or []
        if allowed and confidence not in allowed:
            raise UsageError(f"--confidence {confidence!r} is not one of: {', '.join(map(str, allowed))}")
    plan = Plan()
    plan_enrichment(vault, plan, note, stem(src), evidence, kind=kind, extractor=extractor or author.handle, confidence=confidence, reason=reason)
    raw = fs.read_bytes(vault.root, src.path)
    text, _ = decode(raw)
    from codex_cli.ops.new import link_target

    listed = merged_list(src.meta or {}, ENRICHMENTS_FIELD, [link_target(vault, note.path, src.path)])
    for edit in set_fields(text, {ENRICHMENTS_FIELD: f"{ENRICHMENTS_FIELD}: {flow_list(listed)}"}):
        plan.edit(src.path, raw, edit.start, edit.end, edit.new)
    result = Enriched(note.path, src.path, diff=plan.diff(), dry_run=dry_run, files=plan.paths_touched())
    if dry_run:
        return result
    msg = Message(
        action=f"enrich {note.title[:60]}",
        what=f"{kind} evidence from {src.path}" + (f"; confidence {confidence}" if confidence else ""),
        why=reason or f"new evidence from {stem(src)}",
        connections=f"[[{note.title}]]",
    )
    landed = land(vault, plan, msg, options, branch_hint=f"enrich {note.title}")
    result.branch, result.commit, result.previous_branch = landed.branch, landed.commit, landed.previous_branch
    return result
