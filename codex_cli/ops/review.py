"""`codex review [RANGE]`: a branch's change, checked and prepared for a reviewer.

1. Read the range from history (adapters.history, GitPython): the merge base
   with the base branch up to HEAD by default; its commits and trailers; the
   notes added, modified, renamed and deleted.
2. Read only what the change needs (ops.review_scope: the listing, the
   scoped check's notes and its one `git grep`), or every note for a change
   of more than SCOPED_UP_TO notes.
3. Check the changed notes with `codex check`'s findings (schema, links,
   maps), and each claim with the review gates (core.review); for a modified
   note, only what the branch introduced (the note at the base is checked
   the same way and its findings left out).
4. Check each commit's `Pentagon-Agent` trailer against the vault's agents
   (a commit without one that the base's `review.trailer_exempt` rules
   match needs none), and each changed source's `claims_extracted` and enrichments against
   what the branch adds and changes.
5. Prepare what a reviewer judges: the most similar existing claims
   (core.matcher.rank), the similar ones of opposite stance or with a
   challenge relation, and the beliefs and positions whose chains reach a
   changed, renamed, retired or deleted note (core.impact).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codex_cli.adapters import history
from codex_cli.core import review as gates
from codex_cli.core.check import Finding, Report, note_part
from codex_cli.core.impact import CLAIM, NOTE, Dependent, Graph, Node
from codex_cli.core.note import ERROR, WARNING, Note, parse_note, title_of
from codex_cli.core.resolve import OK
from codex_cli.ops.impact import role_of
from codex_cli.ops.review_scope import RETIRED, SCOPED_UP_TO, Full, Reader, reader
from codex_cli.vault import Vault

SIMILAR = 3  # possible duplicates shown
NEIGHBOURHOOD = 10  # similar claims looked at for a contradiction


@dataclass
class Similar:
    title: str
    path: str
    score: float
    why: str
    new: bool = False  # added on the same branch

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "path": self.path, "score": self.score, "why": self.why, "new": self.new}


@dataclass
class NoteReview:
    path: str
    change: str  # added, modified, renamed, retired, deleted
    role: str
    old_path: str | None = None
    findings: list[Finding] = field(default_factory=list)
    duplicates: list[Similar] = field(default_factory=list)
    contradictions: list[Similar] = field(default_factory=list)
    cascade: list[Dependent] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "change": self.change, "role": self.role}
        if self.old_path:
            doc["old_path"] = self.old_path
        doc["findings"] = [f.as_dict() for f in self.findings]
        doc["duplicates"] = [s.as_dict() for s in self.duplicates]
        doc["contradictions"] = [s.as_dict() for s in self.contradictions]
        doc["cascade"] = [d.as_dict() for d in self.cascade]
        return doc


@dataclass
class CommitReview:
    info: history.CommitInfo
    findings: list[Finding]
    exempt: str | None = None  # why it needs no trailer (a review.trailer_exempt rule matched)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha": self.info.sha,
            "subject": self.info.subject,
            "author": self.info.author,
            "trailers": [list(t) for t in self.info.trailers],
            "exempt": self.exempt,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class Review:
    spec: str
    base: str
    head: str
    commits: list[CommitReview]
    notes: list[NoteReview]
    notices: list[str] = field(default_factory=list)  # what the reader should know (uncommitted changes)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.commits for f in c.findings] + [f for n in self.notes for f in n.findings]

    @property
    def exempted(self) -> dict[str, int]:
        """How many commits needed no trailer, by why."""
        out: dict[str, int] = {}
        for c in self.commits:
            if c.exempt is not None:
                out[c.exempt] = out.get(c.exempt, 0) + 1
        return out

    @property
    def errors(self) -> int:
        return Report(findings=self.findings).errors

    @property
    def warnings(self) -> int:
        return Report(findings=self.findings).warnings

    def as_dict(self) -> dict[str, Any]:
        return {
            "range": self.spec,
            "base": self.base,
            "head": self.head,
            "errors": self.errors,
            "warnings": self.warnings,
            "exempted": [{"why": why, "commits": n} for why, n in self.exempted.items()],
            "commits": [c.as_dict() for c in self.commits],
            "notes": [n.as_dict() for n in self.notes],
            "notices": self.notices,
        }


def review(vault: Vault, spec: str | None = None, base: str | None = None, *, judge: bool = True, scoped: bool = True) -> Review:
    """The review of a range; `scoped=False` loads every note whatever the change (the reference
    the scoped reading is tested against, ops.review_scope)."""
    rng = history.open_range(vault.root, spec, [base] if base else vault.config.base_branches)
    paths = _listing(vault) if scoped and len(rng.changes) <= SCOPED_UP_TO else None
    changes = _vault_changes(vault, rng, _is_note(vault, paths))
    read = reader(vault, changes, paths)
    reviews: list[NoteReview] = []
    added = {c.path for c in changes if c.kind == history.ADDED}
    changed = {c.path for c in changes if c.kind != history.DELETED}
    deleted = [c.path for c in changes if c.kind == history.DELETED]
    threshold = restatement_threshold(vault)
    gated = read.gates(sorted(p for p in changed if read.note(p) is not None), threshold)
    prefix = _prefix(vault, rng)
    role = role_of(vault)
    followed: list[str] = []
    for c in changes:
        if c.kind == history.DELETED:
            reviews.append(NoteReview(c.path, history.DELETED, NOTE))
            continue
        note = read.note(c.path)
        if note is None:
            continue
        at_base = _note_at_base(vault, rng, prefix + (c.old_path or c.path), c.old_path or c.path) if c.kind != history.ADDED else None
        before = at_base[0] if at_base is not None else None
        kind = c.kind
        if kind == history.MODIFIED and note.retired and not (before is not None and before.retired):
            kind = RETIRED
        item = NoteReview(c.path, kind, role(note), c.old_path)
        found = list(gated.get(c.path, []))
        if kind in (history.MODIFIED, RETIRED):  # a map lists it or not as before: the maps' change says
            found = [f for f in found if f.code != "unmapped"]
        if at_base is not None:
            found = gates.new_only(found, _findings_of(vault, read, *at_base, threshold))
        if note.type == "source":
            found += gates.source_findings(note, before, _resolve_path(read, note, before), added, changed)
        item.findings = sorted(found, key=lambda f: (f.severity != ERROR, f.line or 0, f.code))
        if kind != history.ADDED:
            followed.append(c.path)
        reviews.append(item)
    if followed or deleted:
        graph = read.graph(deleted, followed + deleted)
        for item in reviews:
            if item.change == history.DELETED:
                _deleted(item, graph)
            elif item.path in followed:
                item.cascade = graph.impact(item.path).cascade
    _unlisted_claims(reviews, read, added)
    if judge:
        _judge(vault, read, reviews, added)
    known = known_agents(vault)
    rules, person, notices = trailer_rules(vault, rng)
    commits = []
    for info in rng.commits:
        exempt = gates.exempt_why(rules, info.subject, info.author, info.trailers) if info.parents <= 1 else None
        found = gates.commit_findings(info.sha, info.subject, info.trailers, info.parents, known, exempt, person=person)
        commits.append(CommitReview(info, found, exempt))
    return Review(rng.spec, rng.base, rng.head, commits, reviews, notices + _uncommitted(vault, rng, changes))


def _is_note(vault: Vault, paths: list[str] | None) -> Callable[[str], bool]:
    """Whether a path is a note now: in the listing (`paths`) and on disk, or found by the walk."""
    if paths is None:
        return vault.paths().__contains__
    from codex_cli.adapters import listing

    known, exists = set(paths), listing.on_disk(vault.root)
    return lambda path: path in known and exists(path)


def _listing(vault: Vault) -> list[str]:
    """Every note's path, as `check --changed` lists them (git's index and untracked files)."""
    from codex_cli.adapters import listing

    return listing.notes(vault.root, vault.config.ignore).paths


EXEMPT_KEY = "trailer_exempt"


def trailer_rules(vault: Vault, rng: history.Range) -> tuple[list[gates.Exemption], str, list[str]]:
    """The `review.trailer_exempt` rules and the person's trailer (`commit.contributor_trailer`'s
    key) of the base's `.codex.yaml` (the defaults when it has none): the branch under review
    cannot exempt its own commits. A notice when the branch changes them."""
    from codex_cli import config as configuration
    from codex_cli.errors import ConfigError

    text = rng.text_at_base(_prefix(vault, rng) + configuration.CONFIG_FILE)
    try:
        data = configuration.settings_in(text) if text is not None else configuration.DEFAULTS
    except ConfigError as exc:
        raise ConfigError(f"at the base ({rng.base[:10]}): {exc.message}") from None
    rules = list((data.get("review") or {}).get(EXEMPT_KEY) or [])
    person = gates.trailer_key(str((data.get("commit") or {}).get("contributor_trailer") or ""))
    notices = []
    if rules != list(vault.config.review.get(EXEMPT_KEY) or []):
        notices.append(f"the branch changes review.{EXEMPT_KEY}: its commits are reviewed with the base's rules until it is merged")
    return gates.exemptions(rules), person, notices
def _uncommitted(vault: Vault, rng: history.Range, changes: list[history.Change]) -> list[str]:
    """A notice when changed notes differ from HEAD: the review reads the work tree."""
    from codex_cli.adapters.git import Repository

    repo = Repository.find(vault.root)
    if repo is None or not changes:
        return []
    prefix = _prefix(vault, rng)
    dirty = repo.dirty([prefix + c.path for c in changes])
    if not dirty:
        return []
    shown = ", ".join(d[len(prefix) :] for d in dirty[:3]) + (", …" if len(dirty) > 3 else "")
    return [f"{len(dirty)} changed note{'s have' if len(dirty) != 1 else ' has'} uncommitted changes ({shown}): the review reads the work tree, not HEAD"]


def known_agents(vault: Vault) -> set[str]:
    """The agents a trailer may name, lower case: adapters.identity's (the folders under
    `review.agents_folder`, the configured agents), and the configured agents' display names."""
    from codex_cli.adapters.identity import known_agents as handles

    known = set(handles(vault.root, vault.config) or ())
    for spec in (vault.config.data.get("agents") or {}).values():
        if isinstance(spec, dict) and spec.get("name"):
            known.add(str(spec["name"]).lower())
    return known


