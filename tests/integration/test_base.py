"""`--base REF`: off another agent's branch, a command starts from REF and commits on a new branch from it."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, run, snapshot, write_vault
from tests.integration.new_vault import FLAGS, NEW, branch, head_files, make_vault
from tests.integration.test_extract import PLAN, SOURCE, SOURCE_TEXT

THESEUS = "theseus/rename-x"
THESEUS_NOTE = "domains/ai/a claim only theseus's branch has.md"


def on_theseus_branch(vault: Path) -> str:
    """A vault whose current branch is theseus's, one commit ahead of main (it changes the map); its head."""
    make_vault(vault, commit=False)
    write_vault(vault, {"agents/theseus/identity.md": "# theseus\n", "agents/rio/identity.md": "# rio\n", SOURCE: SOURCE_TEXT})
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "start")
    git(vault, "switch", "-q", "-c", THESEUS)
    write_vault(vault, {THESEUS_NOTE: "---\ntype: claim\n---\n\n# theirs\n"})
    with (vault / "domains/ai/_map.md").open("a") as f:
        f.write("\n- [[a claim only theseus's branch has]] — theirs\n")
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "theseus: work in progress")
    return git(vault, "rev-parse", "HEAD").strip()


def claim(*extra: str) -> list[str]:
    return ["--no-input", "new", "claim", NEW, *FLAGS, "--agent", "rio", *extra]


def test_on_another_agents_branch_without_base_it_is_refused_with_the_hint(vault: Path) -> None:
    theirs = on_theseus_branch(vault)
    result = run(claim(), cwd=vault)
    assert result.code == 3 and "theseus's branch" in result.stderr and "--base main" in result.stderr
    assert branch(vault) == THESEUS and git(vault, "rev-parse", "HEAD").strip() == theirs


def test_with_base_main_it_commits_on_a_fresh_branch_from_main_and_leaves_theirs_alone(vault: Path) -> None:
    theirs = on_theseus_branch(vault)
    main = git(vault, "rev-parse", "main").strip()
    result = run(claim("--base", "main", "--json"), cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert branch(vault) == doc["branch"] and doc["branch"].startswith("rio/")
    assert git(vault, "rev-parse", "HEAD~1").strip() == main  # from main, not from theseus's branch
    assert head_files(vault) == sorted([f"domains/ai/{NEW}.md", "domains/ai/_map.md"])
    assert not (vault / THESEUS_NOTE).exists()  # planned against main's files: theseus's map line is not in it
    assert "only theseus" not in (vault / "domains/ai/_map.md").read_text()
    assert git(vault, "rev-parse", THESEUS).strip() == theirs


def test_on_your_own_branch_it_commits_there(vault: Path) -> None:
    theirs = on_theseus_branch(vault)
    result = run([*claim()[:-1], "theseus"], cwd=vault)
    assert result.code == 0, result.stderr
    assert branch(vault) == THESEUS and git(vault, "rev-parse", "HEAD~1").strip() == theirs


def test_an_extraction_with_base_main_goes_on_its_extract_branch_from_main(vault: Path) -> None:
    on_theseus_branch(vault)
    (vault.parent / "plan.yaml").write_text(PLAN)
    args = ["--no-input", "extract", SOURCE, "--plan", str(vault.parent / "plan.yaml"), "--agent", "rio"]
    refused = run(args, cwd=vault)
    assert refused.code == 3 and "--base main" in refused.stderr and branch(vault) == THESEUS
    result = run([*args, "--base", "main"], cwd=vault)
    assert result.code == 0, result.stderr
    assert branch(vault) == "extract/2026-02-21-rakka-omnipair-rate-controller"
    assert git(vault, "rev-parse", "HEAD~1").strip() == git(vault, "rev-parse", "main").strip()
    assert f"back to where you were: git switch {THESEUS}" in result.stderr


def test_base_never_carries_uncommitted_work_and_goes_back_when_nothing_lands(vault: Path) -> None:
    theirs = on_theseus_branch(vault)
    (vault / THESEUS_NOTE).write_text("---\ntype: claim\n---\n\n# theirs, edited\n")
    before = snapshot(vault)
    dirty = run(claim("--base", "main"), cwd=vault)
    assert dirty.code == 3 and "uncommitted changes" in dirty.stderr and "stash" in dirty.stderr
    assert snapshot(vault) == before and branch(vault) == THESEUS
    git(vault, "checkout", "-q", "--", THESEUS_NOTE)
    before = snapshot(vault)
    dry = run(claim("--base", "main", "--dry-run"), cwd=vault)
    assert dry.code == 0, dry.stderr
    assert "only theseus" not in dry.stdout  # the diff is against main's map
    assert branch(vault) == THESEUS and snapshot(vault) == before  # back where it was
    refused = run(["--no-input", "new", "claim", "x", *FLAGS, "--agent", "rio", "--base", "main"], cwd=vault)  # a bad title
    assert refused.code != 0 and branch(vault) == THESEUS and snapshot(vault) == before
    unknown = run(claim("--base", "no-such-branch"), cwd=vault)
    assert unknown.code == 2 and "--base no-such-branch: no such branch or commit" in unknown.stderr
    assert git(vault, "rev-parse", "HEAD").strip() == theirs
