"""`codex new claim|source|musing|position|belief|entity`: parse, call ops.new.create, render."""

from __future__ import annotations

from typing import Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.options import (
    Agent,
    AgentId,
    Base,
    Branch,
    Commit,
    DryRun,
    Json,
    NoBranch,
    Why,
    commit_options,
)

new_app = typer.Typer(
    name="new",
    help="Create a note from its template (claim, source, musing, position, belief, entity) and commit it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")


# Help for the options every type has that only `codex new` takes (cli.options has the commit ones).
H_BODY = "The body text (the argument, with its evidence)."
H_BODY_FILE = "Read the body from PATH (`-` for standard input)."
H_LINK = "Link a related note under Relevant Notes (repeatable); `TITLE|how it relates` sets the relation."
H_YES = "Do not ask for confirmation before writing."
H_EDIT = "Open the new note in $EDITOR before committing."
H_ALLOW_DUPLICATE = "Write it even though an existing title is the same but for case, punctuation or a final period."
H_LINK_TOP = "Link the best N proposed related claims without asking (relation: related)."


def _run(ctx: typer.Context, kind: str, values: dict[str, Any], common: dict[str, Any], **extra: Any) -> None:
    from codex_cli.ops.new import AGENT_KINDS, NewRequest, create, read_body

    state = settings(ctx)
    out = state.output(common["json_output"])
    body = read_body(common["body"], common["body_file"])
    if body is not None:
        values["body"] = body
    if common["agent"] and kind in AGENT_KINDS:
        values["agent"] = common["agent"]
    options = commit_options(common["commit"], common["branch"], common["no_branch"], common["agent"], common.get("agent_id"), common.get("base"))
    request = NewRequest(
        kind=kind,
        values=values,
        links=list(common["link"] or []),
        why=common["why"],
        edit=common["edit"],
        dry_run=common["dry_run"],
        yes=common["yes"],
        options=options,
        **extra,
    )
    can_ask = state.can_ask()
    result = create(state.vault(write=not common["dry_run"]), request, can_ask=can_ask, say=out.info)
    render(out, result)


def render(out: Any, result: Any) -> None:
    if out.json_mode:
        doc = result.to_json()
        if result.dry_run:
            doc["text"] = result.text
            doc["diff"] = result.diff
        out.data(doc)
        return
    if result.dry_run:
        out.line(f"# would create {result.path}")
        out.line(result.text.rstrip("\n"))
        if result.map_diff:
            out.line("")
            out.line(f"# would change {result.map}" + (f" (section: {result.map_section})" if result.map_section else ""))
            out.line(result.map_diff.rstrip("\n"))
        if result.message:
            out.line("")
            out.line(f"# would commit on {result.branch or '(current branch)'}:")
            out.line(result.message.rstrip("\n"))
        return
    out.made(result.path, f"created {result.path}")
    if result.map:
        where = f" under “{result.map_section}”" if result.map_section else ""
        out.info(f"{'created' if result.map_created else 'listed in'} {result.map}{where}")
    if result.links:
        out.info("linked: " + "; ".join(f"[[{link.title}]]" for link in result.links))
    elif result.kind in ("claim", "position") and not result.dry_run:
        out.info(f"no links yet: codex link {_quote(result.path)} --suggest")
    if result.commit:
        out.committed(result.commit, result.branch, result.previous_branch)
    elif result.in_repository:
        out.info("staged, not committed (--no-commit)")


@new_app.command("claim")
def claim_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="TITLE", help="The claim as a sentence; it becomes the file name."),
    domain: str = typer.Option(
        None,
        "--domain",
        metavar="DOMAIN",
        help="Domain (a folder under domains/, core/ or foundations/); `auto`: codex's guess when it is sure, else exit 2 with its guesses.",
    ),
    description: str = typer.Option(None, "--description", metavar="TEXT", help="One sentence adding context beyond the title."),
    confidence: str = typer.Option(None, "--confidence", metavar="LEVEL", help="proven | likely | experimental | speculative."),
    source: str = typer.Option(None, "--source", metavar="TEXT", help="Who proposed it, and the primary evidence."),
    map_section: str = typer.Option(None, "--map-section", metavar="H", help="Section of the domain map to list it under (default: the most similar)."),
    no_map: bool = typer.Option(False, "--no-map", help="Do not add it to the domain map."),
    allow_label: bool = typer.Option(False, "--allow-label", help="Accept a title that reads like a label rather than a claim."),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help=H_ALLOW_DUPLICATE),
    link_top: int = typer.Option(0, "--link-top", metavar="N", min=0, help=H_LINK_TOP),
    body: str = typer.Option(None, "--body", metavar="TEXT", help=H_BODY),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help=H_LINK),
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """A claim in domains/<domain>/, listed in the domain's map."""
    values = {"title": title, "domain": domain, "description": description, "confidence": confidence, "source": source}
    _run(ctx, "claim", values, locals(), map_section=map_section, no_map=no_map, allow_label=allow_label, allow_duplicate=allow_duplicate, link_top=link_top)


