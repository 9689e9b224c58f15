"""The review gates a program can decide, as findings (pure: notes and text in, findings out).

The knowledge base's review checklist (OPERATING-MANUAL.md, skills/evaluate.md)
asks of each proposed claim what these answer mechanically:

- the title is a valid file name and reads as a claim (core.titles);
- universal quantifiers in the title ("all", "always", "never", "the only",
  "the fundamental") are flagged for scoping;
- the description adds to the title: the share of its words the title
  already has (`restatement`) stays under a threshold (config
  `review.restatement`, set on the sample: docs/review.md);
- a `likely` or `proven` claim names its counter-evidence in
  `challenged_by` (checklist item 11);
- the body cites a source: a link, a URL, a year or a named author;
- every commit carries a valid `Pentagon-Agent` trailer of an agent the vault
  knows, unless a `review.trailer_exempt` rule (RE2 patterns on the subject
  and author) says whose commits need none;
- a source's `claims_extracted` and enrichments match what the branch adds
  and enriches.

Links, schema and maps are `codex check`'s findings, used as they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from codex_cli.core.check import Finding
from codex_cli.core.note import ERROR, WARNING, Note
from codex_cli.core.text import loose_key

QUANTIFIERS = ("all", "always", "never", "the only", "the fundamental")
_QUANTIFIER = re.compile(r"\b(" + "|".join(q.replace(" ", r"\s+") for q in QUANTIFIERS) + r")\b", re.IGNORECASE)
CONFIDENT = frozenset({"likely", "proven"})
TRAILER = "Pentagon-Agent"
PERSON = "Contributor"  # a person's commit: `Contributor: <name>` (DESIGN.md)
_AGENT = re.compile(r"^(?P<name>[^<>]+?)\s*<(?P<id>[^<>\s]+)>$")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
HEADLESS = "HEADLESS"

# words too common to say anything about a restatement
_COMMON = frozenset("a an the and or of to in on for with by is are be as at from that this it its not but than into".split())
# what counts as a source cited in a claim's argument
_CITED = re.compile(
    r"\[\[[^\]]+\]\]"  # a wiki link (evidence, a source note, another claim)
    r"|\]\([^)]+\)|https?://"  # a markdown link or a URL
    r"|\b(?:19|20)\d\d\b"  # a year (a dated study, report or event)
    r"|\bet al\b|\baccording to\b"
    r"|\b[A-Z][\w.-]+(?:['’]s)?\s+(?:[A-Z][\w.-]+\s+){0,2}"  # a named author or body, then a reporting verb
    r"(?:argue[sd]?|demonstrate[sd]?|identifie[sd]|identify|formali[sz]e[sd]?|found|finds|reports?|reported|shows?|showed"
    r"|writes|wrote|describe[sd]?|told|estimate[sd]?|observe[sd]?|notes|noted|documents|documented|propose[sd]?)\b"
    r"|\b[A-Z][a-z]+['’]s\s+[A-Z]"  # a possessive name: "Henrich's Tasmanian Effect"
    r"|(?<=[a-z,;:] )[A-Z][a-z]+['’]s\b"  # a possessive name inside a sentence: "as Citrini's scenario shows"
    r"|\([A-Z][\w.-]+(?:,?\s+[A-Z][\w.-]+)*\)"  # a parenthetical attribution: "(Citrini)", "(Bloch, Loeber)"
    r"|[\"“][^\"”\n]{24,}[\"”]"  # a quotation
)
_TAIL = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _words(text: str) -> list[str]:
    return [w[:5] for w in loose_key(text).split() if len(w) > 2 and w not in _COMMON]


def restatement(title: str, description: str) -> float:
    """The share of the description's words (5-letter prefixes, common words left out)
    that the title already has: 1.0 says nothing new, 0.0 all new."""
    said = set(_words(title))
    words = _words(description)
    if not words:
        return 1.0 if description.strip() else 0.0
    return sum(1 for w in words if w in said) / len(words)


def quantifiers(title: str) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group(1).lower().split()) for m in _QUANTIFIER.finditer(title)))


def argument(text: str, body_start: int) -> str:
    """A claim's argument: its body up to the `---` before "Relevant Notes"/"Topics"."""
    body = text[body_start:]
    m = _TAIL.search(body)
    return body[: m.start()] if m else body


