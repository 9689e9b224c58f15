"""`codex source add|start|done|null|list`, `new belief`, musings without a branch, and the vault's own schemas."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, run, write_vault
from tests.integration.new_vault import branch, head_files, head_message, make_vault

ADD = [
    "--no-input", "source", "add", "Active Inference and Epistemic Value",
    "--author", "Karl Friston (@kfriston)", "--url", "https://pubmed.ncbi.nlm.nih.gov/25689102/",
    "--date", "2015-03-01", "--domain", "ai", "--format", "paper", "--priority", "high",
    "--tag", "active-inference, epistemic value", "--flag-for", "theseus:epistemic foraging",
    "--notes", "the formal case for curiosity", "--hint", "curiosity is Bayes-optimal",
    "--body", "The paper decomposes expected free energy.", "--agent", "rio",
]
PATH = "inbox/archive/2015-03-01-kfriston-active-inference-and-epistemic-value.md"


def test_source_add_files_the_schema_fields_and_sections(vault: Path) -> None:
    make_vault(vault)
    result = run(ADD, cwd=vault)
    assert result.code == 0, result.stderr
    text = (vault / PATH).read_text()
    for line in (
        "type: source\n", 'url: "https://pubmed.ncbi.nlm.nih.gov/25689102/"\n', "status: unprocessed\n",
        "priority: high\n", 'tags: ["active-inference", "epistemic-value"]\n',
        'flagged_for_theseus: ["epistemic foraging"]\n', "## Content\n\nThe paper decomposes expected free energy.\n",
        "## Agent Notes\n", "**Why this matters:** the formal case for curiosity\n", "- CLAIM: curiosity is Bayes-optimal\n",
    ):
        assert line in text, line
    assert head_files(vault) == [PATH]


def test_a_source_already_archived_is_refused_by_url_or_by_title_and_date(vault: Path) -> None:
    make_vault(vault)
    assert run(ADD, cwd=vault).code == 0
    git(vault, "switch", "-q", "main")
    git(vault, "merge", "-q", "--ff-only", "rio/sources-active-inference-and-epistemic-value")
    same_url = ["--no-input", "source", "add", "Another title", "--author", "x", "--url", "http://www.pubmed.ncbi.nlm.nih.gov/25689102", "--date", "2020-01-01", "--domain", "ai"]
    result = run(same_url, cwd=vault)
    assert result.code == 3 and f"already archived: {PATH}: the same URL, http://www.pubmed" in result.stderr
    same_title = ["--no-input", "new", "source", "active inference and epistemic value", "--author", "y", "--url", "https://example.org/x", "--date", "2015-03-01", "--domain", "ai"]
    result = run(same_title, cwd=vault)
    assert result.code == 3 and "the same title and date" in result.stderr


def test_the_lifecycle_moves_a_source_on_its_extract_branch(vault: Path) -> None:
    make_vault(vault, commit=False)
    write_vault(vault, {"inbox/archive/2026-01-01-x-a-report.md": "---\ntype: evidence\nsource: \"https://x.org/a\"\ndate: 2026-01-01\n---\n\n# A report\n"})
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "start")
    listed = run(["source", "list", "--status", "unprocessed", "--json"], cwd=vault).json()["sources"]
    assert [s["path"] for s in listed] == ["inbox/archive/2026-01-01-x-a-report.md"]  # a legacy source without status
    null = run(["--no-input", "source", "null", "2026-01-01-x-a-report.md", "--agent", "rio"], cwd=vault)
    assert null.code == 2 and "--notes" in null.stderr
    started = run(["--no-input", "source", "start", "2026-01-01-x-a-report.md", "--agent", "rio"], cwd=vault)
    assert started.code == 0, started.stderr
    assert branch(vault) == "extract/2026-01-01-x-a-report"
    assert head_message(vault).startswith("rio: start processing 2026-01-01-x-a-report.md\n")
    assert "git switch main" in started.stderr
    again = run(["--no-input", "source", "start", "2026-01-01-x-a-report.md", "--agent", "rio"], cwd=vault)
    assert again.code == 3 and "is processing" in again.stderr
    done = run(["--no-input", "source", "null", "2026-01-01-x-a-report.md", "--agent", "rio", "--notes", "paywalled"], cwd=vault)
    assert done.code == 0, done.stderr
    text = (vault / "inbox/archive/2026-01-01-x-a-report.md").read_text()
    assert "status: null-result\nprocessed_by: rio\nprocessed_date: " in text and "notes: paywalled\n" in text
    assert run(["source", "list", "--status", "null-result", "--json"], cwd=vault).json()["sources"][0]["processed_by"] == "rio"
    assert run(["source", "list", "--status", "nonsense"], cwd=vault).code == 2
    by_domain = run(["source", "list", "--domain", "ai"], cwd=vault)  # the legacy file has no domain
    assert by_domain.code == 0 and "0 sources" in by_domain.stderr and "1 more has no domain (older files)" in by_domain.stderr
    listed = run(["source", "list"], cwd=vault)
    assert listed.stderr.startswith("status       date       domain             path\n")
    assert listed.stdout.splitlines() == [f"{s['status']:<12} {s['date'] or '-':<10} {s['domain'] or '-':<18} {s['path']}" for s in run(["source", "list", "--json"], cwd=vault).json()["sources"]]
    assert all(" ? " not in line for line in listed.stdout.splitlines())
    assert run(["source", "list", "--domain", "ai", "--json"], cwd=vault).json()["without_domain"] == 1


def test_new_belief_rests_on_three_claims(vault: Path) -> None:
    make_vault(vault)
    claims = [
        "markets beat votes for information aggregation because traders bet on what they know",
        "alignment is a coordination problem rather than a purely technical one",
        "cells divide because growth signals outweigh checkpoints",
    ]
    base = ["--no-input", "new", "belief", "markets aggregate what committees cannot know", "--agent", "rio", "--domain", "ai",
            "--description", "why rio trusts prices over panels", "--confidence", "strong"]
    short = run([*base, "--depends-on", claims[0]], cwd=vault)
    assert short.code == 2 and "at least 3" in short.stderr
    result = run([*base, *(a for c in claims for a in ("--depends-on", c))], cwd=vault)
    assert result.code == 0, result.stderr
    path = "agents/rio/beliefs/markets aggregate what committees cannot know.md"
    text = (vault / path).read_text()
    assert "type: belief\n" in text and "status: active\n" in text and f'  - "[[{claims[2]}]]"\n' in text
    assert run(["check", "--json"], cwd=vault).json()["errors"] == 0


def test_a_musing_is_committed_where_the_agent_is_without_a_branch(vault: Path) -> None:
    make_vault(vault)
    result = run(["--no-input", "new", "musing", "what if maps were ranked", "--agent", "rio"], cwd=vault)
    assert result.code == 0, result.stderr
    assert branch(vault) == "main" and head_files(vault) == ["agents/rio/musings/what if maps were ranked.md"]


ENTITY_SCHEMA = """# Entity Schema

