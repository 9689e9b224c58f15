"""The pure check: each note's part against the path index, then the report assembled."""

from __future__ import annotations

from codex_cli import config as config_mod
from codex_cli.core.check import CLAIM, RETIRED, assemble, check, note_part
from codex_cli.core.note import ParseContext, parse_note
from codex_cli.core.resolve import PathRef, Resolver

TYPES = config_mod.DEFAULTS["types"]
CTX = ParseContext(frozenset({"depends_on"}), TYPES, frozenset({"ai"}))


def _claim(title: str, body: str = "", **extra: str) -> str:
    fields = {"type": "claim", "domain": "ai", "description": "d", "confidence": "likely", "source": "s", "created": "2026-01-01", **extra}
    head = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\n{head}---\n\n# {title}\n\n{body}\n"


FILES = {
    "domains/ai/_map.md": "# AI\n\n- [[alpha claim]] — listed\n- [[old claim]] — retired but listed\n- [[alpha claim]] — again\n",
    "domains/ai/alpha claim.md": _claim("alpha claim", "See [[beta claim]], [[gamma claim.md]] and [[nowhere at all]]."),
    "domains/ai/beta claim.md": _claim("beta claim", "Back to [[alpha claim]] and [[shared title]]."),
    "domains/ai/gamma claim.md": _claim("gamma claim", "[[alpha clam]]"),
    "domains/ai/old claim.md": _claim("old claim", status="retired"),
    "domains/x/shared title.md": "# shared title\n",
    "domains/y/shared title.md": "# shared title\n",
    "domains/ai/Case.md": "# Case\n",
    "domains/ai/case.md": "# case\n",
}


def _notes() -> dict:
    return {p: parse_note(p, t.encode(), CTX) for p, t in FILES.items()}


def _is_map(path: str) -> bool:
    return path.endswith("/_map.md")


def test_part_is_what_one_note_adds() -> None:
    notes = _notes()
    index = Resolver(PathRef(p) for p in FILES)  # paths alone: what a worker has
    alpha = note_part(notes["domains/ai/alpha claim.md"], index, frozenset({"claim"}), _is_map)
    assert alpha.links == 3 and alpha.flags == CLAIM
    assert [(f[1], f[5]) for f in alpha.findings] == [("md-suffix", "gamma claim.md"), ("broken-link", "nowhere at all")]
    old = note_part(notes["domains/ai/old claim.md"], index, frozenset({"claim"}), _is_map)
    assert old.flags == CLAIM | RETIRED
    text = FILES["domains/ai/_map.md"]
    m = note_part(notes["domains/ai/_map.md"], index, frozenset({"claim"}), _is_map, text)
    assert set(m.mapped) == {"domains/ai/alpha claim.md", "domains/ai/old claim.md"}
    assert [e[:2] for e in m.entries] == [("domains/ai/alpha claim.md", 3), ("domains/ai/old claim.md", 4), ("domains/ai/alpha claim.md", 5)]
    assert [f[1] for f in m.findings] == ["duplicate-entry"]


def test_report_needs_every_part() -> None:
    notes = _notes()
    report = check(notes, Resolver(notes.values()), {"claim"}, _is_map, read_text=FILES.__getitem__, suggest_many=lambda ts: {t: ["alpha claim"] for t in ts})
    got = sorted((f.file.rpartition("/")[2], f.code) for f in report.findings)
    assert got == [
        ("Case.md", "case-collision"),
        ("_map.md", "duplicate-entry"),
        ("_map.md", "retired-entry"),
        ("alpha claim.md", "broken-link"),
        ("alpha claim.md", "md-suffix"),
        ("beta claim.md", "ambiguous-link"),
        ("beta claim.md", "unmapped"),
        ("case.md", "case-collision"),
        ("gamma claim.md", "broken-link"),
        ("gamma claim.md", "unmapped"),
    ]
    broken = [f for f in report.findings if f.code == "broken-link"]
    assert {f.file.rpartition("/")[2]: f.suggestions for f in broken} == {"alpha claim.md": (), "gamma claim.md": ("alpha claim",)}  # never itself
    assert report.notes == len(FILES)
    only = assemble({p: note_part(n, Resolver(notes.values()), frozenset({"claim"}), _is_map) for p, n in notes.items()}, only={"domains/ai/beta claim.md"})
    assert {f.code for f in only.findings} == {"ambiguous-link", "unmapped"}
    assert only.notes == 1 and only.links == 2


def test_map_report_from_the_same_parts() -> None:
    from codex_cli.core.check import map_report

    files = dict(FILES)
    files["domains/ai/_map.md"] += "- [[missing entry]] — x\n- [[shared title]] — which one\n"
    notes = {p: parse_note(p, t.encode(), CTX) for p, t in files.items()}
    index = Resolver(notes.values())
    parts = {p: note_part(n, index, frozenset({"claim"}), _is_map, files[p] if _is_map(p) else None) for p, n in notes.items()}
    maps, entries, found = map_report(parts, lambda ts: {t: ["alpha claim"] for t in ts})
    assert maps == ["domains/ai/_map.md"] and entries == 5
    got = sorted((f.file.rpartition("/")[2], f.code) for f in found)
    assert got == [
        ("_map.md", "ambiguous-entry"),
        ("_map.md", "duplicate-entry"),
        ("_map.md", "retired-entry"),
        ("_map.md", "unresolved-entry"),
        ("beta claim.md", "unmapped"),
        ("gamma claim.md", "unmapped"),
    ]
    assert next(f for f in found if f.code == "unresolved-entry").suggestions == ("alpha claim",)
    # the check report shows the same two entries as a broken and an ambiguous link instead
    codes = {f.code for f in assemble(parts, suggest_many=lambda ts: {}).findings if f.file.endswith("_map.md")}
    assert {"broken-link", "ambiguous-link"} <= codes and not codes & {"unresolved-entry", "ambiguous-entry"}


def test_every_code_a_check_module_reports_is_a_known_code() -> None:
    """`--only`/`--exclude` refuse codes outside CODES: a new code must be added there."""
    import re
    from pathlib import Path

    from codex_cli.core.check import CODES

    package = Path(__file__).resolve().parents[2] / "codex_cli"
    pattern = re.compile(r'Problem\("([a-z0-9-]+)"|"([a-z0-9-]+)", (?:WARNING|ERROR)\b')
    found = {
        code
        for source in package.rglob("*.py")
        if "review" not in source.name
        for pair in pattern.findall(source.read_text(encoding="utf-8"))
        for code in pair
        if code
    }
    assert {"broken-link", "stray-temp", "h1-mismatch", "unmapped"} <= found  # the scan sees every kind of module
    assert found <= CODES


def test_the_guide_lists_every_code() -> None:
    from pathlib import Path

    from codex_cli.core.check import CODES

    guide = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text(encoding="utf-8")
    assert [c for c in sorted(CODES) if f"`{c}`" not in guide] == []
