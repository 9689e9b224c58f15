"""`codex extract SOURCE --plan` and `codex enrich`: one extraction, one commit, or nothing at all."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.helpers import claim, git, run, snapshot, write_vault
from tests.integration.new_vault import (
    ALIGNMENT,
    MARKETS,
    branch,
    head_files,
    head_message,
    make_vault,
)

TODAY = date.today().isoformat()
SOURCE = "inbox/archive/2026-02-21-rakka-omnipair-rate-controller.md"
SOURCE_TEXT = (
    "---\ntype: evidence\nsource: \"https://x.com/rakka/status/1\"\nauthor: \"@rakka\"\ndate: 2026-02-21\n"
    "tags: [omnipair]\n---\n\n# @rakka on the rate controller\n\nA target utilization range, not a kink.\n"
)
NEW1 = "target utilization bands raise borrow rates before liquidity runs out"
NEW2 = "shallow pools cap early lending markets near half utilization"
NEW3 = "one pool for lending and spot removes the fragmentation that makes leverage expensive"

PLAN = f"""\
extracted_by: headless extraction cron (worker 6)
claims:
  - title: {NEW1}
    domain: ai
    confidence: likely
    description: Omnipair moved its default band from 50-85 to 30-50 percent
    body: The founder says the controller targets a range.
    links: ["{MARKETS}|the prices it sets"]
  - title: {NEW2}
    domain: ai
    confidence: speculative
    description: Utilization could not pass about 55 percent
    depends_on: ["{NEW1}"]
  - title: {NEW3}
    domain: ai
    confidence: speculative
    description: A single GAMM pool serves both sides
    links: ["Omnipair|the protocol"]
entities:
  - name: Omnipair
    entity_type: protocol
    domain: ai
    description: A Solana protocol with one pool for spot and lending
enrichments:
  - claim: {ALIGNMENT}
    kind: challenge
    evidence: Omnipair coordinates lenders and traders through one pool, a technical fix.
    confidence: experimental
    reason: a working counterexample
"""


def vault_with_source(root: Path) -> Path:
    make_vault(root, commit=False)
    write_vault(root, {SOURCE: SOURCE_TEXT})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def extract(root: Path, plan: str, *args: str) -> object:
    (root.parent / "plan.yaml").write_text(plan)
    return run(["--no-input", "extract", SOURCE, "--plan", str(root.parent / "plan.yaml"), "--agent", "rio", *args], cwd=root)


def test_one_plan_lands_claims_entity_enrichment_and_the_source_in_one_commit(vault: Path) -> None:
    vault_with_source(vault)
    result = extract(vault, PLAN, "--json")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert branch(vault) == "extract/2026-02-21-rakka-omnipair-rate-controller" == doc["branch"]
    assert doc["previous_branch"] == "main"
    assert {"from": f"domains/ai/{NEW1}.md", "to": MARKETS, "relation": "the prices it sets"} in doc["links"]
    assert {"from": f"domains/ai/{NEW3}.md", "to": "omnipair", "relation": "the protocol"} in doc["links"]
    assert doc["proposals"] == {}  # headless: nothing is proposed (`codex link NOTE --suggest` ranks)
    assert git(vault, "rev-list", "--count", "main..HEAD").strip() == "1"
    assert head_files(vault) == sorted([
        "domains/ai/_map.md", f"domains/ai/{NEW1}.md", f"domains/ai/{NEW2}.md", f"domains/ai/{NEW3}.md",
        f"domains/ai/{ALIGNMENT}.md", "entities/ai/omnipair.md", SOURCE,
    ])
    assert head_message(vault) == (
        "rio: extract from 2026-02-21-rakka-omnipair-rate-controller.md\n\n"
        f"- Source: {SOURCE}\n- Domain: ai\n- Extracted by: headless extraction cron (worker 6)\n\n"
        "Pentagon-Agent: Rio <HEADLESS>\n"
    )
    source = (vault / SOURCE).read_text()
    assert f"status: processed\nprocessed_by: rio\nprocessed_date: {TODAY}\n" in source
    assert f'claims_extracted: ["{NEW1}", "{NEW2}", "{NEW3}"]\n' in source and f'enrichments: ["{ALIGNMENT}"]\n' in source
    second = (vault / f"domains/ai/{NEW2}.md").read_text()
    assert f'depends_on:\n  - "[[{NEW1}]]"\n' in second  # a link to a claim of the same plan
    assert "- [[omnipair]] — the protocol\n" in (vault / f"domains/ai/{NEW3}.md").read_text()
    enriched = (vault / f"domains/ai/{ALIGNMENT}.md").read_text()
    assert (
        "\n### Additional Evidence (challenge)\n"
        "*Source: [[2026-02-21-rakka-omnipair-rate-controller]] | Added: " + TODAY + " | Extractor: rio*\n\n"
        "Omnipair coordinates lenders and traders through one pool, a technical fix.\n\n"
        "*Confidence: experimental — a working counterexample*\n\n---\n"
    ) in enriched
    assert "confidence: experimental\n" in enriched and f"last_evaluated: {TODAY}\n" in enriched
    assert "tracked_by: rio\n" in (vault / "entities/ai/omnipair.md").read_text()
    for title in (NEW1, NEW2, NEW3):
        assert f"- [[{title}]] — " in (vault / "domains/ai/_map.md").read_text()
    assert run(["check", "--json"], cwd=vault).json()["errors"] == 0
    again = extract(vault, PLAN)
    assert again.code == 3 and "is processed: it was extracted already" in again.stderr


def test_a_bad_plan_is_refused_with_every_problem_and_nothing_written(vault: Path) -> None:
    vault_with_source(vault)
    before = snapshot(vault)
    bad = f"""\
