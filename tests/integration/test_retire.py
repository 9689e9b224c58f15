"""`codex retire NOTE --reason T`: frontmatter by line edits, off the maps, links intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import claim, git, git_init, run, snapshot, write_vault

OLD = "domains/ai/old claim was wrong.md"


@pytest.fixture
def repo(vault: Path) -> Path:
    write_vault(vault, {
        "domains/ai/_map.md": "# AI\n\n## Core\n- [[old claim was wrong]] — superseded soon\n- [[new claim is right]] — the replacement\n",
        "maps/overview.md": "# Overview\n\n- [[old claim was wrong]] — listed here too\n",
        OLD: claim("old claim was wrong", "body"),
        "domains/ai/new claim is right.md": claim("new claim is right", "replaces [[old claim was wrong]]"),
    })
    return git_init(vault)


def test_retire_sets_status_and_reason_and_unlists(repo: Path) -> None:
    before = (repo / OLD).read_text()
    result = run(["retire", "old claim was wrong", "--reason", "superseded by: new claim is right", "--json"], cwd=repo)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["note"] == OLD and doc["commit"]
    assert sorted(doc["files_changed"]) == ["domains/ai/_map.md", OLD, "maps/overview.md"]
    after = (repo / OLD).read_text()
    # two lines inserted before the closing `---`, nothing else changed
    assert after == before.replace('created: 2026-01-01\n---', 'created: 2026-01-01\nstatus: retired\nretired_reason: "superseded by: new claim is right"\n---')
    assert "old claim" not in (repo / "domains/ai/_map.md").read_text()
    assert "old claim" not in (repo / "maps/overview.md").read_text()
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1]) == sorted(doc["files_changed"])
    assert "retire old claim was wrong" in git(repo, "log", "-1", "--format=%s")
    # links to it still resolve; a retired claim is not "unmapped"
    check = run(["check", "--json"], cwd=repo).json()
    assert check["broken_links"] == []
    assert not [p for p in check["problems"] if p["code"] == "unmapped"]
    again = run(["retire", "old claim was wrong", "--reason", "another reason"], cwd=repo)
    assert again.code == 3 and "already retired (superseded by: new claim is right)" in again.stderr


def test_retire_replaces_an_existing_status_line(vault: Path) -> None:
    note = claim("old claim was wrong", extra="status: active\nretired_reason: old\n")
    write_vault(vault, {OLD: note, "domains/ai/_map.md": "# AI\n"})
    git_init(vault)
    assert run(["retire", OLD, "--reason", "plain words"], cwd=vault).code == 0
    assert (vault / OLD).read_text() == note.replace("status: active\nretired_reason: old\n", "status: retired\nretired_reason: plain words\n")
    again = run(["retire", OLD, "--reason", "plain words"], cwd=vault)
    assert again.code == 0 and "nothing to change" in again.stderr


def test_retire_note_without_frontmatter(vault: Path) -> None:
    write_vault(vault, {"notes/loose idea.md": "# loose idea\n\ntext\n"})
    git_init(vault)
    assert run(["retire", "loose idea", "--reason", "dropped"], cwd=vault).code == 0
    assert (vault / "notes/loose idea.md").read_text() == "---\nstatus: retired\nretired_reason: dropped\n---\n\n# loose idea\n\ntext\n"


def test_retire_crlf(vault: Path) -> None:
    note = claim("old claim was wrong").replace("\n", "\r\n")
    write_vault(vault, {OLD: note.encode()})
    git_init(vault)
    assert run(["retire", OLD, "--reason", "r"], cwd=vault).code == 0
    assert b"created: 2026-01-01\r\nstatus: retired\r\nretired_reason: r\r\n---\r\n" in (vault / OLD).read_bytes()


def test_retire_needs_reason_headless_and_refuses_beliefs(repo: Path) -> None:
    missing = run(["retire", "old claim was wrong"], cwd=repo)
    assert missing.code == 2 and "--reason" in missing.stderr
    write_vault(repo, {"agents/a/beliefs.md": "---\ntype: belief\nstatus: active\n---\n# beliefs\n"})
    refused = run(["retire", "agents/a/beliefs.md", "--reason", "x"], cwd=repo)
    assert refused.code == 3 and "cannot be retired" in refused.stderr
    dry = snapshot(repo)
    result = run(["retire", "old claim was wrong", "--reason", "x", "--dry-run"], cwd=repo)
    assert result.code == 0 and "+status: retired" in result.stdout
    assert snapshot(repo) == dry
