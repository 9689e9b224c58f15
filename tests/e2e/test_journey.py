"""A new user's whole journey, headless, through the CLI: every command on one vault."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, run

NEW = "checks in CI keep a knowledge base honest because every merge is tested"
EXAMPLE = "links typed from memory rot because nothing checks that their target exists"


def test_init_new_link_rename_map_retire_check(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    assert run(["init", str(kb), "--example"]).code == 0

    created = run([
        "-C", str(kb), "--no-input", "--json", "new", "claim", NEW,
        "--domain", "knowledge", "--confidence", "likely", "--source", "journey test",
        "--description", "A CI job that runs codex check fails any pull request that adds a broken link",
        "--body", "CI runs on every pull request.", "--agent", "rio",
    ])
    assert created.code == 0, created.stderr
    doc = created.json()
    assert doc["branch"] == "rio/claims-checks-in-ci-keep-a" and doc["commit"]
    assert git(kb, "log", "-1", "--format=%s").strip().startswith("rio: add claim — checks in CI keep")

    suggested = run(["-C", str(kb), "--json", "link", NEW, "--suggest"])
    assert suggested.code == 0, suggested.stderr
    titles = [s["title"] for s in suggested.json()["suggestions"]]
    assert EXAMPLE in titles and NEW not in titles

    linked = run(["-C", str(kb), "--no-input", "link", NEW, "--to", EXAMPLE, "--relation", "what CI catches", "--agent", "rio"])
    assert linked.code == 0, linked.stderr
    text = (kb / "domains/knowledge" / f"{NEW}.md").read_text()
    assert f"- [[{EXAMPLE}]] — what CI catches" in text

    renamed = run(["-C", str(kb), "--no-input", "--json", "rename", EXAMPLE, "links typed from memory rot unless a tool checks their targets", "--yes", "--agent", "rio"])
    assert renamed.code == 0, renamed.stderr
    assert renamed.json()["links_rewritten"] >= 4
    assert "[[links typed from memory rot unless a tool checks their targets]] — what CI catches" in (kb / "domains/knowledge" / f"{NEW}.md").read_text()

    assert run(["-C", str(kb), "map", "check"]).code == 0
    retired = run(["-C", str(kb), "--no-input", "retire", NEW, "--reason", "folded into another claim", "--agent", "rio"])
    assert retired.code == 0, retired.stderr
    assert "status: retired" in (kb / "domains/knowledge" / f"{NEW}.md").read_text()

    final = run(["-C", str(kb), "--json", "check", "--strict"])
    assert final.code == 0, final.stdout
    assert final.json()["broken_links"] == []
    assert git(kb, "status", "--porcelain") == ""
    subjects = git(kb, "log", "--format=%s").splitlines()
    assert [s.split(":")[0] for s in subjects[:4]] == ["rio", "rio", "rio", "rio"]
