"""`codex map add|remove|check|sync` on small vaults, and on a copy of the sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SAMPLE, claim, git, git_init, run, snapshot, write_vault

MAP = (
    "# AI\n\nIntro prose stays as it is.\n\n"
    "## Alignment\n"
    "- [[reward hacking produces deceptive models]] — deception as a side effect\n"
    "- [[a claim that was never written]] — dead entry\n\n"
    "## Governance\n"
    "- [[regulation lags capability growth]] — the governance gap\n"
    "- [[regulation lags capability growth]] — listed twice\n"
    "- [[labs race because safety costs capability]]\n\n"
    "## Open questions\n- What is alignment, really?\n"
)


def files() -> dict[str, str]:
    return {
        "domains/ai/_map.md": MAP,
        "domains/ai/reward hacking produces deceptive models.md": claim("reward hacking produces deceptive models"),
        "domains/ai/regulation lags capability growth.md": claim("regulation lags capability growth"),
        "domains/ai/labs race because safety costs capability.md": claim("labs race because safety costs capability"),
        "domains/ai/reward models drift toward deceptive proxies.md": claim(
            "reward models drift toward deceptive proxies", description="reward hacking and deceptive proxies"
        ),
    }


@pytest.fixture
def repo(vault: Path) -> Path:
    write_vault(vault, files())
    return git_init(vault)


def changed_lines(root: Path) -> list[str]:
    diff = git(root, "diff", "HEAD~1", "-U0")
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_map_check_reports_each_kind(repo: Path) -> None:
    result = run(["map", "check", "--json"], cwd=repo)
    assert result.code == 1  # a dead entry is an error
    doc = result.json()
    got = sorted((p["code"], p["line"]) for p in doc["problems"])
    assert got == [
        ("duplicate-entry", 11),
        ("empty-entry", 12),
        ("unmapped", None),
        ("unresolved-entry", 7),
    ]
    assert doc["maps"] == ["domains/ai/_map.md"] and doc["entries"] == 5
    unmapped = [p for p in doc["problems"] if p["code"] == "unmapped"]
    assert unmapped[0]["file"] == "domains/ai/reward models drift toward deceptive proxies.md"


def test_codex_check_includes_map_findings(repo: Path) -> None:
    doc = run(["check", "--json"], cwd=repo).json()
    codes = {p["code"] for p in doc["problems"] if p["file"] == "domains/ai/_map.md"}
    assert {"duplicate-entry", "empty-entry"} <= codes
    assert [b["line"] for b in doc["broken_links"] if b["file"] == "domains/ai/_map.md"] == [7]


def test_map_add_changes_one_line_and_commits(repo: Path) -> None:
    result = run(["map", "add", "reward models drift toward deceptive proxies", "--json"], cwd=repo)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["added"][0]["section"] == "Alignment"  # most similar entries
    assert doc["commit"]
    assert changed_lines(repo) == ["+- [[reward models drift toward deceptive proxies]] — reward hacking and deceptive proxies"]
    text = (repo / "domains/ai/_map.md").read_text()
    assert "dead entry\n- [[reward models drift toward deceptive proxies]]" in text
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["domains/ai/_map.md"]
    # listed once: a second add is refused
    again = run(["map", "add", "reward models drift toward deceptive proxies"], cwd=repo)
    assert again.code == 3 and "already listed" in again.stderr


def test_map_add_section_and_text_flags_new_section(repo: Path) -> None:
    result = run(["map", "add", "reward models drift toward deceptive proxies", "--section", "Drift", "--text", "one line", "--no-commit"], cwd=repo)
    assert result.code == 0, result.stderr
    text = (repo / "domains/ai/_map.md").read_text()
    assert text == MAP + "\n## Drift\n- [[reward models drift toward deceptive proxies]] — one line\n"
    assert "domains/ai/_map.md" in git(repo, "diff", "--cached", "--name-only")


def test_map_add_dry_run_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    result = run(["map", "add", "reward models drift toward deceptive proxies", "--dry-run"], cwd=repo)
    assert result.code == 0
    assert "+- [[reward models drift toward deceptive proxies]]" in result.stdout
    assert "# would commit on" in result.stdout
    assert snapshot(repo) == before


def test_map_remove_deletes_its_lines(repo: Path) -> None:
    result = run(["map", "remove", "regulation lags capability growth"], cwd=repo)
    assert result.code == 0, result.stderr
    assert changed_lines(repo) == [
        "-- [[regulation lags capability growth]] — the governance gap",
        "-- [[regulation lags capability growth]] — listed twice",
    ]
    missing = run(["map", "remove", "regulation lags capability growth"], cwd=repo)
    assert missing.code == 3 and "not listed" in missing.stderr


def test_unknown_note_and_bad_map(repo: Path) -> None:
    assert run(["map", "add", "no such claim at all"], cwd=repo).code == 3
    bad = run(["map", "add", "regulation lags capability growth", "--map", "domains/ai/regulation lags capability growth.md"], cwd=repo)
    assert bad.code == 2 and "not a map" in bad.stderr


def test_sync_needs_yes_headless(repo: Path) -> None:
    before = snapshot(repo)
    result = run(["map", "sync", "--prune"], cwd=repo)
    assert result.code == 2
    assert "--yes" in result.stderr
    assert snapshot(repo) == before


def test_sync_dry_run_lists_dead_entries_without_prune(repo: Path) -> None:
    result = run(["map", "sync", "--dry-run"], cwd=repo)
    assert result.code == 0
    assert "[[a claim that was never written]] lists no note (pass --prune" in result.stderr
    assert "+- [[reward models drift toward deceptive proxies]]" in result.stdout


def test_sync_prune_then_check_is_clean_of_errors(repo: Path) -> None:
    result = run(["map", "sync", "--prune", "--yes", "--json"], cwd=repo)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert [c["title"] for c in doc["added"]] == ["reward models drift toward deceptive proxies"]
    assert [c["title"] for c in doc["removed"]] == ["a claim that was never written"]
    assert doc["commit"] and doc["branch"]
    lines = changed_lines(repo)
    assert all(line[1:].startswith("- [[") for line in lines), lines
    after = run(["map", "check", "--json"], cwd=repo)
    assert after.code == 0
    assert {p["code"] for p in after.json()["problems"]} == {"duplicate-entry", "empty-entry"}
    # nothing left to do
    again = run(["map", "sync", "--prune", "--yes"], cwd=repo)
    assert again.code == 0 and "nothing to change" in again.stderr


def test_sync_creates_missing_domain_map(vault: Path) -> None:
    write_vault(vault, {"domains/bio/cells divide when signalled.md": claim("cells divide when signalled", domain="bio")})
    git_init(vault)
    result = run(["map", "sync", "--yes", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["maps_created"] == ["domains/bio/_map.md"]
    text = (vault / "domains/bio/_map.md").read_text()
    assert "- [[cells divide when signalled]] — a description that adds context\n" in text
    assert run(["map", "check"], cwd=vault).code == 0


def test_crlf_map_keeps_its_line_endings(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/_map.md": "# AI\r\n\r\n## Core\r\n- [[one claim here]] — x\r\n",
        "domains/ai/one claim here.md": claim("one claim here"),
        "domains/ai/two claims here.md": claim("two claims here"),
    })
    git_init(vault)
    assert run(["map", "add", "two claims here", "--text", "y"], cwd=vault).code == 0
    assert (vault / "domains/ai/_map.md").read_bytes() == b"# AI\r\n\r\n## Core\r\n- [[one claim here]] \xe2\x80\x94 x\r\n- [[two claims here]] \xe2\x80\x94 y\r\n"


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SAMPLE.is_dir():
        pytest.skip("the sample knowledge base is not here")
    root = tmp_path_factory.mktemp("sample") / "codex"
    shutil.copytree(SAMPLE, root)
    for p in root.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    return root


def test_sample_sync_prune_leaves_no_errors_and_only_bullet_lines(sample_repo: Path) -> None:
    before = run(["map", "check", "--json"], cwd=sample_repo)
    assert before.code == 1
    doc = before.json()
    unresolved = [p for p in doc["problems"] if p["code"] == "unresolved-entry"]
    assert len(unresolved) == 9
    assert sum(1 for p in doc["problems"] if p["code"] == "unmapped") == 32
    result = run(["map", "sync", "--prune", "--yes"], cwd=sample_repo)
    assert result.code == 0, result.stderr
    lines = changed_lines(sample_repo)
    assert len(lines) == 32 + 9
    assert all(line[1:].lstrip().startswith("- [[") for line in lines), [x for x in lines if not x[1:].lstrip().startswith("- [[")]
    after = run(["map", "check", "--json"], cwd=sample_repo)
    assert after.code == 0
    assert not [p for p in after.json()["problems"] if p["code"] in ("unresolved-entry", "unmapped")]


def test_shared_title_is_written_as_a_path(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/same title claim.md": claim("same title claim"),
        "domains/bio/same title claim.md": claim("same title claim", domain="bio"),
        "maps/overview.md": "# Overview\n\n## All\n- [[domains/bio/same title claim]] — bio\n",
    })
    git_init(vault)
    result = run(["map", "add", "domains/ai/same title claim.md", "--map", "maps/overview.md", "--text", "ai"], cwd=vault)
    assert result.code == 0, result.stderr
    assert (vault / "maps/overview.md").read_text().endswith("- [[domains/ai/same title claim]] — ai\n")
    doc = run(["map", "check", "--json"], cwd=vault).json()
    assert not [p for p in doc["problems"] if p["file"] == "maps/overview.md"]
