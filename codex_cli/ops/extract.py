"""`codex extract SOURCE`: one extraction — claims, entities and enrichments from one source — in one commit.

The steps, in order; nothing is written before the last:

1. the source (ops.source.find_source): it must be unprocessed or processing;
2. the extraction plan: from `--plan FILE|-` (core.extract_plan reads it and
   checks its shape), or, at a terminal, asked item by item with the
   questions of `codex new` (ops.new_form; see ops.extract_form);
3. every check against the vault, into the same list of problems: titles
   that exist, links and `depends_on`/`challenged_by` that resolve (to a
   note, or to a claim of the same plan), the claims to enrich; if any
   problem is found, all of them are reported (exit 3) and nothing is written;
4. one Plan: each new claim from the claim template (ops.new.context), its
   map entry (core.maps.add_entries, one edit per map), each entity, each
   enrichment (ops.enrich.plan_enrichment), and the source's frontmatter:
   `status: processed`, `processed_by`, `processed_date`,
   `claims_extracted`, `enrichments`;
5. landed once by ops.commit.land on `extract/<source-stem>` with the
   subject `<agent>: extract from <file>` and `- Source:` / `- Domain:` /
   `- Extracted by:` lines.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from codex_cli.core.extract_plan import (
    Document,
    Limits,
    Problem,
    check_shape,
    items,
    links_of,
    read_plan,
)
from codex_cli.core.fields import flow_list, set_fields
from codex_cli.core.note import Note, decode
from codex_cli.core.plan import Plan
from codex_cli.core.titles import Title, same_title
from codex_cli.errors import Refused, UsageError
from codex_cli.ops.commit import CommitOptions, Message
from codex_cli.vault import Vault

CLAIMS_FIELD = "claims_extracted"


class PlanRejected(Refused):
    """The plan has problems: every one is listed; nothing was written (exit 3)."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(f"{name}: {n} problem{'s' if n != 1 else ''}; nothing was written")
        self.output = "\n".join(p.render(name) for p in problems)


@dataclass
class ExtractRequest:
    source: str
    plan_file: str | None = None  # a path, or `-` for standard input
    extracted_by: str | None = None
    no_map: bool = False
    dry_run: bool = False
    yes: bool = False
    options: CommitOptions = field(default_factory=CommitOptions)


@dataclass
class Extracted:
    source: str
    claims: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    enrichments: list[str] = field(default_factory=list)
    maps: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)  # accepted: {from: new note, to: target, relation}
    proposals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # asked at a terminal: proposed, by claim
    branch: str | None = None
    previous_branch: str | None = None
    commit: str | None = None
    message: str | None = None
    files: list[str] = field(default_factory=list)
    diff: str = ""
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "diff"}
        if self.dry_run:
            out["diff"] = self.diff
        return out