claims:
  - title: {MARKETS}
    domain: ai
    confidence: likely
    description: a duplicate of an existing claim
  - title: a claim whose link and domain are both wrong
    domain: nowhere
    confidence: likely
    description: d
    links: ["a note nobody wrote"]
"""
    result = extract(vault, bad)
    assert result.code == 3
    assert "plan.yaml: 3 problems; nothing was written" in result.stderr
    assert f"plan.yaml:2: claims[0].title: already exists: domains/ai/{MARKETS}.md" in result.stderr
    assert "plan.yaml:7: claims[1].domain: 'nowhere' is not a domain with a folder; one of: ai, bio" in result.stderr
    assert "plan.yaml:10: claims[1].links[0]: not found: 'a note nobody wrote'" in result.stderr
    assert snapshot(vault) == before and branch(vault) == "main"


def test_a_json_plan_on_standard_input_and_a_dry_run(vault: Path) -> None:
    vault_with_source(vault)
    before = snapshot(vault)
    plan = {"claims": [{"title": NEW1, "domain": "ai", "confidence": "likely", "description": "a band, not a kink"}]}
    result = run(["--no-input", "extract", SOURCE, "--plan", "-", "--agent", "rio", "--dry-run", "--no-map"], cwd=vault, stdin=json.dumps(plan))
    assert result.code == 0, result.stderr
    assert f"+++ b/domains/ai/{NEW1}.md" in result.stdout and "_map.md" not in result.stdout
    assert "# would commit on extract/2026-02-21-rakka-omnipair-rate-controller:" in result.stdout
    assert snapshot(vault) == before


def test_enrich_adds_evidence_cites_the_source_and_records_the_claim(vault: Path) -> None:
    vault_with_source(vault)
    result = run(["--no-input", "enrich", MARKETS, "--source", SOURCE, "--evidence", "Rates rise early under a band.", "--agent", "rio"], cwd=vault)
    assert result.code == 0, result.stderr
    text = (vault / f"domains/ai/{MARKETS}.md").read_text()
    assert "### Additional Evidence (extend)\n*Source: [[2026-02-21-rakka-omnipair-rate-controller]] | Added: " in text
    assert text.index("### Additional Evidence") < text.index("Relevant Notes:")
    assert f'enrichments: ["{MARKETS}"]\n' in (vault / SOURCE).read_text()
    assert head_files(vault) == sorted([f"domains/ai/{MARKETS}.md", SOURCE])
    no_reason = run(["--no-input", "enrich", ALIGNMENT, "--source", SOURCE, "--evidence", "x", "--confidence", "likely"], cwd=vault)
    assert no_reason.code == 2 and "--reason" in no_reason.stderr


def test_no_map_still_names_the_topic_and_the_source_records_the_model(vault: Path) -> None:
    vault_with_source(vault)
    write_vault(vault, {"domains/ai/an analysis of launch volume.md": "---\ntype: analysis\n---\n\n# an analysis of launch volume\n"})
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "analysis")
    plan = {
        "extractor": "anthropic/claude-sonnet-4.5",
        "claims": [{"title": NEW1, "domain": "ai", "confidence": "likely", "description": "a band, not a kink"}],
        "enrichments": [{"claim": "an analysis of launch volume", "evidence": "x"}],
    }
    args = ["--no-input", "extract", SOURCE, "--plan", "-", "--agent", "rio", "--no-map"]
    refused = run(args, cwd=vault, stdin=json.dumps(plan))
    assert refused.code == 3 and "is not a claim (type: analysis); to enrich analysis notes, list the type in .codex.yaml: claim_types: [claim, analysis]" in refused.stderr
    del plan["enrichments"]
    result = run(args, cwd=vault, stdin=json.dumps(plan))
    assert result.code == 0, result.stderr
    assert "domains/ai/_map.md" not in head_files(vault)
    assert "Topics:\n- [[domains/ai/_map]]" in (vault / f"domains/ai/{NEW1}.md").read_text()  # the map is not changed, still named
    source = (vault / SOURCE).read_text()
    assert 'extraction_model: "anthropic/claude-sonnet-4.5"\n' in source


def test_depends_on_asked_at_a_terminal_resolves_from_the_new_claims_folder(vault: Path) -> None:
    import pytest

    from codex_cli.errors import Ambiguous, NotFound
    from codex_cli.ops.extract_form import _depends_on
    from codex_cli.vault import Vault

    make_vault(vault, commit=False)
    shared = "cells divide because growth signals outweigh checkpoints"
    write_vault(vault, {f"domains/ai/{shared}.md": claim(shared)})
    data: dict[str, list[dict[str, object]]] = {"claims": [{"title": NEW1}], "entities": [], "enrichments": []}
    check = _depends_on(Vault.open(vault), data, f"domains/ai/{NEW2}.md")
    assert check(f"{shared}; {NEW1}") == [shared, NEW1]  # the one in ai, and a claim added before
    with pytest.raises(Ambiguous):
        _depends_on(Vault.open(vault), data, "")(shared)
    with pytest.raises(NotFound):
        check("no note is called this")


def test_at_a_terminal_the_domain_guess_reads_the_source_and_the_claims_taken_from_it(vault: Path) -> None:
    from types import SimpleNamespace

    from codex_cli.core.titles import Title
    from codex_cli.ops.extract_form import _source_domains
    from codex_cli.ops.new_form import Gate, build_form
    from codex_cli.vault import Vault

    make_vault(vault, commit=False)
    v = Vault.open(vault)

    def offered(meta: dict[str, str], claims: list[dict[str, object]], title: str) -> object:
        domains = _source_domains(SimpleNamespace(meta=meta), {"claims": claims})
        q = next(q for q in build_form(v, "claim", Gate(v, "claim", False), [], source_domains=domains).questions if q.name == "domain")
        return q.default({"title": Title(title, title)})

    assert _source_domains(SimpleNamespace(meta={"domain": "ai"}), {"claims": [{"domain": "bio"}, {}]}) == ("ai", "bio")
    cells = "cells divide because growth signals outweigh checkpoints"
    neutral = "a sentence about weather and tides"
    assert offered({}, [], cells) == "bio"  # from the title alone
    assert offered({"domain": "ai"}, [], neutral) == "ai"  # the source's domain
    assert offered({}, [{"domain": "ai"}, {"domain": "ai"}], neutral) == "ai"  # the claims taken from it so far
    assert offered({"domain": "nowhere"}, [], cells) == "bio"  # not a domain with a folder: no evidence


def test_a_plan_may_leave_the_domain_to_codex_when_it_is_sure(vault: Path) -> None:
    vault_with_source(vault)
    (vault / SOURCE).write_text(SOURCE_TEXT.replace("tags: [omnipair]\n", "tags: [omnipair]\ndomain: ai\n"))  # the source says
    git(vault, "commit", "-qam", "the source's domain")
    plan = PLAN.replace("domain: ai\n    confidence: likely", "domain: auto\n    confidence: likely", 1)
    result = extract(vault, plan, "--json", "--dry-run")
    assert result.code == 0, result.stderr
    doc = result.json()
    assert f"domains/ai/{NEW1}.md" in doc["claims"]
    assert any(w.startswith("claims[0].domain: auto -> ai (guessed") for w in doc["warnings"])
    # about something else entirely: not sure, so the plan is refused with the guesses, nothing written
    vague = plan.replace(NEW1, "tides follow the moon because gravity pulls the oceans").replace(
        "Omnipair moved its default band from 50-85 to 30-50 percent", "Low pressure fronts bring rain"
    ).replace("The founder says the controller targets a range.", "Weather.").replace(f'links: ["{MARKETS}|the prices it sets"]', "links: []")
    (vault / SOURCE).write_text(SOURCE_TEXT)
    git(vault, "commit", "-qam", "no domain")
    result = extract(vault, vague, "--json")
    assert result.code == 3
    assert "claims[0].domain: auto: codex is not sure (" in result.stderr and "name the domain" in result.stderr
    assert "is not a domain" not in result.stderr  # one problem for that place, not two
