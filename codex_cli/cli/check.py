"""`codex check [PATH]... [--fix] [--strict] [--json]`."""

from __future__ import annotations

from typing import Any

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.output import counted, finding_lines


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)


def check_command(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, metavar="PATH", help="Notes or folders to report on (links still resolve against the whole vault)."),
    fix: bool = typer.Option(False, "--fix", help="Repair what has exactly one answer, printing each fix."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    missing_ok: bool = typer.Option(False, "--missing-ok", help="Skip a PATH that names no note (a deleted one) instead of failing (exit 2)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """Check links, frontmatter, file names and maps; exit 1 on errors."""
    from codex_cli.ops.check import run_check

    state = settings(ctx)
    out = state.output(json_output)
    vault = state.vault()
    outcome = run_check(vault, paths or None, fix=fix, missing_ok=missing_ok, progress=out.progress("reading notes"))
    report = outcome.report
    for raw in outcome.skipped:
        out.warn(f"{raw}: no such note; skipped")
    failed = report.errors > 0 or (strict and report.warnings > 0)
    if out.json_mode:
        doc: dict[str, Any] = report.to_json()
        doc["root"] = str(vault.root)
        if fix:
            doc["fixes"] = [
                {"file": f.file, "line": f.line, "from": f.link.target, "to": f.new_target, "reason": f.reason}
                for f in outcome.fixes
            ]
        out.data(doc)
        raise typer.Exit(1 if failed else 0)
    lines = [f"fixed {f.file}:{f.line}: [[{f.link.target}]] -> [[{f.new_target}]] ({f.reason})" for f in outcome.fixes]
    lines += finding_lines(out, report.findings)
    summary = f"{counted(report.notes, 'note')}, {counted(report.links, 'link')}: {counted(report.errors, 'error')}, {counted(report.warnings, 'warning')}"
    if outcome.fixes:
        summary += f", {len(outcome.fixes)} fixed"
    lines.append(summary)
    out.lines(lines)
    raise typer.Exit(1 if failed else 0)