@new_app.command("source")
def source_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="TITLE", help="The source's title."),
    author: str = typer.Option(None, "--author", metavar="NAME", help="Author: a name or @handle (used in the file name)."),
    url: str = typer.Option(None, "--url", metavar="URL", help="Where the source lives."),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="When it was published (at a terminal the default is today)."),
    domain: str = typer.Option(None, "--domain", metavar="DOMAIN", help="Domain it feeds."),
    secondary_domain: list[str] = typer.Option(None, "--secondary-domain", metavar="DOMAIN", help="Another domain it is relevant to (repeatable)."),
    source_format: str = typer.Option(None, "--format", metavar="FORMAT", help="essay | paper | thread | report | … (the vault's schema decides)."),
    priority: str = typer.Option(None, "--priority", metavar="LEVEL", help="high | medium | low."),
    tag: list[str] = typer.Option(None, "--tag", metavar="TAG", help="A topic tag (repeatable, or comma-separated)."),
    flag_for: list[str] = typer.Option(None, "--flag-for", metavar="AGENT:TEXT", help="Flag something in it for an agent's domain (flagged_for_AGENT; repeatable)."),
    notes: str = typer.Option(None, "--notes", metavar="TEXT", help="Agent notes: why this source matters."),
    hint: list[str] = typer.Option(None, "--hint", metavar="CLAIM", help="An extraction hint: a claim the source could yield (repeatable)."),
    body: str = typer.Option(None, "--body", metavar="TEXT", help="The Content section: a summary or excerpt of the source."),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help="A claim it connects to, under KB connections (repeatable); `TITLE|how`."),
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """A source in inbox/archive/YYYY-MM-DD-handle-slug.md, status unprocessed; refused if already archived."""
    values = {
        "title": title,
        "author": author,
        "url": url,
        "date": when,
        "domain": domain,
        "secondary_domains": list(secondary_domain or []),
        "format": source_format,
        "priority": priority,
        "tags": list(tag or []),
        "notes": notes,
        "hints": [" ".join(h.split()) for h in hint or [] if h.strip()],
        "flagged_for": _flags_for(flag_for or []),
    }
    _run(ctx, "source", values, locals())


def _flags_for(specs: list[str]) -> list[dict[str, str]]:
    """`theseus:text` -> {"agent": "theseus", "yaml": ' ["text"]'}, one entry per agent."""
    from codex_cli.core.fields import flow_list
    from codex_cli.core.text import slugify
    from codex_cli.errors import UsageError

    items: dict[str, list[str]] = {}
    for spec in specs:
        who, sep, text = spec.partition(":")
        if not sep or not who.strip() or not text.strip():
            raise UsageError(f"--flag-for {spec!r}: write AGENT:TEXT")
        items.setdefault(slugify(who, 2).replace("-", "_"), []).append(" ".join(text.split()))
    return [{"agent": a, "yaml": " " + flow_list(v)} for a, v in items.items()]


@new_app.command("musing")
def musing_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="TITLE", help="What the musing is about."),
    body: str = typer.Option(None, "--body", metavar="TEXT", help="The musing."),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help=H_LINK),
    agent: str = typer.Option(None, "--agent", metavar="NAME", help="The agent whose musing it is (agents/NAME/musings/)."),
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """A musing in agents/<agent>/musings/, status seed."""
    _run(ctx, "musing", {"title": title}, locals())


