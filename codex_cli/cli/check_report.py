"""How `codex check` shows a report: filtered (--only, --exclude), summed up
(--summary) or as annotations for CI (--format github|gitlab|text).

Pure rendering: the report comes from ops.check; nothing here reads a note.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from codex_cli.cli.output import SUGGESTING
from codex_cli.core.check import Finding, Report
from codex_cli.errors import UsageError

FORMATS = ("text", "github", "gitlab")
TOP_TARGETS = 10  # broken targets listed by --summary: with the counts, one screen


def codes(values: Iterable[str], flag: str) -> set[str]:
    """`--only a,b --only c` as a set of finding codes."""
    from difflib import get_close_matches

    from codex_cli.core.check import CODES

    out = {c.strip() for v in values for c in v.split(",") if c.strip()}
    unknown = sorted(out - CODES)
    if unknown:
        close = get_close_matches(unknown[0], sorted(CODES), n=1)
        maybe = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(f"{flag} {unknown[0]}: not a finding code{maybe}", hint=f"the codes: {', '.join(sorted(CODES))}")
    return out


def filtered(report: Report, only: set[str], exclude: set[str]) -> Report:
    """The report with only the findings asked for (the exit code follows what is left)."""
    if not only and not exclude:
        return report
    kept = [f for f in report.findings if (not only or f.code in only) and f.code not in exclude]
    return Report(report.notes, report.links, kept)


def summary(report: Report) -> dict[str, Any]:
    """Counts by finding code, and broken targets ranked by the links that point at them."""
    by_code = Counter(f.code for f in report.findings)
    severity = {f.code: f.severity for f in report.findings}
    links: Counter[str] = Counter()
    files: dict[str, set[str]] = {}
    best: dict[str, str | None] = {}
    for f in report.findings:
        if f.code != "broken-link" or f.target is None:
            continue
        links[f.target] += 1
        files.setdefault(f.target, set()).add(f.file)
        best.setdefault(f.target, f.suggestions[0] if f.suggestions else None)
    ranked = sorted(links, key=lambda t: (-links[t], t.casefold()))
    return {
        "notes": report.notes,
        "errors": report.errors,
        "warnings": report.warnings,
        "by_code": [{"code": c, "severity": severity[c], "count": n} for c, n in sorted(by_code.items(), key=lambda t: (-t[1], t[0]))],
        "broken_targets": [{"target": t, "links": links[t], "files": len(files[t]), "suggestion": best[t]} for t in ranked],
    }


def summary_lines(doc: dict[str, Any], width: int = 100) -> list[str]:
    """The summary for a person: fits one screen (the ten worst broken targets)."""
    from codex_cli.cli.output import counted

    lines = [f"{counted(doc['notes'], 'note')}: {counted(doc['errors'], 'error')}, {counted(doc['warnings'], 'warning')}"]
    for row in doc["by_code"]:
        lines.append(f"  {row['count']:>6}  {row['code']:<18} {row['severity']}")
    targets = doc["broken_targets"]
    if targets:
        lines.append(f"broken targets, most linked first ({len(targets)} in all):")
        room = max(20, (width - 14) // 2)
        for row in targets[:TOP_TARGETS]:
            hint = f" -> [[{_cut(row['suggestion'], room)}]]" if row["suggestion"] else ""
            lines.append(f"  {row['links']:>6}  [[{_cut(row['target'], room)}]]{hint}")
        if len(targets) > TOP_TARGETS:
            lines.append(f"  ... {len(targets) - TOP_TARGETS} more (--summary --json lists them all)")
    return lines


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def annotated(findings: list[Finding], fmt: str) -> str:
    """The findings as CI annotations: `file:line: level: message` (text),
    GitHub workflow commands, or a GitLab code quality report (JSON)."""
    if fmt == "gitlab":
        import hashlib

        issues = []
        for f in findings:
            digest = hashlib.sha1(f"{f.file}\0{f.line}\0{f.code}\0{f.target}".encode()).hexdigest()
            issues.append({
                "description": _message(f),
                "check_name": f.code,
                "fingerprint": digest,
                "severity": "major" if f.severity == "error" else "minor",
                "location": {"path": f.file, "lines": {"begin": f.line or 1}},
            })
        return json.dumps(issues, ensure_ascii=False, indent=2)
    out = []
    for f in findings:
        if fmt == "github":
            props = f"file={_gh(f.file, True)},line={f.line or 1},title={_gh(f.code, True)}"
            out.append(f"::{'error' if f.severity == 'error' else 'warning'} {props}::{_gh(_message(f))}")
        else:
            out.append(f"{f.file}:{f.line or 1}: {f.severity}: {_message(f)} [{f.code}]")
    return "\n".join(out)


def _message(f: Finding) -> str:
    if f.code in SUGGESTING and f.suggestions:
        return f.message + " - did you mean: " + "; ".join(f"[[{s}]]" for s in f.suggestions)
    return f.message


def _gh(text: str, prop: bool = False) -> str:
    """Escape for a GitHub workflow command (data, or a property value)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text