# --- what changed, in the vault ----------------------------------------------------------


def _prefix(vault: Vault, rng: history.Range) -> str:
    inside = vault.root.resolve().relative_to(rng.top.resolve()).as_posix()
    return "" if inside == "." else inside + "/"


def _vault_changes(vault: Vault, rng: history.Range, is_note: Callable[[str], bool]) -> list[history.Change]:
    """The range's changes to notes, with vault-relative paths (a rename out of the vault, or a note gone from the work tree, is a deletion)."""
    prefix = _prefix(vault, rng)

    def note_path(path: str | None) -> str | None:
        if path is None or not path.startswith(prefix) or not path.endswith(".md"):
            return None
        rel = path[len(prefix) :]
        if any(part.startswith(".") for part in rel.split("/")) or vault.config.is_ignored(rel):
            return None
        return rel

    out = []
    for c in rng.changes:
        new, old = note_path(c.path), note_path(c.old_path)
        if c.kind == history.DELETED:
            if new is not None:
                out.append(history.Change(history.DELETED, new))
        elif new is None or not is_note(new):
            if old is not None:  # renamed out of the vault (or no longer a note)
                out.append(history.Change(history.DELETED, old))
        elif c.kind == history.RENAMED and old is None:
            out.append(history.Change(history.ADDED, new))
        else:
            out.append(history.Change(c.kind, new, old))
    return out


