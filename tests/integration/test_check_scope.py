"""Scoped checks: `check PATH`, `--changed [--since REF]`, `--staged`; links to retired notes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.helpers import claim, git, git_init, run, write_vault

RETIRED = claim("old idea", "withdrawn", domain="livingip", extra='status: retired\nretired_reason: "wrong"\n')


def make(vault: Path) -> Path:
    write_vault(vault, {
        "a.md": "# a\n\nsee [[beta note]] and [[c]]\n",
        "beta note.md": "# beta note\n\nplain\n",
        "c.md": "# c\n\nsee [[old idea]]\n",
        "sub/old idea.md": RETIRED,
        "d.md": "# d\n\nsee [[sub/old idea|the old one]]\n",
    })
    return git_init(vault)


def test_changed_checks_edited_and_new_notes_and_those_a_deletion_breaks(vault: Path) -> None:
    make(vault)
    (vault / "beta note.md").unlink()
    (vault / "new.md").write_text("# new\n\n[[nowhere]]\n")
    (vault / "c.md").write_text("# c\n\nedited\n")
    result = run(["check", "--changed", "--json"], cwd=vault)
    assert result.code == 1, result.stderr
    doc = result.json()
    assert doc["checked"] == ["a.md", "c.md", "new.md"]  # a.md: it links to the deleted b
    assert sorted((b["file"], b["target"]) for b in doc["broken_links"]) == [("a.md", "beta note"), ("new.md", "nowhere")]
    assert doc["notes"] == 3
    text = run(["check", "--changed"], cwd=vault)
    assert "a.md" in text.stdout and "[[beta note]] resolves to no note" in text.stdout and text.stdout.rstrip().endswith("3 notes, 3 links: 2 errors, 0 warnings")


def test_changed_compares_with_the_merge_base_of_main_or_since(vault: Path) -> None:
    make(vault)
    git(vault, "checkout", "-q", "-b", "topic")
    (vault / "a.md").write_text("# a\n\n[[gone]]\n")
    git(vault, "commit", "-q", "-am", "topic work")
    assert run(["check", "--changed", "--json"], cwd=vault).json()["checked"] == ["a.md"]  # committed on the branch
    assert run(["check", "--since", "HEAD", "--json"], cwd=vault).json()["checked"] == []
    missing = run(["check", "--since", "no-such-ref"], cwd=vault)
    assert missing.code == 2 and "--since no-such-ref: no such commit" in missing.stderr
    git(vault, "branch", "-q", "-m", "main", "trunk")
    orphan = run(["check", "--changed"], cwd=vault)
    assert orphan.code == 2 and "no base branch" in orphan.stderr and "--since REF" in orphan.stderr


def test_staged_is_what_a_commit_records(vault: Path) -> None:
    make(vault)
    git(vault, "rm", "-q", "beta note.md")
    (vault / "draft.md").write_text("# draft\n\n[[not yet written]]\n")  # untracked: not in the commit
    (vault / "c.md").write_text("# c\n\n[[unstaged edit]]\n")  # not staged: not in the commit
    doc = run(["check", "--staged", "--json"], cwd=vault).json()
    assert doc["checked"] == ["a.md"] and [b["target"] for b in doc["broken_links"]] == ["beta note"]


def test_links_to_retired_notes_are_warnings_in_every_kind_of_check(vault: Path) -> None:
    make(vault)
    full = run(["check", "--json"], cwd=vault)
    assert full.code == 0
    warned = sorted((p["file"], p["message"]) for p in full.json()["problems"] if p["code"] == "retired-link")
    assert warned == [
        ("c.md", "[[old idea]] links to a retired note: sub/old idea"),
        ("d.md", "[[sub/old idea]] links to a retired note: sub/old idea"),
    ]
    one = run(["check", "c.md", "--json"], cwd=vault).json()
    assert [p["code"] for p in one["problems"]] == ["retired-link"]
    assert run(["check", "c.md", "--strict"], cwd=vault).code == 1


def test_a_hook_running_the_entry_blocks_a_commit_whose_deletion_breaks_links(vault: Path) -> None:
    make(vault)
    codex = Path(sys.executable).with_name("codex")
    hook = vault / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\nexec "{codex}" check --staged --missing-ok --quiet\n')
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "NO_COLOR": "1"}
    (vault / "draft.md").write_text("[[an untracked draft may be broken]]\n")
    git(vault, "rm", "-q", "beta note.md")
    blocked = subprocess.run(["git", "commit", "-q", "-m", "drop b"], cwd=vault, capture_output=True, text=True, env=env)
    assert blocked.returncode != 0 and "a.md" in blocked.stdout + blocked.stderr
    (vault / "a.md").write_text("# a\n\nsee [[c]]\n")
    git(vault, "add", "a.md")
    ok = subprocess.run(["git", "commit", "-q", "-m", "drop b and its link"], cwd=vault, capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_many_paths_fall_back_to_the_whole_vault_check(vault: Path, monkeypatch: object) -> None:
    from codex_cli.ops import check as ops_check

    monkeypatch.setattr(ops_check, "SCOPED_UP_TO", 1)  # type: ignore[attr-defined]
    make(vault)
    write_vault(vault, {"e.md": claim("e", "[[missing]]")})
    doc = run(["check", "a.md", "e.md", "--json"], cwd=vault).json()
    assert doc["checked"] == ["a.md", "e.md"] and [b["file"] for b in doc["broken_links"]] == ["e.md"]


def _checked(vault: Path) -> dict[str, list[tuple[str, str]]]:
    """`check --changed --json`: each checked note's (code, target) findings."""
    doc = run(["check", "--changed", "--json"], cwd=vault).json()
    out: dict[str, list[tuple[str, str]]] = {p: [] for p in doc["checked"]}
    for b in doc["broken_links"]:
        out[b["file"]].append(("broken-link", b["target"]))
    for p in doc["problems"]:
        out[p["file"]].append((p["code"], p.get("target", "")))
    return out


