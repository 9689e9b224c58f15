"""`codex rename` end to end: the CLI, git, refusals, previews and all-or-nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import claim, git, git_init, run, snapshot, write_vault

OLD = "markets beat votes for information aggregation"
NEW = "prediction markets aggregate information better than votes"
OLD_PATH = f"domains/ai/{OLD}.md"
NEW_PATH = f"domains/ai/{NEW}.md"


def make_vault(root: Path) -> Path:
    write_vault(root, {
        "domains/ai/_map.md": f"# AI\n\n## Mechanisms\n- [[{OLD}]] — markets beat votes\n- [[other claim is here]] — other\n",
        "domains/bio/_map.md": "# Bio\n\n## Mechanisms\n- [[bio claim grows here]] — bio\n",
        OLD_PATH: claim(OLD, "Evidence that markets win.\n\nIt is long enough for git to see a rename of it, with a few more words.", links=["other claim is here"]),
        "domains/ai/other claim is here.md": claim(
            "other claim is here",
            f"Since [[{OLD}]], and [[{OLD.capitalize()}|markets]] and ![[{OLD}#Evidence]].\n\n`[[{OLD}]]` in code.\n\n```\n[[{OLD}]]\n```",
            extra=f'depends_on:\n  - "[[{OLD}]]"\n  - {OLD}.md\n',
            links=[OLD],
        ),
        "domains/bio/bio claim grows here.md": claim("bio claim grows here", f"see [[domains/ai/{OLD}]]", domain="bio", links=[]),
    })
    return git_init(root)


def test_rename_rewrites_every_reference_and_commits_a_git_rename(vault: Path) -> None:
    make_vault(vault)
    result = run(["--json", "rename", OLD, NEW, "--yes", "--agent", "leo"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["from"] == OLD_PATH and doc["to"] == NEW_PATH
    assert doc["links_rewritten"] == 8
    assert sorted(doc["files_changed"]) == sorted([
        "domains/ai/_map.md", "domains/ai/other claim is here.md", "domains/bio/bio claim grows here.md", NEW_PATH,
    ])
    other = (vault / "domains/ai/other claim is here.md").read_text()
    assert f"Since [[{NEW}]], and [[{NEW.capitalize()}|markets]] and ![[{NEW}#Evidence]]." in other
    assert f'  - "[[{NEW}]]"\n  - {NEW}.md\n' in other
    assert f"`[[{OLD}]]` in code" in other and f"```\n[[{OLD}]]\n```" in other
    assert f"see [[domains/ai/{NEW}]]" in (vault / "domains/bio/bio claim grows here.md").read_text()
    assert f"# {NEW}\n" in (vault / NEW_PATH).read_text()
    assert not (vault / OLD_PATH).exists()
    # one commit on a new branch, with the subject, counts and trailer; history follows the file
    assert doc["commit"] and doc["branch"].startswith("leo/")
    log = git(vault, "log", "-1", "--format=%B")
    assert log.startswith(f"leo: rename {OLD} → {NEW[:57]}")
    assert "rewrote 8 links in 3 files" in log and "Pentagon-Agent: Leo <HEADLESS>" in log
    assert git(vault, "status", "--porcelain") == ""
    follow = git(vault, "log", "--follow", "--format=%s", "--", NEW_PATH).splitlines()
    assert follow == [log.splitlines()[0], "start"]
    status = git(vault, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert any(line.startswith("R") and line.endswith(f"\t{OLD_PATH}\t{NEW_PATH}") for line in status), status
    check = run(["--json", "check"], cwd=vault).json()
    assert check["broken_links"] == []


def test_rename_and_back_restores_every_byte(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    assert run(["rename", OLD, NEW, "--yes"], cwd=vault).code == 0
    assert run(["rename", NEW, OLD, "--yes"], cwd=vault).code == 0
    assert snapshot(vault) == before
    assert git(vault, "diff", "main", "--stat") == ""


def test_a_title_with_an_apostrophe_round_trips_its_h1(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    said = "markets don't beat votes: they aggregate information"
    renamed = run(["--json", "rename", OLD, said, "--yes"], cwd=vault)
    assert renamed.code == 0, renamed.stderr
    path = "domains/ai/markets dont beat votes they aggregate information.md"
    assert renamed.json()["to"] == path
    assert f"# {said}\n" in (vault / path).read_text()  # the H1 keeps what the file name leaves out
    back = run(["--json", "rename", path, OLD, "--yes"], cwd=vault)
    assert back.code == 0 and back.json()["summary"]["h1"] is True, back.stderr
    assert snapshot(vault) == before


def test_a_map_is_not_renamed_out_of_being_a_map(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = run(["rename", "domains/ai/_map.md", "ai overview", "--yes"], cwd=vault)
    assert result.code == 3 and "is a map" in result.stderr
    assert snapshot(vault) == before


def test_dry_run_prints_the_diff_and_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = run(["rename", OLD, NEW, "--dry-run"], cwd=vault)
    assert result.code == 0, result.stderr
    assert f"rename from {OLD_PATH}\nrename to {NEW_PATH}\n" in result.stdout
    assert f"-Since [[{OLD}]]" in result.stdout and f"+Since [[{NEW}]]" in result.stdout
    assert "8 links in 3 files" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(vault) == before
    assert git(vault, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    doc = run(["--json", "rename", OLD, NEW, "--dry-run"], cwd=vault).json()
    assert doc["dry_run"] is True and doc["commit"] is None and doc["diff"].startswith("diff --git")
    assert doc["message"].startswith(f"test-person: rename {OLD} → ")


def test_headless_without_yes_refuses_naming_the_flag(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = run(["rename", OLD, NEW], cwd=vault)
    assert result.code == 2
    assert "--yes" in result.stderr
    assert snapshot(vault) == before
    missing = run(["rename", OLD], cwd=vault)
    assert missing.code == 2 and "NEW_TITLE" in missing.stderr


def test_headless_without_yes_says_first_what_else_is_wrong(vault: Path) -> None:
    """An agent was told `pass --yes`, passed it, and only then heard that the note does not exist."""
    make_vault(vault)
    gone = run(["rename", "no such claim anywhere", NEW], cwd=vault)
    assert gone.code == 3 and "not found: no such claim anywhere" in gone.stderr
    taken = run(["rename", OLD, "Other Claim Is Here"], cwd=vault)
    assert taken.code == 3 and "already exists" in taken.stderr
    asked = run(["rename", OLD, NEW], cwd=vault)
    assert asked.code == 2 and f"no terminal to confirm renaming {OLD_PATH} (8 links in 3 files)" in asked.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([OLD, "Other Claim Is Here"], 3, "already exists: domains/ai/other claim is here.md"),
        ([OLD, "  "], 3, "invalid title: the title is empty"),
        ([OLD, "a/b"], 3, "invalid title"),
        ([OLD, "C# is a language people use"], 3, "cannot be written in a [[link]]"),
        (["no such claim at all", NEW], 3, "not found"),
        ([OLD, OLD], 3, "nothing to do"),
        ([OLD, OLD.replace(" ", ": ", 1) + "?"], 3, "once : ? are left out"),
    ],
)
def test_refusals(vault: Path, args: list[str], code: int, message: str) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = run(["rename", *args, "--yes"], cwd=vault)
    assert result.code == code, result.stderr
    assert message in result.stderr
    assert snapshot(vault) == before


def test_a_title_shared_with_another_folder_is_allowed_and_round_trips(vault: Path) -> None:
    make_vault(vault)
    start = snapshot(vault)
    result = run(["--json", "rename", OLD, "bio claim grows here", "--yes", "--no-branch"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert any("domains/bio/bio claim grows here.md has this title too" in n for n in doc["notes"])
    other = (vault / "domains/ai/other claim is here.md").read_text()
    # from domains/ai the bare title reaches the renamed note (same folder): kept bare
    assert "Since [[bio claim grows here]]" in other
    # from domains/bio it would reach the bio note: the link becomes a path
    bio = (vault / "domains/bio/bio claim grows here.md").read_text()
    assert "see [[domains/ai/bio claim grows here]]" in bio
    check = run(["check", "--json"], cwd=vault).json()
    assert check["broken_links"] == []
    back = run(["rename", "domains/ai/bio claim grows here.md", OLD, "--yes", "--no-branch"], cwd=vault)
    assert back.code == 0, back.stderr
    assert snapshot(vault) == start


def test_ambiguous_note_lists_candidates(vault: Path) -> None:
    write_vault(vault, {"agents/a/beliefs.md": "# a\n", "agents/b/beliefs.md": "# b\n"})
    git_init(vault)
    result = run(["rename", "beliefs", "core beliefs", "--yes"], cwd=vault)
    assert result.code == 3
    assert "agents/a/beliefs.md" in result.stderr and "agents/b/beliefs.md" in result.stderr
    ok = run(["rename", "agents/a/beliefs.md", "a beliefs", "--yes"], cwd=vault)
    assert ok.code == 0, ok.stderr


def test_uncommitted_changes_refuse_unless_forced(vault: Path) -> None:
    make_vault(vault)
    other = vault / "domains/ai/other claim is here.md"
    other.write_text(other.read_text() + "\nwork in progress\n")
    result = run(["rename", OLD, NEW, "--yes"], cwd=vault)
    assert result.code == 3
    assert "uncommitted changes" in result.stderr and "other claim is here.md" in result.stderr
    assert (vault / OLD_PATH).exists()
    forced = run(["rename", OLD, NEW, "--yes", "--force", "--no-commit"], cwd=vault)
    assert forced.code == 0, forced.stderr
    assert "work in progress" in other.read_text() and f"[[{NEW}]]" in other.read_text()


def test_no_commit_stages_only_the_rename(vault: Path) -> None:
    make_vault(vault)
    write_vault(vault, {"unrelated.md": "staged before\n"})
    git(vault, "add", "unrelated.md")
    result = run(["--json", "rename", OLD, NEW, "--yes", "--no-commit", "--no-branch"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["commit"] is None
    staged = git(vault, "diff", "--cached", "--name-status").splitlines()
    assert "A\tunrelated.md" in staged
    assert any(line.startswith("R") and NEW_PATH in line for line in git(vault, "diff", "--cached", "-M", "--name-status").splitlines())
    # and a committed rename leaves other staged files staged
    git(vault, "commit", "-qm", "rename", "--", OLD_PATH, NEW_PATH, "domains")
    assert run(["rename", NEW, OLD, "--yes", "--no-branch"], cwd=vault).code == 0
    assert git(vault, "diff", "--cached", "--name-only").split() == ["unrelated.md"]


def test_case_only_rename(vault: Path) -> None:
    make_vault(vault)
    result = run(["--json", "rename", OLD, OLD.capitalize(), "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    assert (vault / f"domains/ai/{OLD.capitalize()}.md").exists()
    assert not (vault / OLD_PATH).exists()
    text = (vault / "domains/ai/other claim is here.md").read_text()
    assert f"Since [[{OLD.capitalize()}]]" in text
    assert git(vault, "status", "--porcelain") == ""


def test_case_only_rename_on_a_case_insensitive_file_system(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a file system where `Old.md` and `old.md` are one file: apply goes through a temporary name."""
    import os

    from codex_cli.adapters import confined
    from codex_cli.ops import rename as rename_mod

    make_vault(vault)

    def same_file(a: Path, b: Path) -> bool:
        return str(a).lower() == str(b).lower() and (os.path.lexists(a) or os.path.lexists(b))

    renames: list[tuple[str, str]] = []
    real_rename = confined.rename

    def tracking_rename(root: Path, src: str, dst: str) -> None:
        renames.append((src, dst))
        real_rename(root, src, dst)

    monkeypatch.setattr(confined, "same_file", lambda root, a, b: same_file(Path(root, a), Path(root, b)))
    monkeypatch.setattr(rename_mod, "_same_file", same_file)
    monkeypatch.setattr(confined, "rename", tracking_rename)
    result = run(["rename", OLD, OLD.upper(), "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    assert any(dst.endswith("c.tmp") and "/.codex-" in dst for _, dst in renames)  # aside, under a temporary name
    assert (vault / f"domains/ai/{OLD.upper()}.md").exists()
    assert not list(vault.rglob(".codex-rename-*"))


def test_a_file_changed_after_planning_means_nothing_is_written(vault: Path) -> None:
    from codex_cli.errors import StaleFile
    from codex_cli.ops.commit import CommitOptions
    from codex_cli.ops.rename import Prepared, RenameRequest, rename
    from codex_cli.vault import Vault

    make_vault(vault)
    other = vault / "domains/ai/other claim is here.md"

    def meddle(prepared: Prepared) -> bool:
        other.write_text(other.read_text() + "\nchanged meanwhile\n")
        return True

    expected = {**snapshot(vault), "domains/ai/other claim is here.md": other.read_bytes() + b"\nchanged meanwhile\n"}
    with pytest.raises(StaleFile):
        rename(Vault.open(vault), RenameRequest(OLD, NEW), CommitOptions(), confirm=meddle)
    assert snapshot(vault) == expected
    assert git(vault, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_a_failed_write_restores_every_file(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import confined

    make_vault(vault)
    before = snapshot(vault)
    real = confined.write_atomic
    calls = {"n": 0}

    def failing(root: Path, path: str, data: bytes, mode: int, tmp: str, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", path)
        real(root, path, data, mode, tmp, **kw)

    monkeypatch.setattr(confined, "write_atomic", failing)
    result = run(["rename", OLD, NEW, "--yes"], cwd=vault)
    assert result.code == 3
    assert "every file was restored" in result.stderr
    assert snapshot(vault) == before
    assert git(vault, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_move_to_another_domain_moves_domain_and_map_entry(vault: Path) -> None:
    make_vault(vault)
    result = run(["--json", "rename", OLD, "--move-to", "domains/bio", "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    moved = vault / f"domains/bio/{OLD}.md"
    assert "domain: bio\n" in moved.read_text()
    assert f"[[{OLD}]]" not in (vault / "domains/ai/_map.md").read_text()
    assert f"## Mechanisms\n- [[bio claim grows here]] — bio\n- [[{OLD}]] — markets beat votes\n" in (vault / "domains/bio/_map.md").read_text()
    assert f"see [[domains/bio/{OLD}]]" in (vault / "domains/bio/bio claim grows here.md").read_text()
    assert result.json()["summary"]["map"] == ["domains/ai/_map.md", "domains/bio/_map.md"]
    check = run(["--json", "check"], cwd=vault).json()
    assert check["broken_links"] == []


def test_move_to_a_folder_off_by_a_typo_says_the_closest(vault: Path) -> None:
    """`--move-to domains/bo` would make a new domain folder with only `does not exist yet` said."""
    make_vault(vault)
    typo = run(["rename", OLD, "--move-to", "domains/bo", "--dry-run"], cwd=vault)
    assert "warning: domains/bo/ does not exist yet; it will be created (did you mean domains/bio/?)" in typo.stderr
    new = run(["rename", OLD, "--move-to", "domains/zoology", "--dry-run"], cwd=vault)
    assert "domains/zoology/ does not exist yet; it will be created\n" in new.stderr
    doc = run(["--json", "rename", OLD, "--move-to", "domains/bo", "--dry-run"], cwd=vault).json()
    assert doc["warnings"] == doc["notes"] and "did you mean domains/bio/?" in doc["warnings"][0]  # "warnings", as new and map say


def test_works_outside_git_and_with_non_ascii_titles(vault: Path) -> None:
    write_vault(vault, {
        "d/café culture spreads ideas.md": "# café culture spreads ideas\n",
        "d/x.md": "[[Café culture spreads ideas]] and [[cafe\u0301 culture spreads ideas]]\n",
    })
    result = run(["--json", "rename", "café culture spreads ideas", "tea culture spreads ideas", "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["commit"] is None
    assert (vault / "d/x.md").read_text() == "[[Tea culture spreads ideas]] and [[tea culture spreads ideas]]\n"


@pytest.mark.parametrize("many", [False, True])
def test_git_paths_with_and_without_pathspecs(vault: Path, monkeypatch: pytest.MonkeyPatch, many: bool) -> None:
    """Above git.MANY_PATHS the adapter commits without pathspecs: same result, other staged changes stay staged."""
    from codex_cli.adapters import git as git_mod

    if many:
        monkeypatch.setattr(git_mod, "MANY_PATHS", 0)
    make_vault(vault)
    hook = vault / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ngit diff --cached --name-only > .git/hook-saw\n")
    hook.chmod(0o755)
    write_vault(vault, {"unrelated.md": "staged before\n"})
    git(vault, "add", "unrelated.md")
    other = vault / "domains/bio/bio claim grows here.md"
    other.write_text(other.read_text() + "\nunsaved\n")
    refused = run(["rename", OLD, NEW, "--yes"], cwd=vault)
    assert refused.code == 3 and "bio claim grows here.md" in refused.stderr
    git(vault, "add", "domains/bio/bio claim grows here.md")  # staged, work tree = index: still dirty
    refused = run(["rename", OLD, NEW, "--yes"], cwd=vault)
    assert refused.code == 3 and "bio claim grows here.md" in refused.stderr
    git(vault, "reset", "-q", "HEAD", "--", "domains/bio/bio claim grows here.md")
    git(vault, "checkout", "--", "domains/bio/bio claim grows here.md")
    result = run(["--json", "rename", OLD, NEW, "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    committed = git(vault, "show", "--name-only", "--no-renames", "--format=", "HEAD").split("\n")
    assert "unrelated.md" not in committed and NEW_PATH in committed and OLD_PATH in committed
    assert git(vault, "diff", "--cached", "--name-only").split() == ["unrelated.md"]
    assert git(vault, "status", "--porcelain", "--", "domains").strip() == ""
    assert "unrelated.md" not in (vault / ".git" / "hook-saw").read_text()
    assert NEW_PATH in (vault / ".git" / "hook-saw").read_text()
    assert not list((vault / ".git").glob("codex-index-*"))


def test_vault_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    kb = repo / "kb"
    make_vault(kb)
    (kb / ".git").rename(repo / ".git")
    write_vault(kb, {".codex.yaml": "version: 1\n", "tracked note.md": f"[[{OLD}]]\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "move into kb/")
    write_vault(kb, {"new untracked.md": f"see [[{OLD}|it]]\n"})
    refused = run(["rename", OLD, NEW, "--yes"], cwd=kb)  # the untracked note is found, and is not committed yet
    assert refused.code == 3 and "kb/new untracked.md" in refused.stderr
    result = run(["--json", "rename", OLD, NEW, "--yes", "--force"], cwd=kb)
    assert result.code == 0, result.stderr
    assert "new untracked.md" in result.json()["files_changed"]
    assert (kb / "new untracked.md").read_text() == f"see [[{NEW}|it]]\n"
    assert (kb / "tracked note.md").read_text() == f"[[{NEW}]]\n"
    committed = git(repo, "show", "--name-only", "--no-renames", "--format=", "HEAD").split("\n")
    assert f"kb/{NEW_PATH}" in committed and f"kb/{OLD_PATH}" in committed and "kb/new untracked.md" in committed
    assert git(repo, "status", "--porcelain").strip() == ""


def test_the_output_says_where_the_commit_is_and_the_way_back(vault: Path) -> None:
    make_vault(vault)
    first = run(["rename", OLD, NEW, "--yes", "--agent", "leo"], cwd=vault)
    branch = git(vault, "branch", "--show-current").strip()
    assert first.code == 0 and branch.startswith("leo/")
    assert f" on {branch}\n" in first.stderr and "back to where you were: git switch main" in first.stderr
    again = run(["rename", NEW, OLD, "--yes", "--agent", "leo"], cwd=vault)  # on its own branch: no way back to give
    assert again.code == 0 and f" on {branch}\n" in again.stderr and "back to where you were" not in again.stderr
