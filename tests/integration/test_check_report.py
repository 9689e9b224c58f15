"""`codex check --summary`, `--only`/`--exclude` and `--format` on a small vault."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import run, write_vault


def make(vault: Path) -> Path:
    return write_vault(vault, {
        "a.md": "# a\n\n[[lost target]] and [[lost target]] and [[b note]]\n",
        "b note.md": "# b note\n\n[[lost target]], [[other, gone]]\n",
        "x/dup.md": "# dup\n",
        "y/dup.md": "# dup\n",
        "c.md": "# c\n\n[[dup]]\n",
    })


def test_summary_counts_codes_and_ranks_broken_targets(vault: Path) -> None:
    make(vault)
    text = run(["check", "--summary"], cwd=vault)
    assert text.code == 1
    lines = text.stdout.splitlines()
    assert lines[0] == "5 notes: 4 errors, 1 warning"
    assert lines[1].split() == ["4", "broken-link", "error"] and lines[2].split() == ["1", "ambiguous-link", "warning"]
    assert lines[3] == "broken targets, most linked first (2 in all):"
    assert lines[4].split()[:2] == ["3", "[[lost"] and "[[other, gone]]" in lines[5]
    doc = run(["check", "--summary", "--json"], cwd=vault).json()
    assert doc["broken_targets"][0] == {"target": "lost target", "links": 3, "files": 2, "suggestion": None}


def test_only_and_exclude_filter_findings_and_the_exit_code(vault: Path) -> None:
    make(vault)
    only = run(["check", "--only", "ambiguous-link", "--json"], cwd=vault)
    assert only.code == 0 and only.json()["broken_links"] == [] and [p["code"] for p in only.json()["problems"]] == ["ambiguous-link"]
    assert run(["check", "--only", "ambiguous-link", "--strict"], cwd=vault).code == 1
    left = run(["check", "--exclude", "broken-link,ambiguous-link", "--json"], cwd=vault)
    assert left.code == 0 and left.json()["errors"] == 0 and left.json()["warnings"] == 0
    assert run(["check", "--only", "no such code!"], cwd=vault).code == 2


def test_an_unknown_code_is_refused_not_filtered_to_nothing(vault: Path) -> None:
    """A typo in --only hid every finding and passed the gate (exit 0)."""
    make(vault)
    typo = run(["check", "--only", "broken-links"], cwd=vault)
    assert typo.code == 2 and typo.stdout == ""
    assert "--only broken-links: not a finding code; did you mean broken-link?" in typo.stderr
    assert "hint: the codes: ambiguous-entry, ambiguous-link," in typo.stderr
    assert run(["check", "--exclude", "ambiguous-link,unmaped"], cwd=vault).code == 2


def test_formats_for_ci(vault: Path) -> None:
    make(vault)
    text = run(["check", "--format", "text", "--only", "ambiguous-link"], cwd=vault)
    assert text.stdout == "c.md:3: warning: [[dup]] matches 2 notes; link one by its path: [[x/dup]] or [[y/dup]] [ambiguous-link]\n"
    github = run(["check", "--format", "github", "b note.md"], cwd=vault).stdout.splitlines()
    assert github[1] == "::error file=b note.md,line=3,title=broken-link::[[other, gone]] resolves to no note"
    gitlab = json.loads(run(["check", "--format", "gitlab"], cwd=vault).stdout)
    assert {i["check_name"] for i in gitlab} == {"broken-link", "ambiguous-link"} and gitlab[0]["location"] == {"path": "a.md", "lines": {"begin": 3}}
    assert run(["check", "--format", "xml"], cwd=vault).code == 2
    assert run(["check", "--format", "text", "--json"], cwd=vault).code == 2


def test_fix_commits_through_the_one_commit_path_and_says_where(vault: Path) -> None:
    from tests.helpers import git, git_init

    write_vault(vault, {
        "a.md": "# a\n\n[[B Note]] and [[lost target|the lost one]] and ![[gone for good]]\n",
        "b note.md": "# b note\n",
        "_map.md": "# map\n\n- [[lost target]]\n",
    })
    git_init(vault)
    headless = run(["--no-input", "check", "--fix", "--strip-broken"], cwd=vault)
    assert headless.code == 2 and "--yes" in headless.stderr
    assert git(vault, "status", "--porcelain") == ""
    result = run(["--no-input", "check", "--fix", "--strip-broken", "--yes", "--agent", "rio"], cwd=vault)
    assert "-[[B Note]] and [[lost target|the lost one]] and ![[gone for good]]" in result.stdout  # the diff, first
    assert "stripped a.md:3: [[lost target]] -> the lost one" in result.stdout
    assert "    2 stripped in a.md" in result.stderr
    assert re.search(r"^committed [0-9a-f]{10} on rio/\S+\nback to where you were: git switch main$", result.stderr, re.MULTILINE)
    assert (vault / "a.md").read_text() == "# a\n\n[[B note]] and the lost one and gone for good\n"
    assert (vault / "_map.md").read_text() == "# map\n\n- [[lost target]]\n"  # maps: map sync --prune
    assert "check --fix: fix 1 link and strip 2 broken wiki links in 1 note" in git(vault, "log", "-1", "--format=%s")
    again = run(["check", "--fix", "--json"], cwd=vault).json()
    assert again["fixes"] == [] and again["commit"] is None and again["branch"] is None
    assert run(["check", "--strip-broken"], cwd=vault).code == 2
