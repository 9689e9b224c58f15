"""`codex new`: author a note from a template, by flags or by questions, and land it.

The steps, in order, and nothing is written before the last one:

1. gather the values: flags first (each validated the way its question is,
   ops.new_form), then questions for what is missing (adapters.prompts: at a terminal they
   are asked in turn; headless, every missing flag is named at once, exit 2);
2. the title gate (core.titles): refuse an invalid or existing title, hold a
   label-like title back unless allowed, warn about near-duplicates;
3. links to related claims (core.matcher proposals, or `--link`), written
   under `Relevant Notes:`;
4. the map entry (core.maps) under the chosen or the best section, or a new
   map when the domain has none;
5. the note text from the type's template (adapters.templates);
6. one Plan (note + map), previewed, then landed by ops.commit.land: branch,
   apply all-or-nothing, commit only these files.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from codex_cli.adapters.prompts import Choice, Question
from codex_cli.core.plan import Plan
from codex_cli.core.text import short_title, slugify
from codex_cli.core.titles import Title
from codex_cli.errors import (
    Ambiguous,
    Exists,
    GitFailed,
    MissingInput,
    NotFound,
    Refused,
    UsageError,
)
from codex_cli.ops.commit import CommitOptions, Message
from codex_cli.ops.new_form import KINDS, PROPOSITIONS, Form, Gate, build_form, known_agents
from codex_cli.vault import Vault

DEFAULT_RELATION = "related"
# Types that belong to an agent (agents/<agent>/…): the acting agent answers `--agent`.
AGENT_KINDS = ("musing", "position", "belief")

Say = Callable[[str], None]


@dataclass
class NewRequest:
    """What the command line gave. `values` holds flag values by question name."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    map_section: str | None = None
    no_map: bool = False
    allow_label: bool = False
    allow_duplicate: bool = False
    link_top: int = 0  # accept the best N proposals as links (headless)
    why: str | None = None
    edit: bool = False
    dry_run: bool = False
    yes: bool = False
    options: CommitOptions = field(default_factory=CommitOptions)


@dataclass
class LinkChoice:
    title: str
    relation: str = DEFAULT_RELATION
    target: str = ""  # what goes inside [[ ]]: the title, or the path when the title is shared

    def __post_init__(self) -> None:
        self.target = self.target or self.title


@dataclass
class NewResult:
    kind: str
    title: str
    path: str
    text: str
    map: str | None = None
    domain: str | None = None
    domain_guess: Any = None  # ops.domain.DomainGuess, when codex guessed the domain (`--domain auto`, a terminal)
    map_section: str | None = None
    map_created: bool = False
    map_choices: list[Any] = field(default_factory=list)
    links: list[LinkChoice] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    branch: str | None = None
    commit: str | None = None
    previous_branch: str | None = None  # where the command started (the way back)
    message: str | None = None
    diff: str = ""
    map_diff: str = ""
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    in_repository: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "title": self.title,
            "path": self.path,
            "domain": self.domain,
            "domain_guessed": self.domain_guess is not None,
            "domain_score": self.domain_guess.score if self.domain_guess is not None else None,
            "domain_runner_up": self.domain_guess.to_json()["runner_up"] if self.domain_guess is not None else None,
            "map": self.map,
            "map_section": self.map_section,
            "map_created": self.map_created,
            "map_section_score": next((round(c.score, 3) for c in self.map_choices if c.heading == self.map_section), None),
            "map_section_runner_up": next((c.to_json() for c in self.map_choices if c.heading != self.map_section), None),
            "links": [{"title": link.title, "target": link.target, "relation": link.relation} for link in self.links],
            "proposals": self.proposals,
            "branch": self.branch,
            "commit": self.commit,
            "files": self.files,
            "dry_run": self.dry_run,
            "message": self.message,
            "warnings": self.warnings,
        }


# --- the flow -------------------------------------------------------------------


