from __future__ import annotations

import os
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import claim, git, git_init, run, snapshot, write_vault

MAP = "# AI\n\n## Core\n- [[alpha claim is true]] — a\n- [[beta claim is false]] — b\n"


def codes(doc: dict, path: str) -> list[str]:
    return sorted(p["code"] for p in doc["problems"] if p["file"] == path)


def test_clean_vault_exits_0(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/_map.md": MAP,
        "domains/ai/alpha claim is true.md": claim("alpha claim is true", "see [[beta claim is false]]"),
        "domains/ai/beta claim is false.md": claim("beta claim is false", "see [[Alpha claim is true|alpha]] and [[#Heading]]"),
    })
    result = run(["check"], cwd=vault)
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "3 notes, 5 links: 0 errors, 0 warnings"


def test_schema_problems(vault: Path) -> None:
    bad = claim("bad claim here", extra="").replace("confidence: likely", "confidence: sure").replace("created: 2026-01-01", "created: 2026-02-30")
    bad = bad.replace('source: "tests"\n', "")
    write_vault(vault, {"domains/ai/bad claim here.md": bad, "domains/ai/_map.md": "# m\n- [[bad claim here]] — x\n"})
    doc = run(["check", "--json"], cwd=vault).json()
    assert codes(doc, "domains/ai/bad claim here.md") == ["bad-date", "bad-value", "missing-field"]
    msgs = {p["code"]: p for p in doc["problems"]}
    assert msgs["bad-value"]["line"] == 5
    assert "confidence: sure" in msgs["bad-value"]["message"]


def test_domain_enum_comes_from_folders(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/x is a claim.md": claim("x is a claim", domain="nowhere"),
        "domains/ai/_map.md": "- [[x is a claim]] — x\n",
    })
    doc = run(["check", "--json"], cwd=vault).json()
    assert codes(doc, "domains/ai/x is a claim.md") == ["bad-value"]


def test_h1_and_unmapped_warnings_and_strict(vault: Path) -> None:
    note = claim("the title says one thing").replace("# the title says one thing", "# The Title Says: one-thing!")
    other = claim("another claim entirely").replace("# another claim entirely", "# a different heading")
    write_vault(vault, {
        "domains/ai/the title says one thing.md": note,
        "domains/ai/another claim entirely.md": other,
        "domains/ai/_map.md": "# m\n- [[the title says one thing]] — x\n",
    })
    result = run(["check", "--json"], cwd=vault)
    assert result.code == 0
    doc = result.json()
    assert codes(doc, "domains/ai/the title says one thing.md") == []
    assert codes(doc, "domains/ai/another claim entirely.md") == ["h1-mismatch", "unmapped"]
    assert run(["check", "--strict"], cwd=vault).code == 1


def test_ambiguous_is_a_warning(vault: Path) -> None:
    write_vault(vault, {
        "agents/a/beliefs.md": "# a\n",
        "agents/b/beliefs.md": "# b\n",
        "notes/x.md": "[[beliefs]]\n",
        "agents/a/y.md": "[[beliefs]]\n",
    })
    result = run(["check", "--json"], cwd=vault)
    assert result.code == 0
    doc = result.json()
    assert [(p["file"], p["code"]) for p in doc["problems"]] == [("notes/x.md", "ambiguous-link")]


def test_case_collision_and_name_checks(vault: Path) -> None:
    nfd = unicodedata.normalize("NFD", "café claim") + ".md"
    write_vault(vault, {"d/Same.md": "x\n", "d/same.md": "y\n", "e/Same.md": "z\n", f"d/{nfd}": "x\n"})
    doc = run(["check", "--json"], cwd=vault).json()
    assert codes(doc, "d/Same.md") == ["case-collision"]
    assert codes(doc, "e/Same.md") == []
    assert codes(doc, f"d/{nfd}") == ["name-not-nfc"]


def test_paths_report_on_those_notes_only(vault: Path) -> None:
    write_vault(vault, {
        "a.md": "[[missing one]] [[b]]\n",
        "b.md": "[[missing two]]\n",
        "sub/c.md": "[[missing three]]\n",
    })
    doc = run(["check", "--json", "a.md"], cwd=vault).json()
    assert [b["target"] for b in doc["broken_links"]] == ["missing one"]
    assert doc["notes"] == 1
    doc = run(["check", "--json", "sub"], cwd=vault).json()
    assert [b["target"] for b in doc["broken_links"]] == ["missing three"]
    assert run(["check", "nope/none.txt"], cwd=vault).code == 2
    assert run(["check", "deleted.md"], cwd=vault).code == 2  # names no note
    assert run(["check", "deleted.md", "--missing-ok"], cwd=vault).code == 0  # a staged deletion has nothing to check