def _note_at_base(vault: Vault, rng: history.Range, repo_path: str, path: str) -> tuple[Note, str] | None:
    """The note as it was at the base, and its text."""
    text = rng.text_at_base(repo_path)
    if text is None:
        return None
    return parse_note(path, text.encode("utf-8", "surrogateescape"), vault.context()), text


# --- gates ---------------------------------------------------------------------------------


def restatement_threshold(vault: Vault) -> float:
    return float(vault.config.review.get("restatement") or 0.8)


def gate_findings(vault: Vault, paths: list[str], threshold: float | None = None) -> dict[str, list[Finding]]:
    """The gates on these notes as they are: `codex check`'s findings, and the
    claim gates for the claims that are not retired (benchmarks/review_fp.py measures them)."""
    return Full(vault).gates(paths, restatement_threshold(vault) if threshold is None else threshold)


def _findings_of(vault: Vault, read: Reader, before: Note, text: str, threshold: float) -> list[Finding]:
    """What check and the gates said of a note's text at the base (against today's vault)."""
    config = vault.config
    map_text = text if config.is_map(before.path) else None
    part = note_part(before, read.index([before]), frozenset(config.claim_types), config.is_map, map_text)
    found = [Finding(*t) for t in part.findings]
    if before.type in config.claim_types:
        found += gates.claim_findings(before, text, threshold)
    return found