def read_body(body: str | None, body_file: str | None) -> str | None:
    """The body from --body, or --body-file PATH (`-` for standard input)."""
    if body is not None and body_file is not None:
        raise UsageError("--body and --body-file cannot be used together")
    if body_file is None:
        return body
    if body_file == "-":
        return sys.stdin.read()
    try:
        return Path(body_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--body-file {body_file}: {exc.strerror}") from None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def gather(
    vault: Vault, request: NewRequest, form: Form, gate: Gate, *, can_ask: bool, say: Say, warn: Say
) -> dict[str, Any]:
    """Validated values for every question: flags first, then answers."""
    from codex_cli.adapters import prompts

    given = {k: v for k, v in request.values.items() if not _empty(v)}
    if not can_ask:
        prompts.check_headless(form.questions, given)
    answers: dict[str, Any] = {}
    by_name = {q.name: q for q in form.questions}
    for name, value in given.items():
        q = by_name.get(name)
        answers[name] = q.validate(value) if q is not None and q.validate is not None else value
    title = answers.get("title")
    if isinstance(title, Title):
        labels = gate.labels(title)
        if labels and not can_ask:
            raise Refused(
                "the title reads like a label rather than a claim: " + "; ".join(w.split(": ", 1)[-1] for w in labels),
                hint="state the claim as a sentence (\"This note argues that <title>\"), or pass --allow-label",
            )
        warnings = gate.duplicates(title)
        if can_ask and (labels or warnings):
            for w in labels + warnings:
                say(f"  ! {w}")
            if not prompts.confirm("Keep this title anyway?", default=False):
                del answers["title"]
        else:
            for w in warnings:
                warn(w)
    prompts.ask_missing(form.questions, answers, can_ask=can_ask)
    title = answers.get("title")
    if not isinstance(title, Title):
        raise UsageError("a title is needed: pass TITLE")
    description = answers.get("description")
    if isinstance(description, str) and _same_words(description, title.text):
        raise UsageError("--description repeats the title: say something the title does not")
    return answers


def _same_words(a: str, b: str) -> bool:
    from codex_cli.core.text import loose_key

    return loose_key(a) == loose_key(b)


def resolve_link(vault: Vault, spec: str, source_path: str) -> LinkChoice:
    """`TITLE` or `TITLE|how it relates`: the note it names must exist, once."""
    target, _, relation = spec.partition("|")
    note = _named_note(vault, target, source_path, "--link")
    return LinkChoice(note.title, " ".join(relation.split()) or DEFAULT_RELATION, link_target(vault, note.path, source_path))


def resolve_titles(vault: Vault, flag: str, titles: list[str], source_path: str) -> list[str]:
    """Link targets for a title field (`--depends-on`): each note must exist, once."""
    return [link_target(vault, _named_note(vault, t, source_path, flag).path, source_path) for t in titles]


def _named_note(vault: Vault, target: str, source_path: str, flag: str) -> Any:
    from codex_cli.core.resolve import AMBIGUOUS, OK
    from codex_cli.core.suggest import closest_titles
    from codex_cli.core.text import strip_md

    target = " ".join(target.split())
    if target.startswith("[[") and target.endswith("]]"):
        target = target[2:-2]
    if not target:
        raise UsageError(f"{flag} needs a title")
    res = vault.resolver.resolve(target, source_path)
    if res.status == AMBIGUOUS:
        raise Ambiguous(target, sorted(n.path for n in res.candidates))
    if res.status != OK or res.note is None:
        raise NotFound(f"{flag} {target!r}", closest_titles(strip_md(target), [n.title for n in vault.notes.values()]))
    return res.note


def link_target(vault: Vault, path: str, source_path: str) -> str:
    """`title` when it leads from `source_path` to `path`; else the path without `.md`."""
    from codex_cli.core.note import title_of

    title = title_of(path)
    res = vault.resolver.resolve(title, source_path)
    if res.note is not None and res.note.path == path:
        return title
    return path[:-3] if path.endswith(".md") else path


