"""`codex link NOTE [--suggest] [--to TITLE]... [--as FIELD] [--both] [--fix-broken]`."""

from __future__ import annotations

from typing import Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.complete import complete_note
from codex_cli.cli.options import (
    Agent,
    AgentId,
    Base,
    Branch,
    Commit,
    DryRun,
    Json,
    NoBranch,
    commit_options,
)
from codex_cli.core.text import short_title


def register(app: typer.Typer) -> None:
    app.command("link")(link_command)


def link_command(
    ctx: typer.Context,
    note: str = typer.Argument(None, metavar="NOTE", help="The note to link from: a title or a path.", autocompletion=complete_note),
    suggest: bool = typer.Option(False, "--suggest", help="Print the notes most related to NOTE, best first, and why; write nothing."),
    draft: str = typer.Option(None, "--draft", metavar="FILE|-", help="With --suggest: rank for this text instead of a NOTE (a note not in the vault yet; `-` reads standard input)."),
    to: list[str] = typer.Option(None, "--to", metavar="TITLE", help="Link to this note without prompting (repeatable).", autocompletion=complete_note),
    relation: str = typer.Option("", "--relation", metavar="T", help="How the linked notes relate (after `—` in the bullet)."),
    limit: int = typer.Option(10, "--limit", metavar="N", min=1, help="How many suggestions to show."),
    types: list[str] = typer.Option(None, "--type", metavar="TYPE", help="Suggest notes of this type (repeatable; default: the claim types)."),
    as_field: str = typer.Option(None, "--as", metavar="FIELD", help="Record the titles in this frontmatter list instead: depends_on or challenged_by."),
    both: bool = typer.Option(False, "--both", help="Also add the reverse link in each linked note."),
    fix_broken: bool = typer.Option(False, "--fix-broken", help="Offer the best matches for each broken link and rewrite the chosen ones."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --fix-broken: take the best match where it is clearly ahead, without asking."),
    dry_run: DryRun = False,
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    base: Base = None,
    agent: Agent = None,
    agent_id: AgentId = None,
    json_output: Json = False,
) -> None:
    """Suggest related notes, insert links under Relevant Notes, or repair broken links."""
    from codex_cli.errors import UsageError
    from codex_cli.ops import link as ops

    state = settings(ctx)
    out = state.output(json_output)
    if as_field is not None and as_field not in ops.AS_FIELDS:
        raise UsageError(f"--as {as_field}: expected one of {', '.join(ops.AS_FIELDS)}")
    if sum(bool(x) for x in (suggest, to, fix_broken)) > 1:
        raise UsageError("use one of --suggest, --to and --fix-broken at a time")

    if draft is not None:
        if not suggest or note is not None:
            raise UsageError("--draft goes with --suggest and no NOTE: codex link --suggest --draft FILE|-")
        text = _read_draft(draft)
        vault = state.vault()
        found = ops.Suggested(None, ops.propose(vault, ops.read_draft(vault, draft, text), limit, types or None))
        _render_suggestions(out, found)
        return
    if note is None:
        raise UsageError("NOTE is needed (or --suggest --draft FILE|- for text not in the vault)")
    if suggest:
        found = ops.suggest(state.vault(), note, limit, types or None)
        _render_suggestions(out, found)
        return

    options = commit_options(commit, branch, no_branch, agent, agent_id, base)  # before the vault: --base
    vault = state.vault(write=not dry_run)
    source = vault.find_note(note)
    if fix_broken:
        result = _fix_broken(state, out, vault, source, yes)
    else:
        if to:
            picks = [ops.Pick(t, relation) for t in ops.resolve_targets(vault, to, source)]
        else:
            picks = _choose(state, vault, source, limit, types or None, relation)
        result = ops.plan_links(vault, source, picks, as_field=as_field, both=both)
    _finish(out, vault, result, options, dry_run)


def _read_draft(source: str) -> str:
    import sys
    from pathlib import Path

    from codex_cli.errors import UsageError

    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise UsageError(f"--draft {source}: {exc.strerror}") from None


def _render_suggestions(out: Any, found: Any) -> None:
    if out.json_mode:
        out.data(found.to_json())
        return
    if not found.suggestions:
        out.info(f"no other notes to suggest for {found.note.path if found.note else 'the draft'}")
        return
    for n, s in enumerate(found.suggestions, 1):
        out.line(f"{n:>2}. {s.title}")
        out.line(out.style(f"    {s.score:.3f}  {s.why}  ({s.path})", "dim"))


def _choose(state: Any, vault: Any, source: Any, limit: int, types: list[str] | None, relation: str) -> list[Any]:
    """At a terminal: a checkbox of suggestions, then a relation phrase per pick."""
    from codex_cli.adapters.prompts import Question, ask_missing
    from codex_cli.errors import MissingInput
    from codex_cli.ops import link as ops

    if not state.can_ask():
        raise MissingInput(["--to TITLE", "--suggest", "--fix-broken"], why="nothing to link and no terminal to ask")
    found = ops.suggest(vault, source.path, limit, types)
    if not found.suggestions:
        return []
    import shutil

    by_path = {s.path: s for s in found.suggestions}
    pick_q = Question(
        "picks",
        "--to",
        f"Link {short_title(source.title)} to:",
        kind="checkbox",
        required=False,
        choices=link_choices(found.suggestions, max(40, shutil.get_terminal_size((100, 24)).columns - 8)),
        instruction="(space to tick, enter when done)",
    )
    answers = ask_missing([pick_q], {}, can_ask=True)
    picks = []
    for path in answers.get("picks") or []:
        target = vault.notes[path]
        phrase = relation
        if not phrase:
            rel_q = Question("relation", "--relation", f"How does [[{short_title(by_path[path].title)}]] relate? (optional)", required=False)
            phrase = ask_missing([rel_q], {}, can_ask=True).get("relation") or ""
        picks.append(ops.Pick(target, phrase))
    return picks


def link_choices(suggestions: list[Any], width: int) -> list[Any]:
    """A checkbox choice per suggestion, as `codex new` shows them: the title, and its path and reason below.

    A title two suggestions share (copies in two folders) names its folder,
    so that the lines differ.
    """
    from collections import Counter

    from codex_cli.adapters.prompts import Choice

    shared = Counter(s.title.casefold() for s in suggestions)
    choices = []
    for s in suggestions:
        where = f"  ({s.path.rpartition('/')[0] or '.'}/)" if shared[s.title.casefold()] > 1 else ""
        choices.append(Choice(s.path, short_title(s.title, width - len(where)) + where, description=f"{s.path}: {s.why}"))
    return choices


def _fix_broken(state: Any, out: Any, vault: Any, source: Any, yes: bool) -> Any:
    from codex_cli.adapters.prompts import Choice, Question, ask_missing
    from codex_cli.core.check import shown
    from codex_cli.errors import MissingInput
    from codex_cli.ops import link as ops

    broken = ops.broken_links(vault, source)
    if not broken:
        out.info(f"no broken links in {source.path}")
    can_ask = state.can_ask() and not yes
    if broken and not can_ask and not yes:
        raise MissingInput(["--yes"], why="choosing a match for each broken link needs a terminal")
    choices = []
    for item in broken:
        if can_ask and item.candidates:
            q = Question(
                "pick",
                "--yes",
                f"line {item.link.line}: {shown(item.link)} resolves to nothing. Replace with:",
                kind="select",
                choices=[*(Choice(t) for t, _ in item.candidates), Choice("", "leave it as it is")],  # best first
                default=item.clear_best or "",  # enter keeps an unsure link as it is: a wrong repair looks right
                required=False,
            )
            chosen = ask_missing([q], {}, can_ask=True).get("pick") or ""
        else:
            chosen = item.clear_best or ""
        if chosen:
            choices.append((item.link, chosen))
        else:
            best = "; ".join(f"[[{t}]]" for t, _ in item.candidates[:3]) or "no close title"
            out.warn(f"{source.path}:{item.link.line}: left {shown(item.link)} as it is (closest first: {best})")
    return ops.plan_fixes(vault, source, choices)


def _finish(out: Any, vault: Any, result: Any, options: Any, dry_run: bool) -> None:
    from codex_cli.ops import link as ops
    from codex_cli.ops.commit import Message, planned_branch, render_message

    for title in result.skipped:
        out.info(f"already linked: [[{title}]]")
    plan = result.plan
    result.dry_run = dry_run
    if dry_run:
        doc = result.to_json()
        if plan:
            message = render_message(vault, options, Message(action=f"link {short_title(result.note.title)}"))
            doc["diff"] = plan.diff()
            doc["message"] = message
            doc["branch"] = planned_branch(vault, options, f"link {result.note.title}")
        if out.json_mode:
            out.data(doc)
        elif plan:
            out.line(plan.diff().rstrip("\n"))
            out.info("\n" + doc["message"].rstrip("\n"))
        else:
            out.info("nothing to change")
        return
    if plan:
        ops.land_links(vault, result, options)
    if out.json_mode:
        out.data(result.to_json())
        return
    if not plan:
        out.info("nothing to change")
        return
    for title in result.added:
        out.line(f"linked [[{title}]]")
    for old, new in result.fixed:
        out.line(f"repaired [[{old}]] -> [[{new}]]")
    for path in result.reverse:
        out.line(f"reverse link in {path}")
    landed = result.landed
    if landed is not None and landed.commit:
        out.committed(landed.commit, landed.branch, landed.previous_branch)
    elif landed is not None and landed.in_repository:
        out.info("staged, not committed (--no-commit)")
