"""`codex check [PATH]... [--changed [--since REF] | --staged] [--new-only] [--fix] [--strict] [--only|--exclude CODE] [--summary] [--format F] [--json]`."""

from __future__ import annotations

from typing import Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.options import Agent, AgentId, Branch, Commit, NoBranch, commit_options
from codex_cli.cli.output import counted, finding_lines
from codex_cli.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)


def check_command(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, metavar="PATH...", help="Notes or folders to report on (links still resolve against the whole vault)."),
    fix: bool = typer.Option(False, "--fix", help="Repair what has exactly one answer, printing each fix, and commit it (a branch when on a protected one)."),
    strip_broken: bool = typer.Option(False, "--strip-broken", help="With --fix: turn links to no note that have no single repair into plain text (the alias if any); the diff is shown first."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --strip-broken: do it without asking (needed with no terminal)."),
    commit: Commit = True,
    branch: Branch = None,
    no_branch: NoBranch = False,
    agent: Agent = None,
    agent_id: AgentId = None,
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    missing_ok: bool = typer.Option(False, "--missing-ok", help="Skip a PATH that names no note (a deleted one) instead of failing (exit 2)."),
    changed: bool = typer.Option(False, "--changed", help="Check the notes changed since the merge base with the base branch (staged, unstaged, untracked), and every note the change gives a new finding (links a deletion breaks, a map that stops listing a claim, a note retired)."),
    since: str = typer.Option(None, "--since", metavar="REF", help="With --changed: compare with REF instead. Implies --changed."),
    staged: bool = typer.Option(False, "--staged", help="Check what a commit would record: the staged notes (against HEAD, or --since REF) and those a staged deletion breaks; untracked notes are left out. Implies --changed (the pre-commit hook)."),
    new_only: bool = typer.Option(False, "--new-only", help="With --changed, --staged or --since: report only the findings the change adds, those a check of the base commit does not report on the same notes (compared without line numbers); the exit code counts only those."),
    only: list[str] = typer.Option(None, "--only", metavar="CODE[,CODE]", help="Report only these finding codes (repeatable); the exit code follows what is reported."),
    exclude: list[str] = typer.Option(None, "--exclude", metavar="CODE[,CODE]", help="Leave these finding codes out (repeatable)."),
    summary: bool = typer.Option(False, "--summary", help="Counts by finding code, and the broken targets most linked to, each with its best suggestion."),
    fmt: str = typer.Option(None, "--format", metavar="FORMAT", help="Findings as CI annotations: text (file:line: level: message), github (workflow commands) or gitlab (code quality JSON)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Check links, frontmatter, file names and maps; exit 1 on errors."""
    from codex_cli.cli import check_report
    from codex_cli.ops.check import run_check

    state = settings(ctx)
    out = state.output(json_output)
    if fmt is not None and fmt not in check_report.FORMATS:
        raise UsageError(f"--format {fmt}: one of {', '.join(check_report.FORMATS)}")
    if fmt is not None and (json_output or state.json or summary):
        raise UsageError("--format cannot be used with --json or --summary")
    keep, drop = check_report.codes(only or [], "--only"), check_report.codes(exclude or [], "--exclude")
    if strip_broken and not fix:
        raise UsageError("--strip-broken goes with --fix")
    vault = state.vault(write=fix)
    fixing = None
    if fix:
        from codex_cli.ops.check import Fixing

        confirm = _confirm_strip(out, state.can_ask(), yes) if strip_broken else None
        fixing = Fixing(strip_broken, commit_options(commit, branch, no_branch, agent, agent_id), confirm)
    changed = changed or since is not None or staged
    progress = out.progress("reading notes")
    outcome = run_check(vault, paths or None, fix=fixing, missing_ok=missing_ok, changed=changed, since=since, staged=staged, progress=progress, new_only=new_only)
    if outcome.report.notes == 0 and not paths and not changed:  # a check of nothing passes any gate: say where it looked
        raise UsageError(f"no notes in {vault.root}: nothing to check", hint="run it inside a knowledge base, or pass -C DIR")
    report = check_report.filtered(outcome.report, keep, drop)
    for raw in outcome.skipped:
        out.warn(f"{raw}: no such note; skipped")
    failed = report.errors > 0 or (strict and report.warnings > 0)
    if summary:
        doc = check_report.summary(report)
        if out.json_mode:
            out.data(doc)
        else:
            import shutil

            out.lines(check_report.summary_lines(doc, shutil.get_terminal_size((100, 24)).columns))
        raise typer.Exit(1 if failed else 0)
    if fmt is not None:
        text = check_report.annotated(report.findings, fmt)
        if text:
            out.line(text)
        raise typer.Exit(1 if failed else 0)
    if out.json_mode:
        doc = report.to_json()
        doc["root"] = str(vault.root)
        if outcome.selected is not None:
            doc["checked"] = sorted(outcome.selected)
        if outcome.known is not None:
            doc["known"] = outcome.known  # --new-only: findings the base already had, left out
        if fix:
            doc["fixes"] = [
                {"file": f.file, "line": f.line, "from": f.link.target, "to": f.new_target, "reason": f.reason}
                for f in outcome.fixes
            ]
            landed = outcome.landed
            doc["commit"] = landed.commit if landed else None
            doc["branch"] = landed.branch if landed else None
        out.data(doc)
        raise typer.Exit(1 if failed else 0)
    lines = [_fixed(f) for f in outcome.fixes]
    lines += finding_lines(out, report.findings)
    summary = f"{counted(report.notes, 'note')}, {counted(report.links, 'link')}: {counted(report.errors, 'error')}, {counted(report.warnings, 'warning')}"
    if outcome.fixes:
        summary += f", {len(outcome.fixes)} fixed"
    if outcome.known:
        summary += f" (new only: {counted(outcome.known, 'finding')} the base already had left out)"
    lines.append(summary)
    out.lines(lines)
    if fix:
        landed = outcome.landed
        if landed is not None and landed.commit and landed.branch:
            out.committed(landed.commit, landed.branch, landed.previous_branch)  # as every committing command says it
        else:
            out.info(_landed(landed))
    raise typer.Exit(1 if failed else 0)


def _fixed(f: Any) -> str:
    from codex_cli.ops.check import STRIPPED

    if f.reason == STRIPPED:
        return f"stripped {f.file}:{f.line}: [[{f.link.target}]] -> {f.new_target}"
    return f"fixed {f.file}:{f.line}: [[{f.link.target}]] -> [[{f.new_target}]] ({f.reason})"


def _landed(landed: Any) -> str:
    """Whether --fix committed, and where."""
    if landed is None:
        return "nothing to fix: nothing written, no commit"
    if not landed.in_repository:
        return "fixes written (no git repository: not committed)"
    where = f" on branch {landed.branch}" if landed.branch else ""
    moved = f" (switched from {landed.previous_branch})" if landed.previous_branch and landed.previous_branch != landed.branch else ""
    if landed.commit:
        return f"committed {landed.commit[:10]}{where}{moved}"
    return f"fixes staged{where}{moved}, not committed (--no-commit)"


def _confirm_strip(out: Any, can_ask: bool, yes: bool) -> Any:
    """Show the change (the diff, and the links stripped by file); at a terminal, ask."""
    from codex_cli.errors import MissingInput

    def confirm(plan: Any, fixes: list[Any]) -> bool:
        from codex_cli.ops.check import STRIPPED

        stripped: dict[str, int] = {}
        for f in fixes:
            if f.reason == STRIPPED:
                stripped[f.file] = stripped.get(f.file, 0) + 1
        if not out.json_mode:
            out.line(plan.diff().rstrip("\n"))
        for file, n in sorted(stripped.items()):
            out.info(f"{n:>5} stripped in {file}")
        if yes:
            return True
        if not can_ask:
            raise MissingInput(["--yes"], why="--strip-broken rewrites notes and there is no terminal to confirm")
        from codex_cli.adapters.prompts import confirm as ask

        return bool(ask(f"Strip {sum(stripped.values())} broken links in {len(stripped)} notes?", default=False))

    return confirm
