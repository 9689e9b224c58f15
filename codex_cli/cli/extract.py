"""`codex extract SOURCE` and `codex enrich CLAIM`: parse, call ops.extract / ops.enrich, render."""

from __future__ import annotations

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
    NoQuestions,
    commit_options,
)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)
    app.command("enrich")(enrich_command)


def extract_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="SOURCE", help="The archived source: its path or file name."),
    plan: str = typer.Option(None, "--plan", metavar="FILE|-", help="The extraction as YAML or JSON (docs/extract-plan.schema.json); `-` reads standard input. Without it, at a terminal, you are asked."),
    extracted_by: str = typer.Option(None, "--extracted-by", metavar="TEXT", help="The `- Extracted by:` line of the commit (else the plan's `extracted_by`)."),
    no_map: bool = typer.Option(False, "--no-map", help="Do not list the new claims in their domain maps."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation before writing."),
    agent: Agent = None,
    agent_id: AgentId = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    json_output: Json = False,
) -> None:
    """One extraction in one commit: new claims, entities and enrichments from a source, which becomes processed.

    Everything is checked first (titles, duplicates, domains, links, the claims
    to enrich); any problem is listed with its place in the plan and nothing is
    written. The commit goes on extract/<source-stem> (config commit.extract_branch).
    """
    from codex_cli.ops.extract import ExtractRequest, extract

    state = settings(ctx)
    out = state.output(json_output)
    request = ExtractRequest(
        source=source,
        plan_file=plan,
        extracted_by=extracted_by,
        no_map=no_map,
        dry_run=dry_run,
        yes=yes,
        options=commit_options(commit, branch, no_branch, agent, agent_id, base),
    )
    result = extract(state.vault(write=not dry_run), request, can_ask=state.can_ask() and plan != "-", say=out.info)
    if out.json_mode:
        out.data(result.to_json())
        return
    if result.dry_run:
        out.line(result.diff.rstrip("\n"))
        if result.message:
            out.line("")
            out.line(f"# would commit on {result.branch or '(current branch)'}:")
            out.line(result.message.rstrip("\n"))
        return
    for path in result.files:
        out.line(path)
    n = (len(result.claims), len(result.entities), len(result.enrichments))
    out.info(f"extracted {n[0]} claim{'s' if n[0] != 1 else ''}, {n[1]} entit{'ies' if n[1] != 1 else 'y'}, {n[2]} enrichment{'s' if n[2] != 1 else ''} from {result.source}")
    if result.links or result.proposals:
        proposed = [p["title"] for found in result.proposals.values() for p in found]
        taken = sum(1 for link in result.links if any(link["to"] == t or link["to"].endswith("/" + t) for t in proposed))
        out.info(f"{len(result.links)} link{'s' if len(result.links) != 1 else ''} written" + (f"; {taken} of {len(proposed)} proposed accepted" if proposed else ""))
    out.committed(result.commit, result.branch, result.previous_branch)



def enrich_command(
    ctx: typer.Context,
    claim: str = typer.Argument(..., metavar="CLAIM", help="The claim to enrich: its title or path."),
    source: str = typer.Option(..., "--source", metavar="SOURCE", help="The archived source the evidence comes from."),
    evidence: str = typer.Option(None, "--evidence", metavar="TEXT", help="The evidence, as prose citing the source."),
    evidence_file: str = typer.Option(None, "--evidence-file", metavar="PATH|-", help="Read the evidence from PATH (`-`: standard input)."),
    kind: str = typer.Option("extend", "--kind", metavar="KIND", help="extend | confirm | challenge."),
    confidence: str = typer.Option(None, "--confidence", metavar="LEVEL", help="A new confidence for the claim (needs --reason)."),
    reason: str = typer.Option(None, "--reason", metavar="TEXT", help="Why the confidence changes."),
    extractor: str = typer.Option(None, "--extractor", metavar="WHO", help="Who found the evidence (the `Extractor:` of the section; default: the agent)."),
    yes: NoQuestions = False,
    agent: Agent = None,
    agent_id: AgentId = None,
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    json_output: Json = False,
) -> None:
    """Add evidence from a source to an existing claim (### Additional Evidence), and record it in the source."""
    from codex_cli.errors import UsageError
    from codex_cli.ops.enrich import enrich
    from codex_cli.ops.new import read_body

    state = settings(ctx)
    out = state.output(json_output)
    if evidence is not None and evidence_file is not None:
        raise UsageError("--evidence and --evidence-file cannot be used together")
    text = read_body(evidence, evidence_file)
    if not text or not text.strip():
        raise UsageError("missing input: pass --evidence TEXT or --evidence-file PATH")
    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    result = enrich(
        state.vault(write=not dry_run), claim, source, text, options,
        kind=kind, confidence=confidence, reason=reason, extractor=extractor, dry_run=dry_run,
    )
    if out.json_mode:
        out.data(result.to_json() | ({"diff": result.diff} if dry_run else {}))
        return
    if dry_run:
        out.line(result.diff.rstrip("\n"))
        return
    out.made(result.claim, f"enriched {result.claim} with evidence from {result.source}")
    out.committed(result.commit, result.branch, result.previous_branch)