def test_a_map_that_stops_listing_a_claim_checks_the_claim(vault: Path) -> None:
    write_vault(vault, {
        "_map.md": "# map\n\n- [[one]] — first\n- [[two]] — second\n",
        "one.md": claim("one", "x"),
        "two.md": claim("two", "x"),
    })
    git_init(vault)
    (vault / "_map.md").write_text("# map\n\n- [[one]] — first\n")
    found = _checked(vault)
    assert sorted(found) == ["_map.md", "two.md"] and ("unmapped", "") in found["two.md"]


def test_a_note_retired_in_the_change_checks_its_linkers_and_maps(vault: Path) -> None:
    make(vault)
    write_vault(vault, {"_map.md": "# map\n\n- [[beta note]] — b\n"})
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "map")
    (vault / "beta note.md").write_text("---\nstatus: retired\n---\n# beta note\n")
    found = _checked(vault)
    assert found["a.md"] == [("retired-link", "beta note")] and found["_map.md"] == [("retired-entry", "beta note")]


def test_an_alias_dropped_or_a_note_renamed_checks_the_links_it_broke(vault: Path) -> None:
    write_vault(vault, {
        "target.md": "---\naliases: [the target]\n---\n# target\n",
        "uses alias.md": "# u\n\n[[the target]]\n",
        "uses title.md": "# v\n\n[[target]]\n",
    })
    git_init(vault)
    (vault / "target.md").write_text("# target\n")
    assert _checked(vault) == {"target.md": [], "uses alias.md": [("broken-link", "the target")]}
    git(vault, "mv", "target.md", "renamed.md")  # git sees a deletion and an addition
    found = _checked(vault)
    assert found["uses title.md"] == [("broken-link", "target")] and "renamed.md" in found


def test_a_change_that_reaches_many_notes_falls_back_to_the_whole_vault_check(vault: Path, monkeypatch: object) -> None:
    from codex_cli.ops import check as ops_check

    make(vault)
    (vault / "beta note.md").unlink()
    (vault / "c.md").write_text("# c\n\n[[beta note]]\n")
    scoped = run(["check", "--changed", "--json"], cwd=vault).json()
    monkeypatch.setattr(ops_check, "SCOPED_UP_TO", 1)  # type: ignore[attr-defined]
    whole = run(["check", "--changed", "--json"], cwd=vault).json()
    assert scoped == whole and scoped["checked"] == ["a.md", "c.md"]


def test_changed_takes_the_search_cli_early_started_for_the_change(vault: Path, monkeypatch: object) -> None:
    from codex_cli.adapters import grep, listing
    from codex_cli.ops.check import run_check
    from codex_cli.vault import Vault

    make(vault)
    (vault / "beta note.md").unlink()
    write_vault(vault, {"fresh note.md": "# f\n\n[[c]]\n", "linker.md": "# l\n\n[[fresh note]]\n"})  # untracked: their titles are searched for too
    started: list[tuple[str, ...]] = []
    real = grep.Search.__init__

    def counting(self: grep.Search, root: Path, title: str, *more: str, **kw: object) -> None:
        started.append((title, *more))
        real(self, root, title, *more, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(grep.Search, "__init__", counting)  # type: ignore[attr-defined]
    doc = run(["check", "--changed", "--json"], cwd=vault).json()
    # started by cli.early once git diff answered, again with the untracked notes once git ls-files did
    assert started == [("beta note", "aliases"), ("beta note", "fresh note", "linker", "aliases")]
    assert listing._early is None
    assert doc["checked"] == sorted(run_check(Vault.open(vault), changed=True).selected or ())
    assert doc["checked"] == ["a.md", "fresh note.md", "linker.md"]
