"""`check --changed/--staged --new-only`: only the findings the change adds (what the hook `codex-check-new` runs)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import claim, git, git_init, run, write_vault


def make(vault: Path) -> Path:
    write_vault(vault, {
        "a.md": "# a\n\nsee [[long gone]] and [[beta note]]\n",  # an old broken link
        "beta note.md": "# beta note\n\nplain\n",
        "c.md": "# c\n\nsee [[beta note]] and [[also gone]]\n",
        "old idea.md": claim("old idea", "an idea"),
        "d.md": "# d\n\nsee [[old idea]]\n",
    })
    return git_init(vault)


def found(vault: Path, *args: str) -> tuple[int, list[tuple[str, str, str | None]]]:
    result = run(["check", *args, "--new-only", "--json"], cwd=vault)
    assert result.code in (0, 1), result.stderr
    doc = result.json()
    items = [(b["file"], "broken-link", b["target"]) for b in doc["broken_links"]]
    items += [(p["file"], p["code"], p.get("target")) for p in doc["problems"]]
    return result.code, sorted(items)


def test_an_old_broken_link_in_a_touched_note_does_not_block_a_new_one_does(vault: Path) -> None:
    make(vault)
    (vault / "a.md").write_text("# a\n\nA new first line moves every link.\n\nsee [[long gone]] and [[beta note]]\n")
    git(vault, "add", "a.md")
    assert found(vault, "--staged") == (0, [])
    text = run(["check", "--staged", "--new-only"], cwd=vault)
    assert text.code == 0 and text.stdout.rstrip().endswith("1 note, 2 links: 0 errors, 0 warnings (new only: 1 finding the base already had left out)")
    assert run(["check", "--staged", "--new-only", "--json"], cwd=vault).json()["known"] == 1
    plain = run(["check", "--staged", "--json"], cwd=vault)
    assert plain.code == 1 and [b["target"] for b in plain.json()["broken_links"]] == ["long gone"]  # without --new-only: blocked
    (vault / "a.md").write_text("# a\n\nsee [[long gone]] and [[beta note]] and [[never written]] and [[long gone]]\n")
    git(vault, "add", "a.md")
    assert found(vault, "--staged") == (1, [("a.md", "broken-link", "long gone"), ("a.md", "broken-link", "never written")])  # a second link to it is new


def test_deleting_a_note_reports_only_the_links_it_broke(vault: Path) -> None:
    make(vault)
    git(vault, "rm", "-q", "beta note.md")
    code, items = found(vault, "--staged")
    assert code == 1 and items == [("a.md", "broken-link", "beta note"), ("c.md", "broken-link", "beta note")]


def test_retiring_reports_the_new_retired_link_warnings(vault: Path) -> None:
    make(vault)
    (vault / "old idea.md").write_text(claim("old idea", "an idea", extra='status: retired\nretired_reason: "wrong"\n'))
    git(vault, "add", "-A")
    code, items = found(vault, "--staged")
    assert code == 0 and items == [("d.md", "retired-link", "old idea")]


def test_a_new_note_has_only_new_findings_and_changed_compares_with_the_merge_base(vault: Path) -> None:
    make(vault)
    git(vault, "checkout", "-q", "-b", "topic")
    write_vault(vault, {"e.md": "# e\n\n[[nowhere]]\n"})
    git(vault, "add", "e.md")
    git(vault, "commit", "-qm", "e")
    (vault / "c.md").write_text("# c\n\nedited: [[also gone]]\n")
    assert found(vault, "--changed") == (1, [("e.md", "broken-link", "nowhere")])
    assert found(vault, "--since", "HEAD") == (0, [])


def test_new_only_needs_a_change(vault: Path) -> None:
    make(vault)
    for args in (["check", "--new-only"], ["check", "a.md", "--new-only"], ["check", "--staged", "--new-only", "--fix"]):
        result = run(args, cwd=vault)
        assert result.code == 2 and "--new-only goes with --changed" in result.stderr, args


def test_a_vault_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    # git lists the base's notes relative to the vault (`git ls-tree` in it), as the work tree's
    write_vault(tmp_path, {
        "README.md": "# outside the vault: [[nowhere at all]]\n",
        "kb/a.md": "# a\n\n[[long gone]] and [[kb b]]\n",
        "kb/sub/kb b.md": "# kb b\n\nplain\n",
        "kb/c.md": "# c\n\n[[kb b]] [[c gone]]\n",
        "kb/.codex.yaml": "version: 1\n",  # the vault is this folder
    })
    git_init(tmp_path)
    vault = tmp_path / "kb"
    (vault / "a.md").write_text("# a\n\nmoved down\n\n[[long gone]] and [[kb b]]\n")
    git(tmp_path, "rm", "-q", "kb/sub/kb b.md")
    git(tmp_path, "add", "-A")
    result = run(["-C", str(vault), "check", "--staged", "--new-only", "--json"], cwd=tmp_path)
    assert result.code == 1, result.stderr
    doc = result.json()
    assert sorted((b["file"], b["target"]) for b in doc["broken_links"]) == [("a.md", "kb b"), ("c.md", "kb b")]
    assert doc["known"] == 2