def choose_links(
    vault: Vault, request: NewRequest, answers: dict[str, Any], path: str, *, can_ask: bool
) -> tuple[list[LinkChoice], list[dict[str, Any]]]:
    """The links to write under `Relevant Notes:`, and the matcher's proposals."""
    from codex_cli.adapters import prompts
    from codex_cli.core.matcher import Draft

    chosen = [resolve_link(vault, spec, path) for spec in request.links]
    chosen = list({c.target: c for c in chosen}.values())
    if request.kind not in PROPOSITIONS:
        return chosen, []
    title: Title = answers["title"]
    draft = Draft(
        title=title.text,
        description=str(answers.get("description") or ""),
        body=str(answers.get("body") or ""),
        links=frozenset(c.title for c in chosen),
        domain=str(answers.get("domain") or "") or None,
    )
    found = proposals_for(vault, draft, limit=max(8, request.link_top), folder=path.rpartition("/")[0])
    proposals = [{"title": s.title, "path": s.path, "score": s.score, "why": s.why} for s in found]
    if request.link_top > 0:  # headless: take the best N
        for s in found[: request.link_top]:
            chosen.append(LinkChoice(s.title, DEFAULT_RELATION, link_target(vault, s.path, path)))
        return chosen, proposals
    if not found or not can_ask or request.links:
        return chosen, proposals
    import shutil

    width = max(40, shutil.get_terminal_size((100, 24)).columns - 8)
    questions = [
        Question(
            "links",
            "--link",
            "Link related claims (space to tick, enter when done):",
            kind="checkbox",
            required=False,
            choices=[Choice(s.title, short_title(s.title, width), description=f"{s.path}: {s.why}") for s in found],
        )
    ]
    picked = prompts.ask_missing(questions, {}, can_ask=True).get("links") or []
    for s in found:
        if s.title not in picked:
            continue
        q = Question(
            "relation",
            "--link",
            f"How does [[{short_title(s.title, 70)}]] relate? (enter: {DEFAULT_RELATION})",
            required=False,
        )
        relation = prompts.ask_missing([q], {}, can_ask=True).get("relation") or DEFAULT_RELATION
        chosen.append(LinkChoice(s.title, " ".join(str(relation).split()) or DEFAULT_RELATION, link_target(vault, s.path, path)))
    return chosen, proposals


def branch_hint(kind: str, name: str) -> str:
    """What a new note's branch is named after: `claims <title>`, `entities <title>` (not `entitys`)."""
    plural = "entities" if kind == "entity" else f"{kind}s"
    return f"{plural} {name}"


def proposals_for(vault: Vault, draft: Any, limit: int = 8, folder: str | None = None) -> list[Any]:
    """Link proposals for a note being written (one per title), best first; shared with `extract`.

    Of copies of one title in several folders (the sample holds claims in
    both `core/` and `domains/`), the one in `folder`, the new note's, is
    proposed in the first copy's place: its bare `[[title]]` reaches it.
    """
    from codex_cli.ops.link import propose

    found: list[Any] = []
    for s in propose(vault, draft, limit=limit + 2):
        same = next((n for n, f in enumerate(found) if f.title.casefold() == s.title.casefold()), None)
        if same is None:
            found.append(s)
        elif folder is not None and s.path.rpartition("/")[0] == folder != found[same].path.rpartition("/")[0]:
            found[same] = s
    return found[:limit]


@dataclass
class MapStep:
    path: str
    section: str | None
    created: bool
    choices: list[Any] = field(default_factory=list)  # ops.maps.SectionChoice, best first (when the section was chosen)