def read_document(plan_file: str) -> tuple[str, Document]:
    """The plan's display name and its parsed document; an unreadable plan is one problem."""
    from codex_cli.core.extract_plan import PlanUnreadable

    name = "<stdin>" if plan_file == "-" else plan_file
    try:
        text = sys.stdin.read() if plan_file == "-" else Path(plan_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--plan {plan_file}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return name, read_plan(text)
    except PlanUnreadable as exc:
        raise PlanRejected(name, [Problem("", exc.message, exc.line)]) from None


def limits(vault: Vault) -> Limits:
    def enum(kind: str, name: str) -> list[str]:
        rule = ((vault.config.types.get(kind) or {}).get("fields") or {}).get(name) or {}
        values = rule.get("enum")
        return [str(v) for v in values] if isinstance(values, list) else []

    return Limits(
        confidence=enum("claim", "confidence"),
        entity_types=enum("entity", "entity_type"),
        claim_domains=sorted(vault.config.domains),
        domains=sorted(vault.config.domain_values),
    )


# --- checks against the vault -----------------------------------------------------


@dataclass
class Resolved:
    """What the checks found, for building: link targets by place, enrichment notes by place."""

    titles: dict[str, Title]
    targets: dict[str, str] = field(default_factory=dict)  # `claims[0].links[1]` -> what goes in [[ ]]
    enrich: dict[str, Note] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # `claims[0]` -> its new path


def check_vault(vault: Vault, doc: Document, titles: dict[str, Title], problems: list[Problem]) -> Resolved:
    from codex_cli.core.resolve import AMBIGUOUS, OK
    from codex_cli.core.suggest import closest_titles
    from codex_cli.core.text import strip_md
    from codex_cli.ops.enrich import not_a_claim

    found = Resolved(titles)

    def add(place: str, message: str) -> None:
        problems.append(Problem(place, message, doc.line(place)))

    existing = {n.title.casefold(): n.path for n in vault.notes.values()}
    for place, title in titles.items():
        try:
            path = note_path(vault, place, doc, title)
        except UsageError:
            continue  # a domain without a folder: check_shape reported it
        found.paths[place] = path
        taken = existing.get((title.name if place.startswith("claims") else Path(path).stem).casefold())
        if taken is not None or path in vault.notes or (vault.root / path).exists():
            key = "title" if place.startswith("claims") else "name"
            add(f"{place}.{key}", f"already exists: {taken or path}")
    new_names = [(p, t) for p, t in titles.items()]

    def resolve(place: str, raw: str, from_path: str = "") -> None:
        target = " ".join(raw.split())
        if target.startswith("[[") and target.endswith("]]"):
            target = target[2:-2]
        if not target:
            add(place, "an empty title")
            return
        for p, t in new_names:
            if same_title(t.name, target) or same_title(Path(found.paths.get(p, "")).stem, target):
                if p in found.paths:  # else its domain has no folder: reported already
                    found.targets[place] = Path(found.paths[p]).stem
                return
        res = vault.resolver.resolve(target, from_path)
        if res.status == OK and res.note is not None:
            from codex_cli.ops.new import link_target

            found.targets[place] = link_target(vault, res.note.path, from_path)
        elif res.status == AMBIGUOUS:
            add(place, f"{target!r} matches {len(res.candidates)} notes: " + "; ".join(sorted(n.path for n in res.candidates)))
        else:
            near = closest_titles(strip_md(target), [n.title for n in vault.notes.values()] + [t.name for _, t in new_names])
            add(place, f"not found: {target!r}" + ("; closest: " + "; ".join(repr(s) for s in near) if near else ""))

    for section in ("claims", "entities"):
        for place, item in items(doc, section):
            here = found.paths.get(place, "")
            for suffix, target, _relation in links_of(item):
                resolve(f"{place}.{suffix}", target, here)
            for key in ("depends_on", "challenged_by"):
                values = item.get(key)
                for j, target in enumerate(values if isinstance(values, list) else []):
                    if isinstance(target, str):
                        resolve(f"{place}.{key}[{j}]", target, here)
    seen: dict[str, str] = {}
    for place, item in items(doc, "enrichments"):
        query = item.get("claim")
        if not isinstance(query, str) or not query.strip():
            continue
        if any(same_title(t.name, query) for t in titles.values()):
            add(f"{place}.claim", "is a claim of this plan: put the evidence in its body")
            continue
        res = vault.resolver.resolve(" ".join(query.split()).removeprefix("[[").removesuffix("]]").removesuffix(".md"), "")
        if res.status == AMBIGUOUS:
            add(f"{place}.claim", f"{query!r} matches {len(res.candidates)} notes: " + "; ".join(sorted(n.path for n in res.candidates)))
        elif res.status != OK or res.note is None:
            near = closest_titles(strip_md(query), [n.title for n in vault.notes.values() if n.type in vault.config.claim_types])
            add(f"{place}.claim", f"not found: {query!r}" + ("; closest: " + "; ".join(repr(s) for s in near) if near else ""))
        elif res.note.type not in vault.config.claim_types:
            add(f"{place}.claim", f"{res.note.path} {not_a_claim(vault, res.note)}")
        elif res.note.path in seen:
            add(f"{place}.claim", f"enriched twice (also {seen[res.note.path]}): put both pieces of evidence in one")
        else:
            seen[res.note.path] = place
            found.enrich[place] = res.note
    return found


def note_path(vault: Vault, place: str, doc: Document, title: Title) -> str:
    from codex_cli.ops.new import note_path as new_path

    item = _item(doc, place)
    kind = "claim" if place.startswith("claims") else "entity"
    return new_path(vault, kind, {"title": title, "domain": str(item.get("domain") or "")})


def _item(doc: Document, place: str) -> dict[str, Any]:
    section, _, rest = place.partition("[")
    return dict(doc.data[section][int(rest.rstrip("]"))])


# --- building the one Plan --------------------------------------------------------


def build(vault: Vault, source: Note, doc: Document, found: Resolved, author: Any, *, extracted_by: str, no_map: bool, today: str) -> tuple[Plan, Extracted]:
    from codex_cli.adapters import fs, templates
    from codex_cli.core import maps
    from codex_cli.ops.enrich import ENRICHMENTS_FIELD, merged_list, plan_enrichment
    from codex_cli.ops.new import context
    from codex_cli.ops.source import stem

    plan = Plan()
    result = Extracted(source.path)
    meta = source.meta or {}
    src_stem = stem(source)
    default_source = _source_line(source)
    by_map: dict[str, list[tuple[str, str, str | None, str]]] = {}
    for place, item in items(doc, "claims"):
        title = found.titles[place]
        path = found.paths[place]
        domain = str(item["domain"])
        links = _link_choices(found, place, item)
        result.links += [{"from": path, "to": c.target, "relation": c.relation} for c in links]
        if place in doc.proposals:
            result.proposals[path] = doc.proposals[place]
        answers: dict[str, Any] = {
            "title": title,
            "domain": domain,
            "description": " ".join(str(item["description"]).split()),
            "confidence": item["confidence"],
            "source": " ".join(str(item.get("source") or default_source).split()),
            "body": str(item.get("body") or "").strip("\n"),
            "depends_on": [found.targets[f"{place}.depends_on[{j}]"] for j in range(len(item.get("depends_on") or []))],
            "challenged_by": [found.targets[f"{place}.challenged_by[{j}]"] for j in range(len(item.get("challenged_by") or []))],
            "secondary_domains": list(item.get("secondary_domains") or []),
        }
        map_path = vault.config.map_for_domain(domain)
        listed = bool(map_path) and not no_map  # --no-map: no entry, but an existing map is still the claim's topic (as in `new`)
        topics = [map_path[:-3]] if map_path and (listed or (vault.root / map_path).is_file()) else []
        text = templates.render("claim.md.j2", context(vault, "claim", answers, links, topics, author), sub="notes", vault_root=vault.root)
        plan.create(path, text)
        result.claims.append(path)
        if map_path and listed:
            by_map.setdefault(map_path, []).append((title.name, answers["description"], item.get("map_section"), answers["description"]))
    for map_path, entries in by_map.items():
        result.maps.append(map_path)
        if not (vault.root / map_path).is_file():
            domain = vault.config.domain_of_folder(map_path.rpartition("/")[0]) or ""
            plan.create(map_path, maps.new_map(domain, [(t, d) for t, d, _s, _ in entries], section="Claims"))
            continue
        raw = fs.read_bytes(vault.root, map_path)
        current, _ = decode(raw)
        note = vault.notes.get(map_path)
        m = maps.parse_map(current, note.body_start if note is not None else 0)
        for edit in maps.add_entries(m, [(t, d, s, desc) for t, d, s, desc in entries]):
            plan.edit(map_path, raw, edit.start, edit.end, edit.new)
    for place, item in items(doc, "entities"):
        title = found.titles[place]
        links = _link_choices(found, place, item)
        result.links += [{"from": found.paths[place], "to": c.target, "relation": c.relation} for c in links]
        answers = {
            "title": title,
            "entity_type": item["entity_type"],
            "domain": item["domain"],
            "description": " ".join(str(item.get("description") or "").split()),
            "website": str(item.get("website") or ""),
            "status": str(item.get("status") or "active"),
            "body": str(item.get("body") or "").strip("\n"),
        }
        text = templates.render("entity.md.j2", context(vault, "entity", answers, links, [], author), sub="notes", vault_root=vault.root)
        plan.create(found.paths[place], text)
        result.entities.append(found.paths[place])
    extractor = str(doc.data.get("extractor") or author.handle)
    for place, item in items(doc, "enrichments"):
        note = found.enrich[place]
        plan_enrichment(
            vault, plan, note, src_stem, str(item["evidence"]),
            kind=str(item.get("kind") or "extend"), extractor=extractor,
            confidence=item.get("confidence"), reason=item.get("reason"), today=today,
        )
        result.enrichments.append(note.path)
    raw = fs.read_bytes(vault.root, source.path)
    text, _ = decode(raw)
    lines = {
        "status": "status: processed",
        "processed_by": f"processed_by: {author.handle}",
        "processed_date": f"processed_date: {today}",
    }
    claims = [found.titles[p].name for p, _ in items(doc, "claims")]
    if claims:
        lines[CLAIMS_FIELD] = f"{CLAIMS_FIELD}: {flow_list(merged_list(meta, CLAIMS_FIELD, claims))}"
    from codex_cli.ops.new import link_target

    enriched = [link_target(vault, found.enrich[p].path, source.path) for p, _ in items(doc, "enrichments")]
    if enriched:
        lines[ENRICHMENTS_FIELD] = f"{ENRICHMENTS_FIELD}: {flow_list(merged_list(meta, ENRICHMENTS_FIELD, enriched))}"
    for key, name in (("extractor", "extraction_model"), ("notes", "extraction_notes")):  # as the real extraction commits write them
        value = doc.data.get(key)
        if isinstance(value, str) and value.strip():
            lines[name] = f"{name}: {flow_list([' '.join(value.split())])[1:-1]}"
    for edit in set_fields(text, lines):
        plan.edit(source.path, raw, edit.start, edit.end, edit.new)
    return plan, result


def _link_choices(found: Resolved, place: str, item: dict[str, Any]) -> list[Any]:
    """The `links` of a plan item as `new` writes them: each target as the checks resolved it."""
    from codex_cli.ops.new import DEFAULT_RELATION, LinkChoice

    out = []
    for suffix, target, relation in links_of(item):
        resolved = found.targets.get(f"{place}.{suffix}", target).strip()
        out.append(LinkChoice(resolved, " ".join(relation.split()) or DEFAULT_RELATION, resolved))
    return out


def _source_line(source: Note) -> str:
    """A claim's `source:` when the plan gives none: who, what, when."""
    meta = source.meta or {}
    legacy = meta.get("source")  # older archive files name the author there when `url:` holds the link
    author = str(meta.get("author") or (legacy if isinstance(legacy, str) and "://" not in legacy else "")).strip()
    title = str(meta.get("title") or source.h1 or source.title).strip()
    when = str(meta.get("date") or meta.get("date_published") or "").strip()
    quoted = title if '"' in title or not title else f'"{title}"'  # a title that quotes already stays as it is
    parts = [p for p in (author, quoted, when) if p]
    return ", ".join(parts) or source.path


def domain_line(source: Note, doc: Document) -> str:
    domain = (source.meta or {}).get("domain")
    if isinstance(domain, str) and domain:
        return domain
    votes = Counter(str(item.get("domain")) for _, item in items(doc, "claims") + items(doc, "entities") if item.get("domain"))
    return votes.most_common(1)[0][0] if votes else "-"


def auto_domains(vault: Vault, source: Note, doc: Document, agent: str | None) -> tuple[list[str], list[Problem]]:
    """Each claim whose `domain:` is `auto` gets codex's guess (ops.domain) when it is sure.

    The evidence: the claim's title, description, body, `source:` and links,
    the acting agent, the source's `domain:` and the domains of the claims
    before it in the plan. Returns a line per guess taken, and a problem
    (with the best guesses) per claim it is not sure of.
    """
    from codex_cli.ops.domain import DomainDraft, DomainGuesser

    taken: list[str] = []
    unsure: list[Problem] = []
    declared = (source.meta or {}).get("domain")
    before: list[str] = [declared] if isinstance(declared, str) and declared else []
    guesser: DomainGuesser | None = None
    for place, item in items(doc, "claims"):
        value = item.get("domain")
        if not (isinstance(value, str) and value.strip().lower() == "auto"):
            if isinstance(value, str) and value:
                before.append(value)
            continue
        guesser = guesser or DomainGuesser(vault)
        draft = DomainDraft(
            title=str(item.get("title") or ""),
            description=str(item.get("description") or ""),
            body=str(item.get("body") or ""),
            cites=str(item.get("source") or ""),
            agent=agent,
            source_domains=tuple(before),
            links=tuple(target for _, target, _ in links_of(item)),
        )
        guess = guesser.guess(draft)
        best = ", ".join(f"{c.domain} {c.score:.2f}" for c in guess.choices[:3])
        if guess.sure and guess.domain is not None:
            item["domain"] = guess.domain
            before.append(guess.domain)
            taken.append(f"{place}.domain: auto -> {guess.domain} (guessed {guess.score:.3f}; then {best.partition(', ')[2] or '-'})")
        else:
            unsure.append(Problem(f"{place}.domain", f"auto: codex is not sure ({best or 'no guess'}): name the domain", doc.line(f"{place}.domain")))
    return taken, unsure


def prepare(vault: Vault, request: ExtractRequest, doc: Document, name: str) -> tuple[Note, Plan, Extracted, Message]:
    """Check everything (all problems at once), fill in `domain: auto`, and build the Plan and the message."""
    from codex_cli.ops.commit import author_for
    from codex_cli.ops.source import find_source, status_of

    source = find_source(vault, request.source)
    given = doc.data.get("source")
    if isinstance(given, str) and given.strip() and vault.find_path(given) != source.path:
        raise UsageError(f"{name}: source: names {given!r}, not {source.path}")
    status = status_of(source)
    if status not in ("unprocessed", "processing"):
        raise Refused(f"{source.path} is {status}: it was extracted already", hint="codex source list --status unprocessed")
    author = author_for(vault, request.options)
    guessed, unsure = auto_domains(vault, source, doc, author.handle if author.is_agent else None)
    problems, titles = check_shape(doc, limits(vault))
    problems = [p for p in problems if p.place not in {u.place for u in unsure}] + unsure
    found = check_vault(vault, doc, titles, problems)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.place))
        raise PlanRejected(name, problems)
    today = date.today().isoformat()
    extracted_by = request.extracted_by or str(doc.data.get("extracted_by") or "") or "codex extract"
    plan, result = build(vault, source, doc, found, author, extracted_by=extracted_by, no_map=request.no_map, today=today)
    result.warnings.extend(guessed)
    file_name = source.path.rpartition("/")[2]
    msg = Message(
        action=f"extract from {file_name}",
        extra=[f"- Source: {source.path}", f"- Domain: {domain_line(source, doc)}", f"- Extracted by: {extracted_by}"],
    )
    return source, plan, result, msg