```yaml
---
type: entity
entity_type: company | decision_market | lab
name: "Display name"
domain: internet-finance | health
status: active | inactive
tracked_by: rio
created: YYYY-MM-DD
---
```

```yaml
status: active | passed | failed
```
"""


def test_check_follows_the_vaults_schema_and_the_config_overrides_it(vault: Path) -> None:
    entity = "---\ntype: entity\nentity_type: decision_market\nname: \"MetaDAO: hire\"\ndomain: health\nstatus: passed\ntracked_by: rio\ncreated: 2026-03-01\n---\n\n# MetaDAO: hire\n"
    write_vault(vault, {"entities/health/metadao-hire.md": entity, "domains/ai/_map.md": "# AI\n"})
    before = run(["check", "--json"], cwd=vault).json()
    assert before["errors"] == 3  # the built-ins know neither decision_market, nor passed, nor a domain without a folder
    write_vault(vault, {"schemas/entity.md": ENTITY_SCHEMA})
    assert run(["check", "--json"], cwd=vault).json()["errors"] == 0
    write_vault(vault, {".codex.yaml": "types:\n  entity:\n    fields:\n      status: {enum: [active]}\n"})
    after = run(["check", "--json"], cwd=vault).json()
    assert after["errors"] == 1 and "status: passed" in str(after)
    write_vault(vault, {".codex.yaml": "schemas: \"\"\n"})
    assert run(["check", "--json"], cwd=vault).json()["errors"] == 3


def test_a_command_never_commits_onto_another_agents_branch(vault: Path) -> None:
    make_vault(vault)
    write_vault(vault, {"agents/theseus/identity.md": "# theseus\n"})
    git(vault, "add", "-A")
    git(vault, "commit", "-qm", "theseus")
    git(vault, "switch", "-q", "-c", "theseus/rename-x")
    before = git(vault, "rev-parse", "HEAD")
    result = run(["--no-input", "new", "musing", "a thought on maps", "--agent", "rio"], cwd=vault)
    assert result.code == 0  # a musing commits where it is (--no-branch by its type)
    git(vault, "reset", "-q", "--hard", before.strip())
    claim = ["--no-input", "new", "claim", "prices beat panels at forecasting policy outcomes", "--domain", "ai", "--description", "d e f",
             "--confidence", "likely", "--source", "s", "--agent", "rio"]
    refused = run(claim, cwd=vault)
    assert refused.code == 3 and "theseus's branch" in refused.stderr and "git switch main" in refused.stderr
    assert git(vault, "rev-parse", "HEAD") == before and branch(vault) == "theseus/rename-x"
    own = run([*claim[:-1], "theseus"], cwd=vault)
    assert own.code == 0, own.stderr
    assert branch(vault) == "theseus/rename-x"  # the agent's own branch: it commits there


SOURCE_SCHEMA = """# Source Schema