def cites_a_source(argument_text: str) -> bool:
    return _CITED.search(argument_text) is not None


def claim_findings(note: Note, text: str, threshold: float) -> list[Finding]:
    """The gates on one claim's own content."""
    from codex_cli.core.titles import clean_title, label_warnings
    from codex_cli.errors import InvalidTitle

    path = note.path
    out: list[Finding] = []
    try:
        clean_title(note.title)
    except InvalidTitle as exc:
        out.append(Finding(path, "invalid-title", ERROR, exc.reason))
    for why in label_warnings(note.title):
        out.append(Finding(path, "title-not-a-claim", WARNING, why))
    found = quantifiers(note.title)
    if found:
        shown = ", ".join(f'"{q}"' for q in found)
        out.append(Finding(path, "universal-quantifier", WARNING, f"the title says {shown}: is it true without exception? scope it or argue it"))
    meta = note.meta or {}
    description = note.description
    if description:
        score = restatement(note.title, description)
        if score >= threshold:
            out.append(Finding(path, "description-restates-title", WARNING, f"the description adds little to the title ({score:.2f} of its words are the title's; limit {threshold:.2f})"))
    confidence = meta.get("confidence")
    if confidence in CONFIDENT and not _listed(meta.get("challenged_by")):
        out.append(Finding(path, "unchallenged", WARNING, f"confidence: {confidence} with no challenged_by: name the counter-evidence or counter-claims considered, or say none exists (checklist item 11)"))
    if not cites_a_source(argument(text, note.body_start)):
        out.append(Finding(path, "no-evidence", WARNING, "the body cites no source: no link, URL, year or named author in the argument"))
    return out


def _listed(value: Any) -> bool:
    if isinstance(value, list):
        return any(str(v).strip() for v in value if v is not None)
    return isinstance(value, str) and bool(value.strip())


# the claim gates say one thing per note: the same code before and after is the same finding
ONE_PER_NOTE = frozenset({"unchallenged", "description-restates-title", "no-evidence", "universal-quantifier"})


def new_only(findings: Iterable[Finding], before: Iterable[Finding]) -> list[Finding]:
    """The findings that were not there before the change (line numbers and wording aside)."""

    def identity(f: Finding) -> tuple[str, str]:
        return (f.code, "" if f.code in ONE_PER_NOTE else f.target or f.message)

    seen = {identity(f) for f in before}
    return [f for f in findings if identity(f) not in seen]


# --- commits ----------------------------------------------------------------------

PATTERN_MAX = 200  # characters in a trailer_exempt pattern


@dataclass(frozen=True)
class Exemption:
    """A `review.trailer_exempt` rule: commits it matches need no trailer (why says whose they are)."""

    why: str
    subject: Any = None  # a compiled RE2 pattern, searched in the subject; None: any subject
    author: Any = None  # searched in `Name <email>`; None: any author

    def matches(self, subject: str, author: str) -> bool:
        return (self.subject is None or self.subject.search(subject) is not None) and (
            self.author is None or self.author.search(author) is not None
        )


def compile_pattern(text: str) -> Any:
    """An RE2 pattern: matching takes time linear in the text whatever the pattern
    (the setting comes from a repository, untrusted; Python's `re` can backtrack
    for hours on `(a+)+$`). ValueError says why a pattern is refused."""
    if len(text) > PATTERN_MAX:
        raise ValueError(f"is longer than {PATTERN_MAX} characters")
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 1 << 20  # a pattern whose automaton needs more is refused
    try:
        return re2.compile(text, options)
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        why = why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
        raise ValueError(f"is not a pattern RE2 accepts (no look-around or back-references): {why}") from None


def exemptions(rules: Iterable[Mapping[str, Any]]) -> list[Exemption]:
    """The rules of `review.trailer_exempt` (already validated by config_schema), compiled."""
    out = []
    for i, rule in enumerate(rules):
        subject, author = rule.get("subject"), rule.get("author")
        why = str(rule.get("why") or f"review.trailer_exempt.{i}")
        out.append(Exemption(why, compile_pattern(subject) if subject else None, compile_pattern(author) if author else None))
    return out


def exempt_why(rules: Iterable[Exemption], subject: str, author: str, trailers: Iterable[tuple[str, str]]) -> str | None:
    """Why a commit without a trailer needs none (the first rule it matches); None when it
    has a trailer (a trailer present is always checked) or matches no rule."""
    if _trailer_values(trailers):
        return None
    return next((r.why for r in rules if r.matches(subject, author)), None)


