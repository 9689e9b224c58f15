"""Every link a reader can follow, through check, check --fix and rename (issue 17).

One small vault holds every form: frontmatter aliases (list and single
string), `[[...]]` in any frontmatter field, markdown links (relative,
percent-encoded, `<...>`, `/`-rooted, with anchors; URLs and code left
alone) and links in another case than their target.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import claim, git_init, run, snapshot, write_vault

GAMMA = claim("gamma rises", "Gamma text.", extra="aliases: [Gamma Alias, the gamma]\n")
DELTA = claim("delta falls", "Delta text.", extra="aliases: Delta Alias\n")
ENTITY = (
    "---\ntype: note\nparent_entity: \"[[gamma rises]]\"\nowner: \"[[nobody here]]\"\n"
    "nested:\n  inner: \"[[delta falls]]\"\n---\n\n# An entity\n\nText.\n"
)
LINKER = (
    "# Linker\n\n"
    "Through aliases: [[Gamma Alias]], [[the gamma|g]] and [[delta alias#Evidence]].\n"
    "Markdown: [g](../../domains/ai/gamma%20rises.md), [d](</domains/ai/delta falls.md>),\n"
    "[anchored](../../domains/ai/gamma%20rises.md#Evidence \"title\") and [gone](../../domains/ai/AI%20alignment%20gone.md).\n"
    "Not links: [web](https://example.com/x.md), `[code](nowhere.md)`, [mail](mailto:a@b.md).\n"
    "Case drift: [[Gamma Rises]], [[domains/AI/gamma rises]] and [case](../../domains/ai/Delta%20Falls.md).\n"
    "Sentence capitals are fine: [[Gamma rises]].\n"
)
MAP = "# AI\n\n## Core\n- [[gamma rises]] — g\n- [[delta falls]] — d\n"


def make(vault: Path, drift: bool = True) -> Path:
    """The vault; without `drift`, no link in another case (a rename writes those in the new title's case)."""
    linker = LINKER if drift else "\n".join(line for line in LINKER.split("\n") if not line.startswith("Case drift"))
    write_vault(vault, {
        "domains/ai/_map.md": MAP,
        "domains/ai/gamma rises.md": GAMMA,
        "domains/ai/delta falls.md": DELTA,
        "entities/ai/an entity.md": ENTITY,
        "agents/theseus/linker.md": linker,
    })
    return vault


def findings(doc: dict, code: str) -> list[tuple[str, int, str]]:
    items = doc["broken_links"] if code == "broken-link" else [p for p in doc["problems"] if p["code"] == code]
    return sorted((p["file"], p["line"], p["target"]) for p in items)


def test_check_sees_every_form(vault: Path) -> None:
    doc = run(["check", "--json"], cwd=make(vault)).json()
    assert findings(doc, "broken-link") == [
        ("agents/theseus/linker.md", 5, "../../domains/ai/AI alignment gone.md"),
        ("entities/ai/an entity.md", 4, "nobody here"),
    ]
    assert findings(doc, "link-case") == [
        ("agents/theseus/linker.md", 7, "../../domains/ai/Delta Falls.md"),
        ("agents/theseus/linker.md", 7, "Gamma Rises"),
        ("agents/theseus/linker.md", 7, "domains/AI/gamma rises"),
    ]
    drift = {p["target"]: p for p in doc["problems"] if p["code"] == "link-case"}
    assert drift["Gamma Rises"]["severity"] == "warning"
    assert drift["Gamma Rises"]["suggestions"] == ["Gamma rises"]
    assert not [p for p in doc["problems"] if p["code"] in ("ambiguous-link", "md-suffix")]


def test_check_fix_normalises_case_and_keeps_encoding(vault: Path) -> None:
    make(vault)
    result = run(["check", "--fix"], cwd=vault)
    assert result.code == 1  # the broken links remain
    text = (vault / "agents/theseus/linker.md").read_text()
    assert "Case drift: [[Gamma rises]], [[domains/ai/gamma rises]] and [case](../../domains/ai/delta%20falls.md)." in text
    doc = run(["check", "--json"], cwd=vault).json()
    assert findings(doc, "link-case") == []


def test_settings_turn_each_form_off(vault: Path) -> None:
    make(vault)
    (vault / ".codex.yaml").write_text("links:\n  aliases: false\n  markdown: false\n  frontmatter: false\n  case_drift: error\n")
    doc = run(["check", "--json"], cwd=vault).json()
    broken = {t for _, _, t in findings(doc, "broken-link")}
    assert {"Gamma Alias", "the gamma", "delta alias"} <= broken
    assert not any(t.endswith(".md") for t in broken)  # no markdown links
    assert "nobody here" not in broken  # no frontmatter links outside the title fields
    assert {p["severity"] for p in doc["problems"] if p["code"] == "link-case"} == {"error"}
    (vault / ".codex.yaml").write_text("links:\n  case_drift: off\n")
    doc = run(["check", "--json"], cwd=vault).json()
    assert findings(doc, "link-case") == []
    (vault / ".codex.yaml").write_text("links:\n  markdown: maybe\n")
    result = run(["check"], cwd=vault)
    assert result.code == 2 and "links.markdown must be true or false" in result.stderr


def test_an_alias_several_notes_share_is_ambiguous(vault: Path) -> None:
    make(vault)
    write_vault(vault, {"domains/ai/epsilon.md": claim("epsilon", extra="aliases:\n  - Gamma Alias\n")})
    doc = run(["check", "--json"], cwd=vault).json()
    amb = [p for p in doc["problems"] if p["code"] == "ambiguous-link"]
    assert [(p["file"], p["target"]) for p in amb] == [("agents/theseus/linker.md", "Gamma Alias")]


def test_rename_rewrites_every_form_and_back_is_byte_identical(vault: Path) -> None:
    git_init(make(vault, drift=False))
    before = snapshot(vault)
    doc = run(["--json", "rename", "gamma rises", "gamma climbs higher", "--yes"], cwd=vault).json()
    linker = (vault / "agents/theseus/linker.md").read_text()
    assert "[g](../../domains/ai/gamma%20climbs%20higher.md)" in linker
    assert "[anchored](../../domains/ai/gamma%20climbs%20higher.md#Evidence \"title\")" in linker
    assert "[[Gamma Alias]], [[the gamma|g]]" in linker  # through an alias: left alone
    assert "parent_entity: \"[[gamma climbs higher]]\"" in (vault / "entities/ai/an entity.md").read_text()
    assert "aliases: [Gamma Alias, the gamma]" in (vault / "domains/ai/gamma climbs higher.md").read_text()
    assert "agents/theseus/linker.md" in doc["files_changed"]
    after = run(["check", "--json"], cwd=vault).json()
    assert [t for _, _, t in findings(after, "broken-link")] == ["../../domains/ai/AI alignment gone.md", "nobody here"]
    run(["rename", "gamma climbs higher", "gamma rises", "--yes"], cwd=vault)
    assert snapshot(vault) == before


def test_move_recomputes_relative_markdown_paths(vault: Path) -> None:
    make(vault, drift=False)
    write_vault(vault, {"domains/ai/delta falls.md": DELTA + "\nSee [g](gamma%20rises.md) and [l](<../../agents/theseus/linker.md>).\n"})
    git_init(vault)
    before = snapshot(vault)
    (vault / "domains/bio").mkdir()
    run(["rename", "delta falls", "--move-to", "domains/bio", "--yes"], cwd=vault)
    moved = (vault / "domains/bio/delta falls.md").read_text()
    assert "See [g](../ai/gamma%20rises.md) and [l](<../../agents/theseus/linker.md>)." in moved
    linker = (vault / "agents/theseus/linker.md").read_text()
    assert "[d](</domains/bio/delta falls.md>)" in linker
    assert [t for _, _, t in findings(run(["check", "--json"], cwd=vault).json(), "broken-link")] == [
        "../../domains/ai/AI alignment gone.md", "nobody here"
    ]
    run(["rename", "domains/bio/delta falls.md", "--move-to", "domains/ai", "--yes"], cwd=vault)
    assert snapshot(vault) == before


def test_link_fix_broken_sees_aliases_and_markdown_links(vault: Path) -> None:
    make(vault, drift=False)
    write_vault(vault, {"agents/theseus/fixer.md": "# Fixer\n\n[[Gamma Alias]] and [it](../../domains/ai/gama%20rises.md#Evidence) and [<x>](<../../domains/ai/delta fals.md>).\n"})
    doc = run(["link", "agents/theseus/fixer.md", "--fix-broken", "--yes", "--json", "--no-commit"], cwd=vault).json()
    assert len(doc["fixed"]) == 2, doc  # the alias link resolves: not broken
    text = (vault / "agents/theseus/fixer.md").read_text()
    assert text == (
        "# Fixer\n\n[[Gamma Alias]] and [it](../../domains/ai/gamma%20rises.md#Evidence) and [<x>](<../../domains/ai/delta falls.md>).\n"
    )