```yaml
---
type: source
title: "Article or thread title"
author: "Name (@handle if applicable)"
date: YYYY-MM-DD
domain: ai | bio
status: unprocessed | processing | processed | null-result
---
```

## Legacy Fields

- `type: evidence` or `type: archive` instead of `type: source`
- `status: partial` instead of `processing` with notes
"""


def test_legacy_status_partial_is_accepted_by_check_and_counts_as_processing(vault: Path) -> None:
    make_vault(vault)
    partial = "---\ntype: source\ntitle: A paywalled report\nauthor: x\ndate: 2026-01-01\ndomain: ai\nstatus: partial\nnotes: paywalled\n---\n\n# A paywalled report\n"
    write_vault(vault, {"inbox/archive/2026-01-01-x-a-paywalled-report.md": partial, "inbox/archive/2026-01-02-x-b.md": partial.replace("partial", "sure")})

    def bad_values() -> list[str]:
        return [f["message"] for f in run(["check", "--json"], cwd=vault).json()["problems"] if f["code"] == "bad-value"]

    assert bad_values() == ["`status: sure` is not one of: null-result, processed, processing, unprocessed"]  # built-ins: partial is legacy
    write_vault(vault, {"schemas/source.md": SOURCE_SCHEMA})
    assert len(bad_values()) == 1  # the vault's schema says so in its Legacy Fields
    write_vault(vault, {"schemas/source.md": SOURCE_SCHEMA.split("## Legacy")[0]})
    assert len(bad_values()) == 1  # a schema without the section: still the built-in legacy value
    write_vault(vault, {".codex.yaml": "types:\n  source:\n    fields:\n      status: {legacy: []}\n"})
    assert len(bad_values()) == 2  # the configuration can refuse it
    listed = run(["source", "list", "--status", "processing", "--json"], cwd=vault).json()["sources"]
    assert [s["path"] for s in listed] == ["inbox/archive/2026-01-01-x-a-paywalled-report.md"]