def test_fix_repairs_only_unambiguous_links(vault: Path) -> None:
    write_vault(vault, {
        "n/Markets beat votes for information aggregation.md": "# m\n",
        "n/futarchy is manipulation resistant because attackers lose money.md": "# f\n",
        "n/prefix one shared.md": "# p1\n",
        "n/prefix one shared too.md": "# p2\n",
        "src.md": (
            "[[markets-beat votes for information aggregation|alias]]\n"  # punctuation and case
            "![[futarchy is manipulation resistant#Head]]\n"  # unique prefix, heading kept
            "[[n/Markets beat votes for information aggregation.md]]\n"  # stray .md, path form
            "[[prefix one]]\n"  # prefix of two titles: left alone
            "[[nothing like it at all]]\n"
        ),
    })
    result = run(["check", "--fix"], cwd=vault)
    assert result.code == 1  # two broken links remain
    text = (vault / "src.md").read_text()
    assert text == (
        "[[Markets beat votes for information aggregation|alias]]\n"
        "![[futarchy is manipulation resistant because attackers lose money#Head]]\n"
        "[[n/Markets beat votes for information aggregation]]\n"
        "[[prefix one]]\n"
        "[[nothing like it at all]]\n"
    )
    assert result.stdout.count("fixed src.md:") == 3
    assert "2 errors" in result.stdout.splitlines()[-1]


def test_fix_never_links_a_note_to_itself(vault: Path) -> None:
    own = "insert-coin-labs futardio fundraise"
    write_vault(vault, {f"n/{own}.md": "# x\n\n[[insert-coin-labs]] raised money.\n"})
    result = run(["check", "--fix", "--json"], cwd=vault)
    assert (vault / f"n/{own}.md").read_text() == "# x\n\n[[insert-coin-labs]] raised money.\n"
    found = [f for f in result.json()["broken_links"] if f["target"] == "insert-coin-labs"]
    assert found and own not in found[0]["suggestions"]