def _resolve_path(read: Reader, *sources: Note | None) -> Any:
    """`resolve(title, from_path)`: the path a source's entry names, or None."""
    targets = [e for s in sources if s is not None for e in gates.entries(s.meta, (gates.EXTRACTED, *gates.ENRICHED))]
    resolver = read.index([], targets)

    def resolve(title: str, source: str) -> str | None:
        res = resolver.resolve(title, source)
        return res.note.path if res.status == OK and res.note is not None else None

    return resolve


def _unlisted_claims(reviews: list[NoteReview], read: Reader, added: set[str]) -> None:
    """When the branch changes sources (an extraction), every claim it adds should be in one's claims_extracted."""
    sources = [n for r in reviews if r.change != history.DELETED and (n := read.note(r.path)) is not None and n.type == "source"]
    if not sources:
        return
    listed: set[str] = set()
    for s in sources:
        listed.update(_key(e) for e in gates.entries(s.meta, (gates.EXTRACTED,)))
    for r in reviews:
        if r.path in added and r.role == CLAIM and _key(title_of(r.path)) not in listed and _key(r.path) not in listed:
            r.findings.append(Finding(r.path, "source-mismatch", WARNING, "the branch changes sources, but none lists this claim in claims_extracted"))


def _key(text: str) -> str:
    from codex_cli.core.resolve import target_key

    return target_key(text)


def _deleted(item: NoteReview, graph: Graph) -> None:
    found = graph.impact(item.path)
    item.role = graph.role_of(Node(item.path))
    live = [d for d in found.direct if not d.ambiguous]
    if live:
        shown = "; ".join(d.node.label for d in live[:5]) + ("; …" if len(live) > 5 else "")
        item.findings.append(Finding(item.path, "deleted-but-linked", ERROR, f"deleted while {len(live)} note{'s' if len(live) != 1 else ''} still refer to it: {shown} (retire it instead: codex retire)"))
    item.cascade = found.cascade


# --- what a reviewer judges, prepared ---------------------------------------------------------

# a negated verb; the knowledge base's contrastive "A is X not Y" titles are not a stance
_NEGATION = re.compile(
    r"\b(?:(?:is|are|was|were|do|does|did|will|would|can|could|should|has|have|had|may|might|must)\s+not|cannot|can't|won't|doesn't|don't|"
    r"isn't|aren't|never|fails?\s+to|no\s+longer|neither)\b",
    re.IGNORECASE,
)


def opposite_stance(a: str, b: str) -> bool:
    """Whether one title negates a verb and the other does not (a cheap sign of opposite stance)."""
    return bool(_NEGATION.search(a)) != bool(_NEGATION.search(b))


def _judge(vault: Vault, read: Reader, reviews: list[NoteReview], added: set[str]) -> None:
    """The similar claims of each added, renamed or modified claim, from `link --suggest`'s ranker
    (ops.link.propose: the search index, or on a large vault's first run one `git grep` pass
    while the index is built in the background), and their challenge relations."""
    from codex_cli.core.matcher import draft_of
    from codex_cli.ops.link import propose

    judged: list[tuple[NoteReview, Note, list[Similar]]] = []
    for r in reviews:
        if r.role != CLAIM or r.change not in (history.ADDED, history.RENAMED, history.MODIFIED):
            continue
        note = read.note(r.path)
        assert note is not None
        ranked = propose(vault, draft_of(vault, note), limit=NEIGHBOURHOOD)
        judged.append((r, note, [Similar(s.title, s.path, s.score, s.why, s.path in added) for s in ranked]))
    if not judged:
        return
    challenged = read.challenges({s.path for _, _, similar in judged for s in similar})
    for r, note, similar in judged:
        if r.change != history.MODIFIED:
            r.duplicates = similar[:SIMILAR]
        contra = []
        for s in similar:
            reasons = []
            if opposite_stance(note.title, s.title):
                reasons.append("opposite stance (one title negates)")
            if s.path in challenged:
                reasons.append(challenged[s.path])
            if reasons:
                contra.append(Similar(s.title, s.path, s.score, "; ".join(reasons) + f" — {s.why}", s.new))
        r.contradictions = contra[:SIMILAR]