def _trailer_values(trailers: Iterable[tuple[str, str]], key: str = TRAILER) -> list[str]:
    return [v.strip() for k, v in trailers if k.strip().lower() == key.lower()]


def trailer_agent(value: str) -> str | None:
    """The agent a `Pentagon-Agent` value names (`Rio <UUID>` -> `rio`); None when it is not `Name <id>`."""
    m = _AGENT.match(value.strip())
    return m.group("name").strip().lower() if m is not None else None


def trailer_key(template: str) -> str:
    """The trailer a person's commit carries, from `commit.contributor_trailer`
    (`Contributor: {name}` -> `Contributor`)."""
    key = template.split(":", 1)[0].strip() if ":" in template else ""
    return key or PERSON



def commit_findings(
    sha: str,
    subject: str,
    trailers: Iterable[tuple[str, str]],
    parents: int,
    known: Collection[str],
    exempt: str | None = None,
    person: str = PERSON,
) -> list[Finding]:
    """A commit's attribution: one valid `Pentagon-Agent: Name <UUID|HEADLESS>` of a known agent,
    or, for a person's work, a `Contributor: <name>` trailer (`person` names that trailer:
    codex writes it for a commit made without an agent).

    Merge commits are left alone (a forge writes them), and so is a commit
    without a trailer that a `review.trailer_exempt` rule matches (`exempt`,
    from `exempt_why`). `known` holds the agents' names, lower case. An agent's
    trailer, when there is one, is checked even beside a person's.
    """
    if parents > 1:
        return []
    where = f"commit {sha[:10]}"
    trailers = list(trailers)
    values = _trailer_values(trailers)
    if not values and exempt is not None:
        return []
    if not values and any(_trailer_values(trailers, person)):
        return []
    if not values:
        return [Finding(where, "missing-trailer", ERROR, f"{subject!r} has no {TRAILER} trailer (nor {person}: for a person's work)")]
    out = []
    for value in values:
        m = _AGENT.match(value)
        if m is None or not (m.group("id") == HEADLESS or _UUID.match(m.group("id"))):
            out.append(Finding(where, "bad-trailer", ERROR, f"{TRAILER}: {value!r} is not `Name <UUID>` (or `Name <{HEADLESS}>`)"))
        elif trailer_agent(value) not in known:
            out.append(Finding(where, "unknown-agent", ERROR, f"{TRAILER}: {m.group('name')} is not an agent of this vault (agents/ has: {', '.join(sorted(known)) or 'none'})"))
    return out


# --- sources ------------------------------------------------------------------------

EXTRACTED = "claims_extracted"
ENRICHED = ("enrichments", "enrichments_applied")


def entries(meta: Mapping[str, Any] | None, fields: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in fields:
        value = (meta or {}).get(name)
        values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        out.extend(_entry(v) for v in values if isinstance(v, str) and v.strip())
    return out


def _entry(value: str) -> str:
    v = value.strip()
    if v.startswith("[[") and v.endswith("]]"):
        v = v[2:-2].split("|", 1)[0].split("#", 1)[0]
    return v.strip()


def source_findings(
    source: Note,
    before: Note | None,
    resolve: Any,
    added: Collection[str],
    changed: Collection[str],
) -> list[Finding]:
    """What a source changed on the branch newly lists against what the branch does.

    `resolve(title, from_path)` gives a note's path or None; `added` are the
    notes the branch adds, `changed` the notes it adds or modifies.
    """
    out: list[Finding] = []
    for fields, wanted, verb in (((EXTRACTED,), added, "add"), (ENRICHED, changed, "change")):
        old = {loose_key(e) for e in entries(before.meta if before else None, fields)}
        for entry in entries(source.meta, fields):
            if loose_key(entry) in old:
                continue
            path = resolve(entry, source.path)
            field = "/".join(fields)
            if path is None:
                out.append(Finding(source.path, "source-mismatch", ERROR, f"{field} lists {entry!r}, which names no note", target=entry))
            elif path not in wanted:
                out.append(Finding(source.path, "source-mismatch", ERROR, f"{field} lists {path}, which this branch does not {verb}", target=entry))
    return out