def extract(vault: Vault, request: ExtractRequest, *, can_ask: bool, say: Any) -> Extracted:
    from codex_cli.adapters import prompts
    from codex_cli.adapters.git import Repository
    from codex_cli.ops.commit import land, planned_branch, render_message
    from codex_cli.ops.source import extract_branch, stem

    if request.plan_file is None:
        if not can_ask:
            raise UsageError("no --plan: pass --plan FILE (or - for standard input), or run at a terminal to be asked")
        name, doc = "<answers>", ask_plan(vault, request, say=say)
    else:
        name, doc = read_document(request.plan_file)
    source, plan, result, msg = prepare(vault, request, doc, name)
    options = request.options
    if options.branch is None and not options.no_branch:
        options.branch = extract_branch(vault, source)
    repo = Repository.find(vault.root)
    result.message = render_message(vault, options, msg, repo) if repo is not None else None
    result.diff = plan.diff()
    result.files = plan.paths_touched()
    if request.dry_run:
        result.dry_run = True
        result.branch = planned_branch(vault, options, f"extract {stem(source)}", repo) if repo else None
        return result
    if can_ask and not request.yes:
        say(result.diff.rstrip("\n"))
        if result.message:
            say(f"\ncommit on {options.branch or (repo.branch() if repo else '?')}:")
            say(result.message.rstrip("\n"))
        if not prompts.confirm(f"Write and commit this extraction ({len(result.files)} files)?", default=True):
            raise Refused("extraction declined at the prompt; nothing was written")
    landed = land(vault, plan, msg, options, branch_hint=f"extract {stem(source)}")
    result.branch, result.commit, result.previous_branch = landed.branch, landed.commit, landed.previous_branch
    result.files = [*landed.applied.written, *landed.applied.removed]
    return result


def ask_plan(vault: Vault, request: ExtractRequest, *, say: Any) -> Document:
    from codex_cli.ops import extract_form

    return extract_form.ask_plan(vault, request, say=say)