@new_app.command("position")
def position_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="TITLE", help="The position as a sentence; it becomes the file name."),
    domain: str = typer.Option(None, "--domain", metavar="DOMAIN", help="Domain."),
    description: str = typer.Option(None, "--description", metavar="TEXT", help="The actionable stance in one sentence."),
    confidence: str = typer.Option(None, "--confidence", metavar="LEVEL", help="high | moderate | cautious."),
    depends_on: list[str] = typer.Option(None, "--depends-on", metavar="BELIEF", help="A belief it derives from (repeatable)."),
    time_horizon: str = typer.Option(None, "--time-horizon", metavar="TEXT", help="When it can be evaluated."),
    performance_criteria: str = typer.Option(None, "--performance-criteria", metavar="TEXT", help="What would validate or invalidate it."),
    allow_label: bool = typer.Option(False, "--allow-label", help="Accept a title that reads like a label."),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help=H_ALLOW_DUPLICATE),
    link_top: int = typer.Option(0, "--link-top", metavar="N", min=0, help=H_LINK_TOP),
    body: str = typer.Option(None, "--body", metavar="TEXT", help="The argument, from evidence to this stance."),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help=H_LINK),
    agent: str = typer.Option(None, "--agent", metavar="NAME", help="The agent taking the position (agents/NAME/positions/)."),
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """A position in agents/<agent>/positions/, status proposed."""
    values = {
        "title": title,
        "domain": domain,
        "description": description,
        "confidence": confidence,
        "depends_on": list(depends_on or []),
        "time_horizon": time_horizon,
        "performance_criteria": performance_criteria,
    }
    _run(ctx, "position", values, locals(), allow_label=allow_label, allow_duplicate=allow_duplicate, link_top=link_top)


@new_app.command("belief")
def belief_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="TITLE", help="The belief as a sentence; it becomes the file name."),
    domain: str = typer.Option(None, "--domain", metavar="DOMAIN", help="Domain."),
    description: str = typer.Option(None, "--description", metavar="TEXT", help="This belief's role in the agent's worldview, in one sentence."),
    confidence: str = typer.Option(None, "--confidence", metavar="LEVEL", help="strong | moderate | developing (the vault's schema decides)."),
    level: str = typer.Option(None, "--level", metavar="LEVEL", help="axiom | belief | hypothesis | unconvinced, when the vault's schema has levels."),
    depends_on: list[str] = typer.Option(None, "--depends-on", metavar="CLAIM", help="A claim it rests on (repeatable; at least 3)."),
    allow_label: bool = typer.Option(False, "--allow-label", help="Accept a title that reads like a label."),
    body: str = typer.Option(None, "--body", metavar="TEXT", help="Why the agent holds it: the reasoning from claims to belief."),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help=H_LINK),
    agent: str = typer.Option(None, "--agent", metavar="NAME", help="The agent holding the belief (agents/NAME/beliefs/)."),
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """A belief in agents/<agent>/beliefs/, grounded in at least 3 claims, status active."""
    values = {
        "title": title,
        "domain": domain,
        "description": description,
        "confidence": confidence,
        "level": level,
        "depends_on": list(depends_on or []),
    }
    _run(ctx, "belief", values, locals(), allow_label=allow_label)


@new_app.command("entity")
def entity_command(
    ctx: typer.Context,
    title: str = typer.Argument(None, metavar="NAME", help="The entity's name; it becomes the file name."),
    entity_type: str = typer.Option(None, "--entity-type", metavar="TYPE", help="company | person | protocol | organization | product | fund | other."),
    domain: str = typer.Option(None, "--domain", metavar="DOMAIN", help="Domain (entities/<domain>/)."),
    description: str = typer.Option(None, "--description", metavar="TEXT", help="One sentence on what it is."),
    website: str = typer.Option(None, "--website", metavar="URL", help="Its website."),
    body: str = typer.Option(None, "--body", metavar="TEXT", help="Notes on it."),
    body_file: str = typer.Option(None, "--body-file", metavar="PATH|-", help=H_BODY_FILE),
    link: list[str] = typer.Option(None, "--link", metavar="TITLE", help=H_LINK),
    agent: Agent = None,
    agent_id: AgentId = None,
    why: Why = None,
    dry_run: DryRun = False,
    yes: bool = typer.Option(False, "--yes", "-y", help=H_YES),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    edit: bool = typer.Option(False, "--edit", help=H_EDIT),
    json_output: Json = False,
) -> None:
    """An entity (company, person, protocol…) in entities/<domain>/."""
    values = {"title": title, "entity_type": entity_type, "domain": domain, "description": description, "website": website}
    _run(ctx, "entity", values, locals())


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
