"""`codex review [RANGE] [--base BRANCH] [--json | --markdown] [--strict]`: parse, call ops.review, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from codex_cli.cli.app_state import settings
from codex_cli.cli.options import Json

if TYPE_CHECKING:
    from codex_cli.cli.output import Output
    from codex_cli.core.check import Finding
    from codex_cli.ops.review import NoteReview, Review, Similar


def register(app: typer.Typer) -> None:
    app.command("review")(review_command)


def review_command(
    ctx: typer.Context,
    spec: str = typer.Argument(None, metavar="RANGE", help="BASE..HEAD, or BASE (up to HEAD); default: the merge base with the base branch up to HEAD."),
    base: str = typer.Option(None, "--base", metavar="BRANCH", help="The branch the change is compared with (default: review.base in .codex.yaml, else main, else master; origin/BRANCH when only that exists)."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a pull-request comment: the findings and a checklist a reviewer can tick."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    judge: bool = typer.Option(True, "--judgement/--no-judgement", help="Prepare what a reviewer judges (similar claims, possible contradictions); --no-judgement runs the gates only."),
    json_output: Json = False,
) -> None:
    """Review a branch: the gates a program can decide (exit 1 when one fails), and what a reviewer must judge, prepared."""
    from codex_cli.errors import UsageError
    from codex_cli.ops.review import review

    state = settings(ctx)
    out = state.output(json_output)
    if markdown and out.json_mode:
        raise UsageError("--markdown and --json are two outputs: pass one")
    result = review(state.vault(), spec, base, judge=judge)
    for notice in result.notices:
        out.warn(notice)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    if out.json_mode:
        out.data(result.as_dict())
    elif markdown:
        out.lines(markdown_lines(result))
    else:
        out.lines(text_lines(out, result))
    raise typer.Exit(1 if failed else 0)


def _summary(result: Review) -> str:
    from codex_cli.cli.output import counted

    return (
        f"{counted(len(result.commits), 'commit')}, {counted(len(result.notes), 'changed note')}: "
        f"{counted(result.errors, 'error')}, {counted(result.warnings, 'warning')}"
    )


def exempted_line(result: Review) -> str | None:
    """How many commits needed no trailer, and why (review.trailer_exempt), or None."""
    from codex_cli.cli.output import counted

    found = result.exempted
    if not found:
        return None
    whys = "; ".join(f"{n} × {why}" if len(found) > 1 else why for why, n in found.items())
    return f"{counted(sum(found.values()), 'commit')} without a Pentagon-Agent trailer exempted by review.trailer_exempt: {whys}"


# --- text ---------------------------------------------------------------------------------


def text_lines(out: Output, result: Review) -> list[str]:
    lines = [out.style(f"review of {result.spec} ({result.base[:10]}..{result.head[:10]})", "bold")]
    bad_commits = [c for c in result.commits if c.findings]
    if bad_commits:
        lines.append(out.style("commits", "bold"))
        for c in bad_commits:
            for f in c.findings:
                lines.append(f"  {c.info.sha[:10]} {_severity(out, f)} {f.code:<22} {f.message}")
    for n in result.notes:
        head = f"{n.path} ({n.change}" + (f" from {n.old_path}" if n.old_path else "") + f", {n.role})"
        lines.append(out.style(head, "bold"))
        for f in n.findings:
            where = f"{f.line:>5}" if f.line else "    -"
            lines.append(f"{where}: {_severity(out, f)} {f.code:<22} {f.message}")
        if n.duplicates:
            lines.append("  possible duplicates (checklist 5):")
            lines += [_similar(s) for s in n.duplicates]
        if n.contradictions:
            lines.append("  possible contradictions (checklist 6):")
            lines += [_similar(s) for s in n.contradictions]
        if n.cascade:
            lines.append("  beliefs and positions that depend on it (the cascade):")
            for d in n.cascade:
                via = " via " + " <- ".join(x.label for x in reversed(d.chain[1:-1])) if d.depth > 1 else ""
                lines.append(f"    {d.role:<8} {d.node.label}{via}")
    if not result.notes and not result.commits:
        lines.append("nothing to review: the branch has no commits past its base")
    exempted = exempted_line(result)
    if exempted:
        lines.append(exempted)
    lines.append(_summary(result))
    return lines


def _severity(out: Output, f: Finding) -> str:
    return out.style(f"{f.severity:<7}", "red" if f.severity == "error" else "yellow")


def _similar(s: Similar) -> str:
    return f"    {s.score:>6.3f}  [[{s.title}]]" + (" (also new on this branch)" if s.new else "") + f" — {s.why}"


# --- markdown (a pull-request comment) ------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown_lines(result: Review) -> list[str]:
    verdict = "❌ gates failed" if result.errors else ("⚠️ warnings" if result.warnings else "✅ gates pass")
    lines = ["## codex review", "", f"**{verdict}** — {_summary(result)} (`{result.base[:10]}..{result.head[:10]}`)", ""]
    bad_commits = [c for c in result.commits if c.findings]
    if bad_commits:
        lines += ["### Commits", ""]
        for c in bad_commits:
            for f in c.findings:
                lines.append(f"- [ ] **{f.severity}** `{c.info.sha[:10]}` {f.code}: {_md(f.message)}")
        lines.append("")
    exempted = exempted_line(result)
    if exempted:
        lines += [_md(exempted), ""]
    for n in result.notes:
        lines += _note_markdown(n)
    lines += [
        "<sub>Generated by `codex review --markdown`. Boxes under a note are for the reviewer: "
        "tick each once judged. Gates marked **error** block the merge.</sub>",
    ]
    return lines


def _note_markdown(n: NoteReview) -> list[str]:
    head = f"### `{n.path}` — {n.change}" + (f" from `{n.old_path}`" if n.old_path else "") + f" ({n.role})"
    lines = [head, ""]
    for f in n.findings:
        where = f" (line {f.line})" if f.line else ""
        lines.append(f"- [ ] **{f.severity}** {f.code}{where}: {_md(f.message)}")
    if n.role == "claim" and n.change in ("added", "renamed"):
        lines.append("- [ ] Specific enough to disagree with; confidence matches the evidence; adds value (checklist 1, 4, 7)")
    if n.duplicates:
        lines.append("- [ ] Not a duplicate of (checklist 5):")
        lines += [f"  - [[{_md(s.title)}]] — score {s.score:.3f}" + (" (new on this branch)" if s.new else "") for s in n.duplicates]
    if n.contradictions:
        lines.append("- [ ] Any contradiction is explicit and argued (checklist 6):")
        lines += [f"  - [[{_md(s.title)}]] — score {s.score:.3f}; {_md(s.why)}" for s in n.contradictions]
    if n.cascade:
        lines.append("- [ ] Beliefs and positions that depend on it reviewed (the cascade):")
        for d in n.cascade:
            via = " via " + " ← ".join(f"`{x.label}`" for x in reversed(d.chain[1:-1])) if d.depth > 1 else ""
            lines.append(f"  - {d.role} `{d.node.label}`{via}")
    if len(lines) == 2:
        lines.append("Nothing to flag.")
    lines.append("")
    return lines