def plan_map(
    vault: Vault, request: NewRequest, answers: dict[str, Any], plan: Plan, *, can_ask: bool
) -> MapStep | None:
    """Add `- [[title]] — description` to the domain's map (or create the map)."""
    from codex_cli.adapters import fs
    from codex_cli.core import maps
    from codex_cli.core.note import decode

    if request.kind != "claim" or request.no_map:
        return None
    domain = str(answers["domain"])
    map_path = vault.config.map_for_domain(domain)
    if map_path is None:
        return None
    title: Title = answers["title"]
    text = str(answers.get("description") or "")
    if not (vault.root / map_path).is_file():
        heading = request.map_section or "Claims"
        plan.create(map_path, maps.new_map(domain, [(title.name, text)], section=heading))
        return MapStep(map_path, heading, True)
    raw = fs.read_bytes(vault.root, map_path)
    current, _ = decode(raw)
    note = vault.notes.get(map_path)
    m = maps.parse_map(current, note.body_start if note is not None else 0)
    headings = [s.heading for s in m.headed if s.heading]
    section: str | None = request.map_section
    choices: list[Any] = []
    if section is not None:
        found = m.section(section)
        if found is None:
            shown = "; ".join(headings) or "(none)"
            raise UsageError(f"--map-section {section!r}: {map_path} has no such section; its sections: {shown}")
        section = found.heading
    elif headings:
        from codex_cli.ops.maps import section_choices

        choices = section_choices(vault, m, map_path, title.name, text, str(answers.get("body") or ""))
        section = choose_section(map_path, choices, can_ask=can_ask)
    edit = maps.add_entry(m, title.name, text, section, description=text)
    plan.edit(map_path, raw, edit.start, edit.end, edit.new)
    after = maps.parse_map(plan.text_of(map_path) or "", m.sections[0].body_start if m.sections else 0)
    for s in after.sections:
        if any(e.start == edit.start for e in s.entries):
            section = s.heading
    return MapStep(map_path, section, False, choices)


NEW_SECTION = "\0new"


def choose_section(map_path: str, choices: list[Any], *, can_ask: bool) -> str | None:
    """The section to list a note under: at a terminal the top 3 with reasons and "new section…"; headless the best.

    Shared by `new`, `map add` and `extract` (choices: ops.maps.section_choices).
    """
    from codex_cli.adapters import prompts

    if not choices:
        return None
    if not can_ask:
        return str(choices[0].heading)
    q = Question(
        "section",
        "--map-section",
        f"Section of {map_path}:",
        kind="select",
        choices=[*(Choice(c.heading, f"{c.heading}: {c.why}") for c in choices[:3]), Choice(NEW_SECTION, "new section…")],
        default=choices[0].heading,
    )
    picked = prompts.ask_missing([q], {}, can_ask=True)["section"]
    if picked != NEW_SECTION:
        return str(picked)
    name = prompts.ask_missing([Question("heading", "--map-section", "New section heading:")], {}, can_ask=True)["heading"]
    return " ".join(str(name).split()) or str(choices[0].heading)


def note_path(vault: Vault, kind: str, answers: dict[str, Any]) -> str:
    title: Title = answers["title"]
    if kind == "claim":
        folder = vault.config.domains.get(str(answers["domain"]))
        if folder is None:
            raise UsageError(f"--domain {answers['domain']!r} has no folder")
        return f"{folder}/{title.filename}"
    spec = vault.config.types.get(kind) or {}
    pattern = str(spec.get("folder") or kind + "s")
    try:
        folder = pattern.format(**{k: str(v) for k, v in answers.items() if isinstance(v, (str, int))}).strip("/")
    except KeyError as exc:
        raise UsageError(f"types.{kind}.folder needs {exc.args[0]!r}, which this type does not ask for") from None
    if kind == "source":
        handle = source_handle(str(answers["author"]))
        return f"{folder}/{answers['date']}-{handle}-{slugify(title.text, 6)}.md"
    if kind == "entity":  # schemas/entity.md: "Lowercase slugified name"
        return f"{folder}/{slugify(title.text, 12)}.md"
    return f"{folder}/{title.filename}"