def test_cache_sees_changed_files_and_stays_out_of_git(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_CACHE_DIR")
    write_vault(vault, {"a.md": "[[b]]\n", "b.md": "x\n"})
    git_init(vault)
    old = 1_600_000_000
    for p in vault.glob("*.md"):
        os.utime(p, (old, old))
    assert run(["check"], cwd=vault).code == 0
    assert run(["check"], cwd=vault).code == 0  # warm
    assert (vault / ".git" / "codex-cache").is_dir()
    assert git(vault, "status", "--porcelain") == ""
    (vault / "a.md").write_text("[[c]]\n")  # same size, new content
    os.utime(vault / "a.md", (old, old))  # even with the old mtime, ctime differs
    result = run(["check", "--json"], cwd=vault)
    assert [b["target"] for b in result.json()["broken_links"]] == ["c"]
    subprocess.run(["rm", "-rf", str(vault / ".git" / "codex-cache")], check=True)
    assert run(["check", "--json"], cwd=vault).json()["broken_links"][0]["target"] == "c"


def test_hostile_vault_is_reported_never_crashes_never_writes(vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("outside\n")
    write_vault(vault, {
        "no frontmatter.md": "# just text [[missing]]\n",
        "invalid yaml.md": "---\ntype: claim\ndescription: a: b: [\n---\nbody\n",
        "never closed.md": "---\ntype: claim\nbody with no end\n",
        "empty.md": "",
        "latin1.md": b"---\ntype: note\n---\ncaf\xe9 [[missing]]\n",
        "crlf.md": "---\r\ntype: note\r\n---\r\n[[crlf target]]\r\n",
        "crlf target.md": "x\n",
        "bom.md": b"\xef\xbb\xbf---\ntype: note\n---\n[[crlf target]]\n",
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
        ("n" * 249) + ".md": "long name, 252 bytes\n",
        unicodedata.normalize("NFD", "é note") + ".md": "nfd\n",
        "malformed.md": "[[]] and [[a]]] and [[across\nlines]] and [[ok]]\n",
        "ok.md": "x\n",
        "a.md": "x\n",
        "dates.md": "---\ntype: note\ncreated: 2026-02-00\n---\nx\n",
        "colon.md": "---\ntype: note\ndescription: unquoted: colon\n---\nx\n",
    })
    (vault / "loop").symlink_to(vault / "loop")
    (vault / "escape.md").symlink_to(outside)
    (vault / "dirlink").symlink_to(tmp_path)
    before = snapshot(vault)
    result = run(["check", "--json"], cwd=vault)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    doc = result.json()
    got = {(p["file"], p["code"]) for p in doc["problems"]}
    assert ("invalid yaml.md", "yaml-invalid") in got
    assert ("never closed.md", "frontmatter-unclosed") in got
    assert ("latin1.md", "not-utf8") in got
    assert ("binary.md", "binary-file") in got
    assert ("malformed.md", "empty-link") in got
    assert ("malformed.md", "malformed-link") in got
    assert ("colon.md", "yaml-invalid") in got
    assert ("loop", "symlink-broken") in got
    assert ("escape.md", "symlink-outside") in got
    assert ("dirlink", "symlink-outside") in got
    assert not any(f == "dates.md" for f, _ in got)
    assert not any(f == "crlf.md" or f == "bom.md" for f, _ in got)
    assert {b["target"] for b in doc["broken_links"]} == {"missing"}
    assert snapshot(vault) == before
    human = run(["check"], cwd=vault)
    assert human.code == 1 and "Traceback" not in human.stderr


def test_unexpected_error_is_one_line_with_debug_hint(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import codex_cli.ops.check as ops_check

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(ops_check, "run_check", boom)
    write_vault(vault, {".codex.yaml": "{}\n"})
    result = run(["check"], cwd=vault)
    assert result.code == 70
    assert result.stderr.splitlines() == ["codex: error: unexpected RuntimeError: kaboom", "hint: rerun with --debug to see the traceback, and report it"]
    debug = run(["--debug", "check"], cwd=vault)
    assert "Traceback" in debug.stderr


def test_bad_config_is_a_usage_error(vault: Path) -> None:
    write_vault(vault, {".codex.yaml": "domain_roots: [domains]\nnot_a_key: 1\n"})
    result = run(["check"], cwd=vault)
    assert result.code == 2
    assert ".codex.yaml:2: unknown setting 'not_a_key'" in result.stderr
    for text, said in [
        ("types: {}\ndomains: [a, b]\n", ".codex.yaml:2: domains must map names to folders"),
        ("types:\n  claim: [\n", ".codex.yaml:3: invalid YAML"),
    ]:
        (vault / ".codex.yaml").write_text(text)
        bad = run(["check"], cwd=vault)
        assert bad.code == 2 and said in bad.stderr, bad.stderr


def test_root_discovery(vault: Path) -> None:
    write_vault(vault, {".codex.yaml": "", "sub/deeper/a.md": "[[b]]\n", "b.md": "x\n"})
    result = run(["check", "--json"], cwd=vault / "sub" / "deeper")
    assert result.json()["root"] == str(vault.resolve())
    assert result.json()["broken_links"] == []
    other = run(["-C", str(vault / "sub"), "check", "--json"], cwd=vault.parent)
    assert other.json()["root"] == str(vault.resolve())


def test_name_too_long_is_reported_where_a_file_system_allows_it() -> None:
    from codex_cli.core.note import ParseContext, parse_note

    ctx = ParseContext(frozenset(), {}, frozenset())
    note = parse_note("d/" + "é" * 127 + ".md", b"x\n", ctx)  # 257 bytes
    assert [p.code for p in note.problems] == ["name-too-long"]
    assert "257 bytes" in note.problems[0].message


def test_remembered_report_follows_every_kind_of_change(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm path asks git what changed: tracked, staged, untracked and ignored notes all count."""
    from codex_cli.adapters import cache, worktree

    monkeypatch.delenv("CODEX_CACHE_DIR")
    # trust every signature at once, so that the remembered report is keyed by git's state
    monkeypatch.setattr(worktree, "RACY_NS", 0)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    write_vault(vault, {"a.md": "[[b]]\n", "b.md": "x\n", ".gitignore": "drafts/\n", "drafts/d.md": "[[b]]\n"})
    git_init(vault)
    old = 1_600_000_000
    for p in [*vault.glob("*.md"), vault / "drafts/d.md"]:
        os.utime(p, (old, old))

    def broken() -> list[str]:
        return sorted(b["target"] for b in run(["check", "--json"], cwd=vault).json()["broken_links"])

    assert broken() == [] and broken() == []
    from codex_cli.adapters.cache import Store
    from codex_cli.vault import Vault

    remembered = Store(vault).load("check", Vault.open(vault).fingerprint())
    assert remembered is not None and remembered[1]  # keyed by git's view of the tree
    (vault / "drafts/d.md").write_text("[[gone]]\n")  # ignored by git
    assert broken() == ["gone"]
    (vault / "new.md").write_text("[[missing]]\n")  # untracked
    assert broken() == ["gone", "missing"]
    (vault / "b.md").write_text("[[nothing]]\n")
    git(vault, "add", "b.md")  # staged
    assert broken() == ["gone", "missing", "nothing"]
    git(vault, "commit", "-q", "-m", "b")
    assert broken() == ["gone", "missing", "nothing"]


def test_vault_in_a_subfolder_of_a_repository_is_remembered_by_git_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import cache, fs, worktree

    monkeypatch.setattr(worktree, "RACY_NS", 0)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    repo = tmp_path / "repo"
    write_vault(repo, {"README.md": "[[nothing here]]\n", "kb/.codex.yaml": "{}\n", "kb/a.md": "[[b]]\n", "kb/b.md": "x\n"})
    git_init(repo)
    old = 1_600_000_000
    for p in repo.rglob("*.md"):
        os.utime(p, (old, old))
    kb = repo / "kb"
    first = run(["check", "--json"], cwd=kb).json()
    assert first["notes"] == 2 and first["broken_links"] == []

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked the tree")

    real_scan = fs.scan
    monkeypatch.setattr(fs, "scan", no_walk)
    assert run(["check", "--json"], cwd=kb).json() == first  # git vouched: no walk
    (repo / "README.md").write_text("[[still nothing]]\n")  # outside the vault
    assert run(["check", "--json"], cwd=kb).json() == first
    monkeypatch.setattr(fs, "scan", real_scan)
    (kb / "a.md").write_text("[[gone]]\n")
    assert [b["target"] for b in run(["check", "--json"], cwd=kb).json()["broken_links"]] == ["gone"]


def test_git_state_taken_alongside_reading_is_not_trusted_for_notes_changed_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import worktree

    monkeypatch.setattr(worktree, "RACY_NS", 0)
    write_vault(tmp_path, {"a.md": "x\n", "b.md": "y\n"})
    git_init(tmp_path)
    (tmp_path / "a.md").write_text("changed\n")  # listed by git, changed after `since`
    state = worktree.finish(worktree.start(tmp_path), tmp_path, since_ns=time.time_ns() - 10**10)
    assert state is not None and state[1] is False
    os.unlink(tmp_path / "b.md")  # listed as deleted: when, nobody can tell
    time.sleep(0.01)
    since = time.time_ns()
    assert worktree.finish(worktree.start(tmp_path), tmp_path)[1] is True  # type: ignore[index]
    assert worktree.finish(worktree.start(tmp_path), tmp_path, since_ns=since)[1] is False  # type: ignore[index]


def test_a_report_remembered_by_signatures_alone_is_then_vouched_for_by_git(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import cache, fs, worktree
    from codex_cli.adapters.cache import Store
    from codex_cli.vault import Vault

    monkeypatch.setattr(worktree, "RACY_NS", 0)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    write_vault(vault, {"a.md": "[[b]]\n", "b.md": "x\n"})
    git_init(vault)
    old = 1_600_000_000
    for p in vault.glob("*.md"):
        os.utime(p, (old, old))
    first = run(["check", "--json"], cwd=vault).json()
    store, fingerprint = Store(vault), Vault.open(vault).fingerprint()
    digest, _, blob = store.load("check", fingerprint)
    store.save("check", fingerprint, (digest, None, blob))  # as if git could not vouch last time
    assert run(["check", "--json"], cwd=vault).json() == first  # by signatures (a walk)
    assert store.load("check", fingerprint)[1] is not None
    real_scan = fs.scan

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked the tree")

    monkeypatch.setattr(fs, "scan", no_walk)
    assert run(["check", "--json"], cwd=vault).json() == first
    monkeypatch.setattr(fs, "scan", real_scan)


def test_a_path_that_names_no_note_is_a_usage_error_unless_missing_ok(vault: Path) -> None:
    write_vault(vault, {"a.md": "x\n"})
    assert "no .codex.yaml or git repository here or above; using" in run(["check"], cwd=vault).stderr
    assert run(["check", "gone.md"], cwd=vault).code == 2
    result = run(["check", "gone.md", "--missing-ok"], cwd=vault)
    assert result.code == 0 and "gone.md: no such note; skipped" in result.stderr
    assert run(["check", "gone"], cwd=vault).code == 2
