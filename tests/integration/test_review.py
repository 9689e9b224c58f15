"""`codex review` on small git vaults: each gate, the outputs, the exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import claim, git, git_init, run, write_vault

UUID = "2EA8DBCB-A29B-43E8-B726-45E571A1F3C8"
TRAILER = f"\n\nPentagon-Agent: Rio <{UUID}>"
GOOD_BODY = "Smith (2024) found that committees misprice risk in 40 of 52 cases."
CHALLENGED = 'challenged_by:\n  - "thin markets are noisy"\n'


def good_claim(title: str, **kw: str) -> str:
    kw.setdefault("description", "evidence from 52 funding rounds between 2019 and 2024")
    return claim(title, kw.pop("body", GOOD_BODY), extra=kw.pop("extra", CHALLENGED), **kw)


@pytest.fixture
def repo(vault: Path) -> Path:
    write_vault(vault, {
        "agents/rio/beliefs.md": "# Rio's beliefs\n\n### 1. Markets price risk\n\n- [[markets price risk better than committees]] — grounding\n",
        "agents/rio/positions/markets win by 2030.md": "---\ntype: position\ndepends_on:\n  - \"[[markets price risk]]\"\n---\n\n# markets win by 2030\n",
        "domains/ai/_map.md": "# AI\n\n- [[markets price risk better than committees]] — base\n- [[new claim about pricing speed holds]] — new\n",
        "domains/ai/markets price risk better than committees.md": good_claim("markets price risk better than committees"),
    })
    git_init(vault)
    git(vault, "switch", "-q", "-c", "rio/change")
    return vault


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_a_clean_branch_passes_with_nothing_flagged(repo: Path) -> None:
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds", links=["markets price risk better than committees"])})
    commit(repo, "rio: add a claim" + TRAILER)
    result = run(["review", "--json"], cwd=repo)
    assert result.code == 0, result.stdout + result.stderr
    doc = result.json()
    assert doc["errors"] == 0 and doc["warnings"] == 0
    assert [n["path"] for n in doc["notes"]] == ["domains/ai/new claim about pricing speed holds.md"]
    assert doc["notes"][0]["change"] == "added" and doc["notes"][0]["findings"] == []


def test_each_planted_problem_is_found(repo: Path) -> None:
    write_vault(repo, {
        "domains/ai/markets always win.md": claim("markets always win", "Because markets are good. See [[no such note]].", description="markets always win"),
    })
    commit(repo, "rio: add a claim")  # no trailer
    result = run(["review", "--json"], cwd=repo)
    assert result.code == 1
    doc = result.json()
    (note,) = doc["notes"]
    found = {f["code"] for f in note["findings"]}
    assert found >= {"unchallenged", "universal-quantifier", "description-restates-title", "broken-link", "unmapped"}
    assert [f["code"] for f in doc["commits"][0]["findings"]] == ["missing-trailer"]


def test_a_body_without_a_source_and_an_unknown_agent(repo: Path) -> None:
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds", body="It is simply so.")})
    commit(repo, f"mallory: add{chr(10) * 2}Pentagon-Agent: Mallory <{UUID}>")
    doc = run(["review", "--json"], cwd=repo).json()
    assert {f["code"] for f in doc["notes"][0]["findings"]} == {"no-evidence"}
    assert [f["code"] for f in doc["commits"][0]["findings"]] == ["unknown-agent"]
    assert run(["review"], cwd=repo).code == 1  # the commit gate fails
    assert "no-evidence" in run(["review", "--strict"], cwd=repo).stdout


def test_retiring_a_claim_shows_the_cascade(repo: Path) -> None:
    assert run(["retire", "markets price risk better than committees", "--reason", "superseded", "--agent", "rio", "--no-branch"], cwd=repo).code == 0
    doc = run(["review", "--json"], cwd=repo).json()
    (note,) = [n for n in doc["notes"] if n["role"] == "claim"]
    assert note["change"] == "retired"
    assert [d["path"] for d in note["cascade"]] == ["agents/rio/beliefs.md", "agents/rio/positions/markets win by 2030.md"]
    md = run(["review", "--markdown"], cwd=repo).stdout
    assert "- [ ] Beliefs and positions that depend on it reviewed" in md
    assert "position `agents/rio/positions/markets win by 2030.md` via `agents/rio/beliefs.md#Markets price risk`" in md


def test_a_modified_note_reports_only_what_the_branch_introduced(vault: Path) -> None:
    write_vault(vault, {"domains/ai/old claim holds here.md": claim("old claim holds here", "cites [[gone note]]", description="old claim holds here")})
    git_init(vault)
    git(vault, "switch", "-q", "-c", "rio/enrich")
    path = vault / "domains/ai/old claim holds here.md"
    path.write_text(path.read_text() + "\nMore: [[another missing note]]\n")
    commit(vault, "rio: enrich" + TRAILER)
    doc = run(["review", "--json"], cwd=vault).json()
    (note,) = doc["notes"]
    assert note["change"] == "modified"
    assert [(f["code"], f.get("target")) for f in note["findings"]] == [("broken-link", "another missing note")]


def test_deleting_a_linked_note_fails(repo: Path) -> None:
    git(repo, "rm", "-q", "domains/ai/markets price risk better than committees.md")
    commit(repo, "rio: delete" + TRAILER)
    doc = run(["review", "--json"], cwd=repo).json()
    (note,) = doc["notes"]
    assert note["change"] == "deleted"
    assert [f["code"] for f in note["findings"]] == ["deleted-but-linked"]
    assert len(note["cascade"]) == 2


def test_a_source_must_list_what_the_branch_extracts(repo: Path) -> None:
    write_vault(repo, {
        "domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds"),
        "inbox/archive/2026-01-01-smith-pricing.md": (
            '---\ntype: source\ntitle: "Pricing"\nauthor: Smith\ndate: 2026-01-01\ndomain: ai\nstatus: processed\n'
            'claims_extracted: ["markets price risk better than committees.md"]\n---\n\nThe source.\n'
        ),
    })
    commit(repo, "rio: extract" + TRAILER)
    doc = run(["review", "--json"], cwd=repo).json()
    by_path = {n["path"]: {f["code"] for f in n["findings"]} for n in doc["notes"]}
    assert by_path["inbox/archive/2026-01-01-smith-pricing.md"] == {"source-mismatch"}  # lists a claim the branch does not add
    assert by_path["domains/ai/new claim about pricing speed holds.md"] == {"source-mismatch"}  # added, listed by no source


def test_range_and_base_options(repo: Path) -> None:
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds")})
    commit(repo, "rio: add" + TRAILER)
    assert run(["review", "main..HEAD", "--json"], cwd=repo).json()["range"] == "main..HEAD"
    assert run(["review", "HEAD..HEAD", "--json"], cwd=repo).json()["notes"] == []
    missing = run(["review", "--base", "trunk"], cwd=repo)
    assert missing.code == 2 and "no base branch 'trunk'" in missing.stderr
    assert run(["review", "--json", "--markdown"], cwd=repo).code == 2


def test_review_outside_git_is_a_usage_error(vault: Path) -> None:
    write_vault(vault, {"a.md": "# a\n"})
    result = run(["review"], cwd=vault)
    assert result.code == 2 and "not in a git repository" in result.stderr


def test_help_does_not_import_gitpython() -> None:
    import subprocess
    import sys

    code = "import sys; from codex_cli.cli.app import main; main(['--help']); main(['review', '--help']); print('git' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_a_modified_map_reports_only_its_new_entry_findings(repo: Path) -> None:
    path = repo / "domains/ai/_map.md"
    path.write_text(path.read_text() + "- [[markets price risk better than committees]]\n- [[entry with no note]] — gone\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "x")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "rio/change")
    git(repo, "switch", "-q", "rio/change")
    path.write_text(path.read_text() + "- [[another entry with no note]] — gone too\n")
    commit(repo, "rio: map" + TRAILER)
    doc = run(["review", "--json"], cwd=repo).json()
    (note,) = doc["notes"]
    assert [(f["code"], f.get("target")) for f in note["findings"]] == [("broken-link", "another entry with no note")]


def test_raising_confidence_without_challenges_is_new_and_only_once(vault: Path) -> None:
    note = "domains/ai/old claim holds here.md"
    write_vault(vault, {note: claim("old claim holds here", GOOD_BODY, extra="").replace("confidence: likely", "confidence: experimental")})
    git_init(vault)
    git(vault, "switch", "-q", "-c", "rio/raise")
    path = vault / note
    path.write_text(path.read_text().replace("confidence: experimental", "confidence: likely"))
    commit(vault, "rio: raise" + TRAILER)
    raised = run(["review", "--json"], cwd=vault).json()["notes"][0]
    assert [f["code"] for f in raised["findings"] if f["code"] == "unchallenged"] == ["unchallenged"]
    git(vault, "switch", "-q", "main")
    git(vault, "merge", "-q", "--ff-only", "rio/raise")
    git(vault, "switch", "-q", "-c", "rio/raise-again")
    path.write_text(path.read_text().replace("confidence: likely", "confidence: proven"))
    commit(vault, "rio: raise again" + TRAILER)
    assert run(["review", "--json"], cwd=vault).json()["notes"][0]["findings"] == []


def test_uncommitted_changes_to_a_changed_note_are_pointed_out(repo: Path) -> None:
    path = repo / "domains/ai/new claim about pricing speed holds.md"
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds")})
    commit(repo, "rio: add" + TRAILER)
    assert run(["review", "--json"], cwd=repo).json()["notices"] == []
    path.write_text(path.read_text() + "\nmore\n")
    result = run(["review", "--json"], cwd=repo)
    assert "1 changed note has uncommitted changes" in result.stderr
    assert result.json()["notices"]


def test_the_platforms_auto_commits_need_no_trailer_and_the_report_says_so(repo: Path) -> None:
    write_vault(repo, {"inbox/archive/2026-01-01-smith-pricing.md": "---\ntype: source\ntitle: Pricing\n---\n\n# Pricing\n"})
    commit(repo, "Auto: inbox/archive/2026-01-01-smith-pricing.md")
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds")})
    commit(repo, "rio: add a claim" + TRAILER)
    doc = run(["review", "--json"], cwd=repo).json()
    assert [c["findings"] for c in doc["commits"]] == [[], []]
    assert [c["exempt"] for c in doc["commits"]] == [None, "the platform's automatic commits (session logs, archived sources)"]
    assert doc["exempted"] == [{"why": "the platform's automatic commits (session logs, archived sources)", "commits": 1}]
    text = run(["review", "--no-judgement"], cwd=repo).stdout
    assert "1 commit without a Pentagon-Agent trailer exempted by review.trailer_exempt: the platform's automatic commits" in text
    assert "exempted by review.trailer_exempt" in run(["review", "--markdown", "--no-judgement"], cwd=repo).stdout


def test_the_exemptions_come_from_the_base_so_a_branch_cannot_exempt_itself(repo: Path) -> None:
    write_vault(repo, {".codex.yaml": "review:\n  trailer_exempt:\n    - {subject: '.', why: anything goes}\n"})
    write_vault(repo, {"domains/ai/new claim about pricing speed holds.md": good_claim("new claim about pricing speed holds")})
    commit(repo, "rio: add a claim")  # no trailer
    result = run(["review", "--json"], cwd=repo)
    assert result.code == 1
    doc = result.json()
    assert [f["code"] for c in doc["commits"] for f in c["findings"]] == ["missing-trailer"] and doc["exempted"] == []
    assert any("the branch changes review.trailer_exempt" in n for n in doc["notices"])


def test_a_base_that_turns_the_exemption_off_fails_auto_commits(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    write_vault(repo, {".codex.yaml": "review:\n  trailer_exempt: []\n"})
    commit(repo, "leo: no exemptions here" + TRAILER)
    git(repo, "switch", "-q", "rio/change")
    git(repo, "merge", "-q", "main")
    write_vault(repo, {"ops/sessions/1.json": "{}\n"})
    commit(repo, "Auto: ops/sessions/1.json")
    doc = run(["review", "--json"], cwd=repo).json()
    assert [f["code"] for c in doc["commits"] for f in c["findings"]] == ["missing-trailer"]
    assert doc["notices"] == []


def test_a_bad_pattern_at_the_base_is_a_configuration_error(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    (repo / ".codex.yaml").write_text("review:\n  trailer_exempt:\n    - subject: '(a'\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "leo: config" + TRAILER)
    git(repo, "switch", "-q", "rio/change")
    git(repo, "merge", "-q", "main")
    (repo / ".codex.yaml").write_text("", encoding="utf-8")
    commit(repo, "rio: fix" + TRAILER)
    result = run(["review"], cwd=repo)
    assert result.code == 2 and "at the base" in result.stderr and "review.trailer_exempt.0.subject" in result.stderr


def test_a_persons_claim_made_by_codex_passes_review_on_a_master_repository(vault: Path) -> None:
    """The base is the first protected branch that exists (master here, no main), and a
    commit codex makes for a person (`Contributor:`, no agent) is attributed."""
    from tests.integration.new_vault import FLAGS, NEW, make_vault

    make_vault(vault)
    git(vault, "branch", "-m", "main", "master")
    made = run(["--no-input", "new", "claim", NEW, *FLAGS, "--body", "Smith (2024) found it in 40 of 52 tournaments."], cwd=vault)
    assert made.code == 0, made.stderr
    assert git(vault, "rev-parse", "--abbrev-ref", "HEAD").strip().startswith("test-person/claims-")
    result = run(["review", "--json", "--no-judgement"], cwd=vault)
    assert result.code in (0, 1), result.stderr
    doc = result.json()
    assert doc["range"] == "master..HEAD"
    assert [c["findings"] for c in doc["commits"]] == [[]]
    assert sorted(n["path"] for n in doc["notes"]) == ["domains/ai/_map.md", f"domains/ai/{NEW}.md"]
    missing = run(["review", "--base", "trunk"], cwd=vault)
    assert missing.code == 2 and "no base branch 'trunk'" in missing.stderr
    git(vault, "branch", "-m", "master", "trunk")  # neither main nor master: both named
    none = run(["review"], cwd=vault)
    assert none.code == 2 and "no base branch 'main' or 'master'" in none.stderr