def source_handle(author: str) -> str:
    """`@TheiaResearch (Felipe…)` -> theiaresearch; `Jane Doe` -> jane-doe."""
    handle = re.search(r"@(\w+)", author)
    if handle is not None:
        return slugify(handle.group(1), 1)
    return slugify(author, 2)


def yaml_quote(value: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, plus those YAML's printable set needs."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


# Outside YAML's printable set (https://yaml.org/spec/1.2.2/#51-character-set); JSON leaves these raw.
_NOT_PRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def context(vault: Vault, kind: str, answers: dict[str, Any], links: list[LinkChoice], topics: list[str], author: Any) -> dict[str, Any]:
    """Plain data for the template: raw values, and `yaml.<name>` quoted for frontmatter."""
    title: Title = answers["title"]
    values: dict[str, Any] = {k: v for k, v in answers.items() if k != "title"}
    values.setdefault("body", "")
    values["body"] = str(values.get("body") or "").strip("\n")
    today = date.today().isoformat()
    out: dict[str, Any] = {
        "type": kind,
        "title": title.text,
        "name": title.name,
        "created": today,
        "today": today,
        "links": [{"title": link.title, "target": link.target, "relation": link.relation} for link in links],
        "topics": topics,
        "author": {"handle": author.handle, "name": author.name, "is_agent": author.is_agent},
        **values,
    }
    quoted: dict[str, Any] = {"title": yaml_quote(title.text)}
    fields = vault.config.title_fields
    for k, v in values.items():
        if isinstance(v, str):
            quoted[k] = yaml_quote(v)
        elif isinstance(v, list) and k in fields and v:
            # a block list of links, as the knowledge base writes them (and `codex link --as`);
            # a list value starts with what follows `key:` (a space, or a line break)
            quoted[k] = "".join(f"\n  - {yaml_quote('[[' + str(i) + ']]')}" for i in v)
        elif isinstance(v, list):
            quoted[k] = " [" + ", ".join(yaml_quote(str(i)) for i in v) + "]"
    quoted["proposed_by"] = yaml_quote(author.name)
    out["yaml"] = quoted
    return out


def message_for(request: NewRequest, answers: dict[str, Any], path: str, links: list[LinkChoice], map_step: MapStep | None) -> Message:
    title: Title = answers["title"]
    kind = request.kind
    what = f"new {kind} {path}"
    if map_step is not None:
        what += f", listed in {map_step.path}" + (" (new map)" if map_step.created else "")
    why = request.why
    if not why:
        if kind == "claim":
            why = f"source: {answers.get('source')}"
        elif kind == "source":
            why = f"archive {answers.get('url') or answers.get('author')} for extraction"
        else:
            why = str(answers.get("description") or f"record {kind} {title.text}")
    connections = "; ".join(f"[[{link.target}]]" for link in links) or "none yet"
    return Message(action=f"add {kind} — {short_title(title.text)}", what=what, why=why, connections=connections)


def create(vault: Vault, request: NewRequest, *, can_ask: bool, say: Say) -> NewResult:
    """Gather, plan, preview and land one new note."""
    from codex_cli.adapters import prompts, templates
    from codex_cli.ops.commit import author_for, land, planned_branch, render_message

    kind = request.kind
    if kind not in KINDS:
        raise UsageError(f"unknown note type {kind!r}: one of {', '.join(KINDS)}")
    if request.map_section and request.no_map:
        raise UsageError("--map-section and --no-map cannot be used together")
    if request.edit and not can_ask and not prompts.chosen_editor():  # the default vi headless: escapes in a log, or a hang
        raise UsageError(
            "--edit with no terminal (or --no-input) needs VISUAL or EDITOR set to a program that runs without one",
            hint="pass the body with --body TEXT or --body-file PATH|- instead",
        )
    if (vault.config.types.get(kind) or {}).get("branch") is False and not request.options.branch:
        request.options.no_branch = True  # this type is committed where it is (a musing: the agent's own folder)
    author = author_for(vault, request.options)
    if kind in AGENT_KINDS and _empty(request.values.get("agent")) and author.is_agent:
        request.values["agent"] = author.handle
    gate = Gate(vault, kind, request.allow_label, request.allow_duplicate)
    acting = author.handle if author.is_agent else None
    form = build_form(vault, kind, gate, known_agents(vault), agent=acting)
    guessed = auto_domain(vault, request, acting, can_ask=can_ask, say=say) if kind == "claim" else None
    warnings: list[str] = []

    def warn(text: str) -> None:
        warnings.append(text)
        say(f"warning: {text}")

    try:
        answers = gather(vault, request, form, gate, can_ask=can_ask, say=say, warn=warn)
    except MissingInput as exc:
        if kind == "claim" and "--domain" in exc.flags and request.values.get("title"):
            guessed = _domain_hint(vault, request, acting)
            if guessed:
                exc.message += f"\n{guessed}"
                exc.args = (exc.message,)
        raise
    if kind == "source":
        from codex_cli.ops.source import refuse_duplicate

        refuse_duplicate(vault, answers)
    for q in form.questions:  # templates see every field, given or not
        answers.setdefault(q.name, [] if q.kind == "checkbox" else "")
    if kind in AGENT_KINDS and request.options.agent is None:
        request.options.agent = str(answers["agent"])
        author = author_for(vault, request.options)
    title: Title = answers["title"]
    for note_msg in title.notes:
        say(f"note: {note_msg}")
    if kind in PROPOSITIONS and not str(answers.get("body") or "").strip():
        warn(f"the {kind} has no body yet: add the argument and its evidence (--body, --body-file, --edit)")
    path = note_path(vault, kind, answers)
    if (vault.root / path).exists() or path in vault.notes:
        raise Exists(path)
    links, proposals = choose_links(vault, request, answers, path, can_ask=can_ask)
    for field_name in vault.config.title_fields:
        value = answers.get(field_name)
        if isinstance(value, list) and value:
            answers[field_name] = resolve_titles(vault, "--" + field_name.replace("_", "-"), value, path)
    plan = Plan()
    map_step = plan_map(vault, request, answers, plan, can_ask=can_ask)
    topics = []
    if kind == "claim":
        map_path = vault.config.map_for_domain(str(answers["domain"]))
        if map_path and (map_step is not None or (vault.root / map_path).is_file()):
            topics.append(map_path[:-3] if map_path.endswith(".md") else map_path)
    text = templates.render(f"{kind}.md.j2", context(vault, kind, answers, links, topics, author), sub="notes", vault_root=vault.root)
    if request.edit:
        text = prompts.edit_text(text)
        if not text.strip():
            raise Refused("the edited note is empty; nothing was written")
    map_diff = plan.diff()
    plan.create(path, text)
    msg = message_for(request, answers, path, links, map_step)
    result = NewResult(
        kind=kind,
        title=title.name,
        path=path,
        text=text,
        map=map_step.path if map_step else None,
        domain=str(answers.get("domain") or "") or None,
        domain_guess=guessed or form.guessed(),
        map_section=map_step.section if map_step else None,
        map_created=bool(map_step and map_step.created),
        map_choices=map_step.choices if map_step else [],
        links=links,
        proposals=proposals,
        dry_run=request.dry_run,
        diff=plan.diff(),
        map_diff=map_diff,
        files=plan.paths_touched(),
        warnings=warnings,
    )
    from codex_cli.adapters.git import Repository

    repo = Repository.find(vault.root)
    result.in_repository = repo is not None
    if repo is not None:
        result.message = render_message(vault, request.options, msg, repo)
    if request.dry_run:
        result.branch = planned_branch(vault, request.options, branch_hint(kind, title.name), repo) if repo else None
        if result.branch is None and repo is not None:
            result.branch = repo.branch()
        return result
    if can_ask and not request.yes:
        say(result.diff.rstrip("\n"))
        if result.message and request.options.commit:
            where = planned_branch(vault, request.options, branch_hint(kind, title.name), repo) if repo else None
            say(f"\ncommit on {where + ' (new branch)' if where else repo.branch() if repo else '?'}:")
            say(result.message.rstrip("\n"))
        verb = "Write and commit" if repo is not None and request.options.commit else "Write"
        if not prompts.confirm(f"{verb} this {kind}?", default=True):
            raise Refused(f"{kind} declined at the prompt; nothing was written")
    try:
        landed = land(vault, plan, msg, request.options, branch_hint=branch_hint(kind, title.name))
    except GitFailed as exc:
        if repo is None or not (vault.root / path).exists():
            raise
        raise _kept(repo, vault, plan, result.message or "", exc) from None
    result.branch = landed.branch
    result.commit = landed.commit
    result.previous_branch = landed.previous_branch
    result.files = [p for p in (*landed.applied.written, *landed.applied.removed)]
    return result


AUTO = "auto"


def auto_domain(vault: Vault, request: NewRequest, agent: str | None, *, can_ask: bool, say: Say) -> Any:
    """`--domain auto`: codex's guess (ops.domain) from the flags given, when it is sure.

    Unsure, headless: exit 2 naming --domain with the best guesses; at a
    terminal the question is asked with the guess as its default.
    """
    from codex_cli.ops.domain import guess_domain
    from codex_cli.ops.new_form import domain_draft

    value = request.values.get("domain")
    if not isinstance(value, str) or value.strip().lower() != AUTO:
        return None
    values = dict(request.values)
    values["links"] = list(request.links)
    guess = guess_domain(vault, domain_draft(values, agent))
    request.values["domain"] = None
    best = ", ".join(f"{c.domain} {c.score:.2f}" for c in guess.choices[:3])
    if guess.sure:
        request.values["domain"] = guess.domain
        runner = f"; runner-up {guess.choices[1].domain} {guess.choices[1].score:.3f}" if len(guess.choices) > 1 else ""
        say(f"domain: {guess.domain} (guessed {guess.score:.3f}{runner}): pass --domain NAME to choose")
        return guess
    if not can_ask:
        raise UsageError(f"--domain auto: codex is not sure of the domain ({best or 'no guess'}): pass --domain NAME")
    return None


def _domain_hint(vault: Vault, request: NewRequest, agent: str | None) -> str | None:
    """For a headless `new claim` without --domain: what codex would guess, and how to take it."""
    from codex_cli.ops.domain import guess_domain
    from codex_cli.ops.new_form import domain_draft

    guess = guess_domain(vault, domain_draft({**request.values, "links": list(request.links)}, agent))
    if guess.domain is None:
        return None
    best = ", ".join(f"{c.domain} {c.score:.2f}" for c in guess.choices[:3])
    take = "--domain auto takes it" if guess.sure else "not sure enough for --domain auto"
    return f"codex guesses {best} ({take})"


def _kept(repo: Any, vault: Vault, plan: Plan, message: str, exc: GitFailed) -> GitFailed:
    """A failed commit after the note was written: keep it, say how to retry."""
    import shlex

    paths = " ".join(shlex.quote(repo.rel(vault.root, p)) for p in plan.paths_touched())
    saved = repo.git_dir / "CODEX_NEW_MSG"
    try:
        saved.write_text(message, encoding="utf-8")
        again = f"git commit -F {shlex.quote(str(saved))} -- {paths}"
    except OSError:
        again = f"git commit -- {paths}"
    return GitFailed(
        "the commit was rejected" + (": " + exc.message.split(": ", 1)[-1] if ": " in exc.message else ""),
        output=exc.output,
        hint=f"the note is kept and staged; fix what git reported, then: {again}",
    )

