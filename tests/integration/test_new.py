"""`codex new` driven by flags: every type, the title gate, links, the map, dry runs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import git, run, snapshot
from tests.integration.new_vault import (
    ALIGNMENT,
    FLAGS,
    MAP,
    MARKETS,
    NEW,
    branch,
    head_files,
    head_message,
    make_vault,
)

TODAY = date.today().isoformat()


def new(vault: Path, *args: str) -> object:
    return run(["--no-input", "new", *args], cwd=vault)


def test_claim_by_flags_writes_note_map_entry_and_one_commit(vault: Path) -> None:
    make_vault(vault)
    result = run(["--no-input", "new", "claim", NEW, *FLAGS, "--body", "Tournaments show it.", "--link", MARKETS + "|the mechanism", "--agent", "rio", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    path = f"domains/ai/{NEW}.md"
    assert doc["path"] == path and doc["map"] == "domains/ai/_map.md" and doc["map_section"] == "Markets"
    assert doc["branch"] == "rio/claims-prediction-markets-price-policy-outcomes" and len(doc["commit"]) == 40
    assert (vault / path).read_text() == (
        "---\n"
        "type: claim\n"
        "domain: ai\n"
        'description: "Markets on policy outcomes beat panels in forecasting tournaments"\n'
        "confidence: likely\n"
        'source: "tests"\n'
        f"created: {TODAY}\n"
        "---\n\n"
        f"# {NEW}\n\n"
        "Tournaments show it.\n\n"
        "---\n\n"
        "Relevant Notes:\n"
        f"- [[{MARKETS}]] — the mechanism\n\n"
        "Topics:\n"
        "- [[domains/ai/_map]]\n"
    )
    new_line = f"- [[{NEW}]] — Markets on policy outcomes beat panels in forecasting tournaments\n"
    assert (vault / "domains/ai/_map.md").read_text() == MAP.replace("\n\n## Alignment", "\n" + new_line + "\n## Alignment")
    assert branch(vault) == doc["branch"]
    assert head_files(vault) == sorted([path, "domains/ai/_map.md"])
    assert head_message(vault) == (
        "rio: add claim — prediction markets price policy outcomes better than expert…\n\n"
        f"- What: new claim {path}, listed in domains/ai/_map.md\n"
        "- Why: source: tests\n"
        f"- Connections: [[{MARKETS}]]\n\n"
        "Pentagon-Agent: Rio <HEADLESS>\n"
    )
    check = run(["--json", "check", path], cwd=vault)
    assert check.code == 0, check.stdout
    assert check.json()["problems"] == [] and check.json()["broken_links"] == []


def test_a_person_is_the_contributor_and_the_agent_can_come_from_the_environment(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_vault(vault)
    assert new(vault, "claim", NEW, *FLAGS).code == 0
    assert head_message(vault).endswith("\nContributor: Test Person\n")
    assert branch(vault).startswith("test-person/claims-")
    git(vault, "switch", "-q", "main")
    monkeypatch.setenv("CODEX_AGENT", "clay")
    assert new(vault, "claim", "forecasting tournaments reward calibration over confidence", *FLAGS).code == 0
    assert head_message(vault).splitlines()[0].startswith("clay: add claim — ")
    assert head_message(vault).endswith("\nPentagon-Agent: Clay <HEADLESS>\n")


@pytest.mark.parametrize(
    ("kind", "args", "path", "expect"),
    [
        (
            "source",
            ["Superforecasting in practice", "--author", "@tetlock (Philip Tetlock)", "--url", "https://example.org/s", "--date", "2015-09-29", "--domain", "ai", "--format", "book"],
            "inbox/archive/2015-09-29-tetlock-superforecasting-in-practice.md",
            ["type: source", 'title: "Superforecasting in practice"', "status: unprocessed", "format: book", "date: 2015-09-29"],
        ),
        (
            "musing",
            ["what if maps ranked their own entries", "--agent", "rio"],
            "agents/rio/musings/what if maps ranked their own entries.md",
            ["type: musing", "agent: rio", "status: seed"],
        ),
        (
            "position",
            [
                "prediction markets will set one national policy by 2030",
                "--agent", "rio", "--domain", "ai", "--description", "A government will bind itself to a market's forecast",
                "--confidence", "cautious", "--depends-on", MARKETS, "--time-horizon", "2030",
                "--performance-criteria", "a binding market-set policy exists",
            ],
            "agents/rio/positions/prediction markets will set one national policy by 2030.md",
            ["type: position", "agent: rio", "status: proposed", "outcome: pending", f'depends_on:\n  - "[[{MARKETS}]]"', 'proposed_by: "Rio"', f"- [[{MARKETS}]]"],
        ),
        (
            "entity",
            ["MetaDAO", "--entity-type", "protocol", "--domain", "ai", "--website", "https://metadao.fi"],
            "entities/ai/metadao.md",  # schemas/entity.md: a lowercase slugified name
            ["type: entity", "entity_type: protocol", 'name: "MetaDAO"', "status: active"],
        ),
    ],
)
def test_every_type_by_flags(vault: Path, kind: str, args: list[str], path: str, expect: list[str]) -> None:
    make_vault(vault)
    result = run(["--no-input", "new", kind, *args, "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["path"] == path
    text = (vault / path).read_text()
    for line in expect:
        assert f"\n{line}\n" in text, (line, text)
    assert head_files(vault) == [path]
    assert head_message(vault).splitlines()[0].split(": ", 1)[1].startswith(f"add {kind} — ")
    branch = result.json()["branch"]
    assert branch is None or "/" not in branch or branch.split("/")[1].startswith({"entity": "entities-"}.get(kind, f"{kind}s-")), branch  # not entitys-
    check = run(["--json", "check", path], cwd=vault)
    assert [p for p in check.json()["problems"] if p["severity"] == "error"] == [], check.stdout


def test_depends_on_must_name_a_note(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    args = ["markets will set policy by 2030", "--agent", "rio", "--domain", "ai", "--description", "d", "--confidence", "cautious",
            "--depends-on", "markets beat votes", "--time-horizon", "2030", "--performance-criteria", "p"]
    result = run(["--no-input", "new", "position", *args], cwd=vault)
    assert result.code == 3 and "--depends-on 'markets beat votes'" in result.stderr and MARKETS in result.stderr
    assert snapshot(vault) == before


def test_headless_names_every_missing_flag_and_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = new(vault, "claim", "--domain", "ai")
    assert result.code == 2
    assert "pass TITLE, --description, --confidence, --source" in result.stderr
    position = new(vault, "position", "markets will set policy by 2030", "--agent", "rio")
    assert position.code == 2
    for flag in ("--domain", "--description", "--confidence", "--depends-on", "--time-horizon", "--performance-criteria"):
        assert flag in position.stderr
    musing = new(vault, "musing", "an idea about maps")
    assert musing.code == 2 and "--agent" in musing.stderr
    assert snapshot(vault) == before


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("   ", "the title is empty"),
        ("markets/votes beat polls", "cannot contain `/`"),
        ("markets beat\tpolls because money talks", "control characters"),
        ("markets beat polls because " + "é" * 130, "cut 35 bytes"),
        (MARKETS.upper(), "already exists: domains/ai/"),
        ("market design", "reads like a label"),
        ("links with [[brackets]] break things because parsing fails", "[ ] cannot be written in a [[link]]"),
        ("wearable data needs #AI triage because of volume", "# cannot be written in a [[link]]"),
    ],
)
def test_titles_refused_with_the_reason(vault: Path, title: str, reason: str) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = new(vault, "claim", title, *FLAGS)
    assert result.code == 3, result.stderr
    assert reason in result.stderr
    assert snapshot(vault) == before


def test_label_title_allowed_with_the_flag(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", "market design", *FLAGS, "--allow-label")
    assert result.code == 0, result.stderr
    assert (vault / "domains/ai/market design.md").is_file()


def test_avoided_characters_leave_the_file_name_but_not_the_h1(vault: Path) -> None:
    make_vault(vault)
    title = 'why "markets": they beat polls because money talks?'
    result = new(vault, "claim", title, *FLAGS)
    assert result.code == 0, result.stderr
    path = vault / "domains/ai/why markets they beat polls because money talks.md"
    assert f"\n# {title}\n" in path.read_text()
    assert "left \" : ? out of the file name" in result.stderr
    assert run(["--json", "check", str(path)], cwd=vault).json()["problems"] == []


def test_near_duplicate_is_a_warning_with_the_closest(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", MARKETS.replace("bet on", "bet about"), *FLAGS)
    assert result.code == 0
    assert "likely the same claim as an existing claim" in result.stderr and MARKETS in result.stderr
    doc = new(vault, "claim", ALIGNMENT.replace("rather than", "and not") + " at all", *FLAGS, "--json", "--dry-run").json()
    assert any(ALIGNMENT in w for w in doc["warnings"])  # headless, in the JSON too


def test_headless_json_reports_the_section_its_score_and_the_runner_up(vault: Path) -> None:
    make_vault(vault)
    doc = new(vault, "claim", NEW, *FLAGS, "--json", "--dry-run").json()
    assert doc["map_section"] == "Markets" and doc["map_section_score"] > doc["map_section_runner_up"]["score"]
    assert doc["map_section_score"] == round(doc["map_section_score"], 3)  # as the runner-up's: 1.1764029229286077 was printed
    assert doc["map_section_runner_up"]["section"] == "Alignment" and doc["map_section_runner_up"]["why"]


def test_a_title_copied_into_two_folders_is_linked_as_the_copy_beside_the_note(vault: Path) -> None:
    """`--link-top` linked `[[core/mechanisms/…]]` when the same claim sat in the new note's own folder."""
    from tests.helpers import claim

    make_vault(vault)
    copy = vault / f"core/mechanisms/{MARKETS}.md"
    copy.parent.mkdir(parents=True)
    copy.write_text(claim(MARKETS, "Prediction markets price policy outcomes; traders with money at stake beat expert panels.", domain="mechanisms"))
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "a copy in core")
    result = new(vault, "claim", NEW, *FLAGS, "--link-top", "1", "--json", "--dry-run")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert [p["path"] for p in doc["proposals"] if p["title"] == MARKETS] == [f"domains/ai/{MARKETS}.md"]
    assert f"- [[{MARKETS}]] — related\n" in doc["text"]


