from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import claim, git, git_init, run, snapshot, write_vault

A = "futarchy markets aggregate information better than votes"
B = "token holders delegate governance to markets"
C = "conditional markets price proposals before adoption"
H = "sleep deprivation impairs memory consolidation"


def _files(**over: str) -> dict[str, str]:
    files = {
        f"domains/finance/{A}.md": claim(A, "Prediction markets and traders aggregate information.", domain="finance", links=[B]),
        f"domains/finance/{B}.md": claim(B, "Token governance through conditional markets.", domain="finance"),
        f"domains/finance/{C}.md": claim(C, "Conditional markets price each proposal; futarchy adopts the best.", domain="finance"),
        f"domains/health/{H}.md": claim(H, "Hippocampal replay during sleep.", domain="health"),
    }
    files.update(over)
    return files


def _repo(vault: Path, **over: str) -> Path:
    write_vault(vault, _files(**over))
    return git_init(vault)


def test_suggest_json(vault: Path) -> None:
    _repo(vault)
    result = run(["link", A, "--suggest", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["note"] == f"domains/finance/{A}.md"
    titles = [s["title"] for s in doc["suggestions"]]
    assert titles[0] == C
    assert A not in titles and B not in titles  # never itself, never what it already links to
    assert set(doc["suggestions"][0]) >= {"title", "path", "score", "why"}


def test_suggest_text_and_limit(vault: Path) -> None:
    _repo(vault)
    result = run(["link", A, "--suggest", "--limit", "1"], cwd=vault)
    assert result.code == 0
    assert result.stdout.splitlines()[0] == f" 1. {C}"
    assert len(result.stdout.splitlines()) == 2


def test_no_other_claims_is_an_empty_list(vault: Path) -> None:
    write_vault(vault, {f"domains/ai/{A}.md": claim(A, "text")})
    result = run(["link", A, "--suggest", "--json"], cwd=vault)
    assert result.code == 0
    assert result.json()["suggestions"] == []


def test_ambiguous_note_is_refused_with_candidates(vault: Path) -> None:
    write_vault(vault, {"agents/a/beliefs.md": "# a\n", "agents/b/beliefs.md": "# b\n"})
    result = run(["link", "beliefs", "--suggest"], cwd=vault)
    assert result.code == 3
    assert "agents/a/beliefs.md" in result.stderr and "agents/b/beliefs.md" in result.stderr


def test_bad_notes_still_get_suggestions(vault: Path) -> None:
    broken_yaml = "---\ntype: claim\ndescription: a: b: c\ncreated: 2026-02-00\n---\n\n# odd one\n\nFutarchy conditional markets.\n"
    _repo(vault, **{"domains/finance/odd one.md": broken_yaml, "domains/finance/empty.md": "", "domains/finance/日本語のノート.md": "市場 futarchy"})
    for name in ("odd one", "empty", "日本語のノート"):
        result = run(["link", name, "--suggest", "--json"], cwd=vault)
        assert result.code == 0, (name, result.stderr)
        assert isinstance(result.json()["suggestions"], list)


def test_to_appends_under_relevant_notes_and_commits(vault: Path) -> None:
    _repo(vault)
    before = snapshot(vault)
    result = run(["link", A, "--to", C, "--relation", "how futarchy decides", "--agent", "rio"], cwd=vault)
    assert result.code == 0, result.stderr
    after = snapshot(vault)
    changed = [p for p in after if after[p] != before.get(p)]
    assert changed == [f"domains/finance/{A}.md"]
    text = after[changed[0]].decode()
    assert f"- [[{B}]] — related\n- [[{C}]] — how futarchy decides\n\nTopics:" in text
    assert git(vault, "log", "-1", "--format=%s").strip() == f"rio: link {A}"  # 56 characters: not cut
    assert git(vault, "status", "--porcelain").strip() == ""
    assert git(vault, "branch", "--show-current").strip().startswith("rio/link-")


def test_to_creates_section_before_topics(vault: Path) -> None:
    note = claim(C, "Body.", domain="finance") + "\nTopics:\n- [[domains/finance/_map]]\n"
    _repo(vault, **{f"domains/finance/{C}.md": note})
    assert run(["link", C, "--to", H, "--no-branch"], cwd=vault).code == 0
    text = (vault / f"domains/finance/{C}.md").read_text()
    assert text.endswith(f"Body.\n\n---\n\nRelevant Notes:\n- [[{H}]]\n\nTopics:\n- [[domains/finance/_map]]\n")


def test_to_creates_section_at_the_end(vault: Path) -> None:
    _repo(vault)
    assert run(["link", C, "--to", H, "--relation", "unrelated, for the test"], cwd=vault).code == 0
    text = (vault / f"domains/finance/{C}.md").read_text()
    assert text.endswith(f"futarchy adopts the best.\n\n---\n\nRelevant Notes:\n- [[{H}]] — unrelated, for the test\n")


def test_already_linked_is_skipped_without_a_commit(vault: Path) -> None:
    _repo(vault)
    head = git(vault, "rev-parse", "HEAD")
    result = run(["link", A, "--to", B.upper(), "--json"], cwd=vault)
    assert result.code == 0
    assert result.json()["skipped"] == [B] and result.json()["commit"] is None
    assert git(vault, "rev-parse", "HEAD") == head


def test_to_unresolved_names_closest(vault: Path) -> None:
    _repo(vault)
    before = snapshot(vault)
    result = run(["link", A, "--to", "conditional markets price proposal"], cwd=vault)
    assert result.code == 3
    assert C in result.stderr
    assert snapshot(vault) == before


def test_as_depends_on_changes_no_other_byte(vault: Path) -> None:
    extra = 'depends_on:\n  - "token holders delegate governance to markets"\nsecondary_domains: [ai]\n'
    _repo(vault, **{f"domains/finance/{A}.md": claim(A, "Body.", domain="finance", extra=extra)})
    path = vault / f"domains/finance/{A}.md"
    before = path.read_text()
    assert run(["link", A, "--to", C, "--as", "depends_on"], cwd=vault).code == 0
    after = path.read_text()
    added = f'  - "{C}"\n'
    i = after.index(added)
    assert after[:i] + after[i + len(added):] == before
    assert after[:i].endswith('"token holders delegate governance to markets"\n')


def test_as_challenged_by_creates_the_field_or_extends_a_flow_list(vault: Path) -> None:
    _repo(vault, **{f"domains/finance/{B}.md": claim(B, "Body.", domain="finance", extra="challenged_by: []\n")})
    assert run(["link", A, "--to", C, "--as", "challenged_by"], cwd=vault).code == 0
    text = (vault / f"domains/finance/{A}.md").read_text()
    assert f'created: 2026-01-01\nchallenged_by:\n  - "{C}"\n---\n' in text
    assert run(["link", B, "--to", C, "--to", H, "--as", "challenged_by"], cwd=vault).code == 0
    text = (vault / f"domains/finance/{B}.md").read_text()
    assert f'challenged_by: ["{C}", "{H}"]\n' in text


def test_as_refuses_invalid_frontmatter(vault: Path) -> None:
    bad = f"---\ntype: claim\ndescription: a: b\n---\n\n# {H}\n"
    _repo(vault, **{f"domains/health/{H}.md": bad})
    result = run(["link", H, "--to", C, "--as", "depends_on"], cwd=vault)
    assert result.code == 3
    assert "not valid YAML" in result.stderr


def test_both_adds_the_reverse_link(vault: Path) -> None:
    _repo(vault)
    result = run(["link", C, "--to", A, "--both", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["reverse"] == [f"domains/finance/{A}.md"]
    assert sorted(doc["files_changed"]) == sorted([f"domains/finance/{A}.md", f"domains/finance/{C}.md"])
    assert f"- [[{B}]] — related\n- [[{C}]]\n" in (vault / f"domains/finance/{A}.md").read_text()
    files = git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert sorted(f for f in files if f) == sorted([f"domains/finance/{A}.md", f"domains/finance/{C}.md"])


def test_dry_run_writes_nothing(vault: Path) -> None:
    _repo(vault)
    before = snapshot(vault)
    result = run(["link", A, "--to", C, "--dry-run"], cwd=vault)
    assert result.code == 0
    assert f"+- [[{C}]]" in result.stdout
    assert snapshot(vault) == before


def test_headless_without_targets_names_the_flags(vault: Path) -> None:
    _repo(vault)
    result = run(["--no-input", "link", A], cwd=vault)
    assert result.code == 2
    assert "--to" in result.stderr and "--suggest" in result.stderr


def _with_link(vault: Path, title: str, link: str) -> Path:
    path = vault / f"domains/finance/{title}.md"
    path.write_text(path.read_text().replace("\n\n---\n", f"\n\nSee {link}.\n\n---\n", 1))
    git(vault, "commit", "-qam", "a link")
    return vault


def test_fix_broken_keeps_alias_and_heading(vault: Path) -> None:
    body = "See [[conditional markets price proposal before adoption#Why|the pricing]] and [[nothing like any title at all]]."
    _repo(vault, **{f"domains/health/{H}.md": claim(H, body, domain="health")})
    assert run(["--no-input", "link", H, "--fix-broken"], cwd=vault).code == 2
    result = run(["link", H, "--fix-broken", "--yes", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["fixed"] == [{"from": "conditional markets price proposal before adoption", "to": C}]
    text = (vault / f"domains/health/{H}.md").read_text()
    assert f"See [[{C}#Why|the pricing]] and [[nothing like any title at all]]." in text
    assert "left [[nothing like any title at all]]" in result.stderr
    unsure = run(["link", A, "--fix-broken", "--yes", "--dry-run"], cwd=_with_link(vault, A, "[[governance through markets]]"))
    left = next(line for line in unsure.stderr.splitlines() if "left [[governance through markets]]" in line)
    assert "(closest first: [[" in left and not re.search(r"\(\d+\)", left)  # edit scores read as the order, and were not it


def test_fix_broken_never_offers_the_note_itself_and_prefers_a_path(vault: Path) -> None:
    body = "See [[sleep deprivation impairs]] and [[finance/_map]]."
    _repo(vault, **{
        f"domains/health/{H}.md": claim(H, body, domain="health"),
        "domains/finance/_map.md": "# Finance\n",
        "domains/health/_map.md": "# Health\n",
    })
    from codex_cli.ops.link import broken_links
    from codex_cli.vault import Vault

    v = Vault.open(vault)
    found = {b.link.target: [t for t, _ in b.candidates] for b in broken_links(v, v.notes[f"domains/health/{H}.md"])}
    assert H not in found["sleep deprivation impairs"]
    assert found["finance/_map"][0] == "domains/finance/_map"


def test_suggest_sees_notes_written_since_the_last_run(vault: Path) -> None:
    _repo(vault)
    assert run(["link", A, "--suggest", "--json"], cwd=vault).code == 0
    new = "prediction markets for conditional proposals"
    (vault / f"domains/finance/{new}.md").write_text(claim(new, "Conditional markets price proposals.", domain="finance"))
    doc = run(["link", new, "--suggest", "--json"], cwd=vault).json()
    assert C in [s["title"] for s in doc["suggestions"]]
    doc = run(["link", C, "--suggest", "--json"], cwd=vault).json()
    assert new in [s["title"] for s in doc["suggestions"]]


def test_suggest_for_a_draft_from_a_file_and_from_standard_input(vault: Path, tmp_path: Path) -> None:
    _repo(vault)
    draft = f"---\ndescription: markets decide\n---\n\n# futarchy prices proposals\n\nConditional markets price each proposal. See [[{C}]].\n"
    (tmp_path / "draft.md").write_text(draft)
    doc = run(["link", "--suggest", "--draft", str(tmp_path / "draft.md"), "--json"], cwd=vault).json()
    titles = [s["title"] for s in doc["suggestions"]]
    assert doc["note"] is None and titles and C not in titles and titles[0] in (A, B)  # C is linked: a seed, never proposed
    piped = run(["link", "--suggest", "--draft", "-", "--json"], cwd=vault, stdin=draft)
    assert [s["title"] for s in piped.json()["suggestions"]] == titles
    assert run(["link", A, "--suggest", "--draft", "-"], cwd=vault, stdin=draft).code == 2
    assert run(["link"], cwd=vault).code == 2


def test_to_a_shared_title_names_the_copy_in_the_notes_folder(vault: Path) -> None:
    """`--to` follows the link rules: a title two folders share is the one beside the note."""
    _repo(vault, **{f"core/mechanisms/{C}.md": claim(C, "The same claim in core.", domain="mechanisms")})
    result = run(["link", A, "--to", C, "--no-commit", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert f"- [[{C}]]\n" in (vault / f"domains/finance/{A}.md").read_text()
    elsewhere = run(["link", H, "--to", C, "--dry-run"], cwd=vault)  # from health neither copy is nearer
    assert elsewhere.code == 3 and "matches 2 notes" in elsewhere.stderr