def test_section_reasons_read_as_sentences(vault: Path) -> None:
    """They read "(1 of its 15 closest notes are listed here; entries alike (100% of the best))"."""
    from codex_cli.core import maps
    from codex_cli.ops.maps import section_choices
    from codex_cli.vault import Vault

    make_vault(vault)
    v = Vault.open(str(vault))
    m = maps.parse_map((vault / "domains/ai/_map.md").read_text())
    whys = [c.why for c in section_choices(v, m, "domains/ai/_map.md", NEW, "markets price policy outcomes")]
    assert whys[0].endswith("the most similar entries") and all("(" not in w for w in whys)
    votes = [re.match(r"(\d+) of the note's 15 closest notes (is|are) listed here", w) for w in whys]
    assert any(votes) and all((v[1] == "1") == (v[2] == "is") for v in votes if v)


def test_the_same_title_but_for_case_and_punctuation_is_refused(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    same = MARKETS.upper().replace("BECAUSE", "— because") + "!"
    result = new(vault, "claim", same, *FLAGS)
    assert result.code == 3 and "already exists" in result.stderr and "--allow-duplicate" in result.stderr
    assert snapshot(vault) == before
    assert new(vault, "claim", same, *FLAGS, "--allow-duplicate", "--no-commit").code == 0


def test_headless_json_has_proposals_and_link_top_takes_the_best(vault: Path) -> None:
    make_vault(vault)
    body = ["--body", "Traders with money at stake reveal what they know; markets aggregate information."]
    doc = new(vault, "claim", NEW, *FLAGS, *body, "--json", "--dry-run").json()
    assert doc["proposals"] and doc["proposals"][0]["title"] == MARKETS and doc["links"] == []
    assert {"title", "path", "score", "why"} <= set(doc["proposals"][0])
    doc = new(vault, "claim", NEW, *FLAGS, *body, "--json", "--link-top", "1", "--no-commit").json()
    assert doc["links"] == [{"title": MARKETS, "target": MARKETS, "relation": "related"}]
    assert f"- [[{MARKETS}]] — related" in (vault / doc["path"]).read_text()


def test_link_that_does_not_resolve_names_the_closest(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = new(vault, "claim", NEW, *FLAGS, "--link", MARKETS.replace("votes", "vote"))
    assert result.code == 3
    assert "not found" in result.stderr and MARKETS in result.stderr
    assert snapshot(vault) == before


def test_map_section_choice_no_map_and_unknown_section(vault: Path) -> None:
    make_vault(vault)
    chosen = new(vault, "claim", NEW, *FLAGS, "--map-section", "alignment", "--no-commit")
    assert chosen.code == 0, chosen.stderr
    assert (vault / "domains/ai/_map.md").read_text().endswith(f"[[{ALIGNMENT}]] — the framing\n- [[{NEW}]] — Markets on policy outcomes beat panels in forecasting tournaments\n")

    unknown = new(vault, "claim", "forecasting tournaments reward calibration over confidence", *FLAGS, "--map-section", "Nope")
    assert unknown.code == 2 and "its sections: Markets; Alignment" in unknown.stderr

    map_before = (vault / "domains/ai/_map.md").read_bytes()
    skipped = new(vault, "claim", "forecasting tournaments reward calibration over confidence", *FLAGS, "--no-map", "--no-commit")
    assert skipped.code == 0
    assert (vault / "domains/ai/_map.md").read_bytes() == map_before


def test_a_domain_without_a_map_gets_one(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", "cells age because telomeres shorten with each division", *FLAGS[:0], "--domain", "bio", "--description", "Telomere loss limits divisions", "--confidence", "likely", "--source", "tests", "--json")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["map"] == "domains/bio/_map.md" and doc["map_created"] is True
    text = (vault / "domains/bio/_map.md").read_text()
    assert "## Claims\n- [[cells age because telomeres shorten with each division]] — Telomere loss limits divisions\n" in text
    assert head_files(vault) == ["domains/bio/_map.md", "domains/bio/cells age because telomeres shorten with each division.md"]
    assert run(["check", "domains/bio/_map.md", "domains/bio/cells age because telomeres shorten with each division.md"], cwd=vault).code == 0


def test_dry_run_prints_note_map_change_and_message_and_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = new(vault, "claim", NEW, *FLAGS, "--dry-run")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert f"# would create domains/ai/{NEW}.md\n---\ntype: claim\n" in out
    assert f"+- [[{NEW}]] — Markets on policy" in out
    assert "# would commit on test-person/claims-prediction-markets-price-policy-outcomes:\ntest-person: add claim — " in out
    assert "- Why: source: tests\n" in out and "Contributor: Test Person" in out
    assert snapshot(vault) == before and branch(vault) == "main"


def test_body_from_standard_input(vault: Path) -> None:
    make_vault(vault)
    result = run(["--no-input", "new", "claim", NEW, *FLAGS, "--body-file", "-"], cwd=vault, stdin="From stdin.\n\nTwo paragraphs.\n")
    assert result.code == 0, result.stderr
    assert "\n\nFrom stdin.\n\nTwo paragraphs.\n\n---\n" in (vault / f"domains/ai/{NEW}.md").read_text()


def test_outside_git_it_writes_without_committing(vault: Path) -> None:
    make_vault(vault, commit=False)
    result = new(vault, "claim", NEW, *FLAGS, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["commit"] is None and (vault / f"domains/ai/{NEW}.md").is_file()


def test_bad_enum_value_is_a_usage_error(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", NEW, *FLAGS[:4], "--confidence", "sure", "--source", "x")
    assert result.code == 2 and "proven, likely, experimental, speculative" in result.stderr
    unknown = new(vault, "claim", NEW, "--domain", "nowhere", *FLAGS[2:])
    assert unknown.code == 2 and "--domain 'nowhere' is not one of: ai, bio" in unknown.stderr


def test_edit_opens_the_note_in_the_editor_before_committing(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_vault(vault)
    editor = vault.parent / "editor.sh"
    editor.write_text("#!/bin/sh\necho 'Edited by hand.' >> \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    result = new(vault, "claim", NEW, *FLAGS, "--edit")
    assert result.code == 0, result.stderr
    assert (vault / f"domains/ai/{NEW}.md").read_text().endswith("\nEdited by hand.\n")
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.parametrize(("editor", "code", "said"), [("no-such-editor-anywhere", 2, "cannot run the editor"), ("false", 3, "exited with status 1")])
def test_an_editor_that_fails_writes_nothing(vault: Path, monkeypatch: pytest.MonkeyPatch, editor: str, code: int, said: str) -> None:
    make_vault(vault)
    before = snapshot(vault)
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    result = new(vault, "claim", NEW, *FLAGS, "--edit")
    assert result.code == code and said in result.stderr
    assert snapshot(vault) == before


def test_edit_headless_without_an_editor_named_is_refused(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--no-input --edit` ran the default vi with no terminal (its escapes in the output, or a hang)."""
    make_vault(vault)
    before = snapshot(vault)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", str(vault.parent))  # were vi run, it would not be found: exit 2 either way, but another message
    result = new(vault, "claim", NEW, *FLAGS, "--edit")
    assert result.code == 2 and "--edit with no terminal (or --no-input) needs VISUAL or EDITOR" in result.stderr
    assert "--body-file" in result.stderr and snapshot(vault) == before


def test_apostrophes_leave_the_file_name_and_check_stays_clean(vault: Path) -> None:
    make_vault(vault)
    title = "markets don't lie because traders' money is at stake"
    result = new(vault, "claim", title, *FLAGS, "--body", "b", "--json")
    assert result.code == 0, result.stderr
    path = result.json()["path"]
    assert path == "domains/ai/markets dont lie because traders money is at stake.md"
    check = run(["--json", "check", path], cwd=vault)
    assert check.json()["problems"] == [], check.stdout


def test_json_lists_the_warnings(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", MARKETS.replace("bet on", "bet about"), *FLAGS, "--json")
    assert result.code == 0
    warnings = result.json()["warnings"]
    assert any(MARKETS in w for w in warnings) and any("no body yet" in w for w in warnings)


def test_a_source_title_is_free_text_because_its_file_name_is_a_slug(vault: Path) -> None:
    make_vault(vault)
    args = ["AI/ML: what 2025 taught us?", "--author", "Jane Doe", "--date", "2025-12-31", "--domain", "ai", "--json"]
    result = new(vault, "source", *args)
    assert result.code == 0, result.stderr
    path = result.json()["path"]
    assert path == "inbox/archive/2025-12-31-jane-doe-ai-ml-what-2025-taught-us.md"
    assert '\ntitle: "AI/ML: what 2025 taught us?"\n' in (vault / path).read_text()


def test_the_domain_default_follows_the_closest_claims(vault: Path) -> None:
    from codex_cli.ops.domain import DomainDraft, guess_domain
    from codex_cli.vault import Vault

    make_vault(vault)
    # a claim whose `domain:` names no folder counts for the folder it is in
    text = (vault / "domains/bio/cells divide because growth signals outweigh checkpoints.md").read_text()
    (vault / "domains/bio/cells divide because growth signals outweigh checkpoints.md").write_text(text.replace("domain: bio", "domain: livingip"))
    v = Vault.open(vault)
    assert guess_domain(v, DomainDraft("cells divide faster when growth signals outweigh the checkpoints")).domain == "bio"
    guess = guess_domain(v, DomainDraft("markets beat polls because traders bet money on what they know"))
    assert guess.domain == "ai" and guess.choices[1].domain == "bio" and guess.score > guess.choices[1].score


def test_domain_auto_takes_a_sure_guess_and_says_so_in_json(vault: Path) -> None:
    make_vault(vault)
    title = "prediction markets beat polls because traders bet money on what they know"
    args = ["--domain", "auto", "--description", "Money at stake sharpens forecasts", "--confidence", "likely", "--source", "Hanson", "--link", MARKETS, "--json"]
    result = new(vault, "claim", title, *args, "--dry-run")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["path"] == f"domains/ai/{title}.md" and doc["domain"] == "ai" and doc["domain_guessed"] is True
    assert doc["domain_score"] >= 0.995 and doc["domain_runner_up"]["domain"] == "bio"
    assert "domain: ai (guessed" in result.stderr
    # the title alone is evidence too (a flag's title is read before it is checked)
    bio = ["--domain", "auto", "--description", "Checkpoints fail", "--confidence", "likely", "--source", "tests", "--json", "--dry-run"]
    result = new(vault, "claim", "cells divide faster when growth signals outweigh the checkpoints", *bio)
    assert result.code == 0, result.stderr
    assert result.json()["domain"] == "bio"


def test_headless_without_domain_names_the_flag_and_what_codex_would_guess(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", "prediction markets beat polls because traders bet money on what they know", *FLAGS[2:])
    assert result.code == 2
    assert "pass --domain" in result.stderr and "codex guesses ai 1.00, bio 0.00 (--domain auto takes it)" in result.stderr


def test_domain_auto_headless_and_unsure_names_the_flag_and_the_guesses(vault: Path) -> None:
    make_vault(vault)
    weather = ["--description", "Low pressure fronts bring rain to the coast", "--confidence", "likely", "--source", "tests"]
    result = new(vault, "claim", "an unrelated sentence about weather and tides", "--domain", "auto", *weather)
    assert result.code == 2
    assert "--domain auto: codex is not sure of the domain (" in result.stderr and "pass --domain NAME" in result.stderr


def test_a_given_domain_is_not_guessed(vault: Path) -> None:
    make_vault(vault)
    result = new(vault, "claim", "an unrelated sentence about weather and tides", "--domain", "bio", *FLAGS[2:], "--json", "--dry-run")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["domain"] == "bio" and doc["domain_guessed"] is False and doc["domain_score"] is None


def test_the_domain_model_is_kept_until_a_note_changes(vault: Path) -> None:
    from codex_cli.adapters import cache
    from codex_cli.ops.domain import DomainGuesser
    from codex_cli.vault import Vault

    make_vault(vault)
    first = DomainGuesser(Vault.open(vault))
    assert (cache.cache_dir(vault) / "domain-model.pickle").is_file() and "zeppelin" not in first.text.counts["ai"]
    (vault / "domains/ai/zeppelins carry traders.md").write_text("---\ntype: claim\ndomain: ai\n---\n# zeppelins carry traders\n")
    again = DomainGuesser(Vault.open(vault))
    assert again.text.counts["ai"]["zeppelin"] > 0 and not again.terms  # rebuilt; per-claim words only with leave_out
