"""`codex impact NOTE`, and what retire and rename show of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import claim, git_init, run, write_vault

BASE = "domains/ai/base claim holds.md"


@pytest.fixture
def repo(vault: Path) -> Path:
    write_vault(vault, {
        "domains/ai/_map.md": "# AI\n\n- [[base claim holds]] — the base\n- [[built on the base]] — built\n",
        BASE: claim("base claim holds", "the argument"),
        "domains/ai/built on the base.md": claim("built on the base", "see [[base claim holds]]", extra='depends_on:\n  - "base claim holds"\n'),
        "agents/rio/beliefs.md": "# Rio's beliefs\n\n### 1. The base matters\n\n- [[base claim holds]] — grounding\n",
        "agents/rio/positions/the base wins by 2030.md": (
            "---\ntype: position\ndepends_on:\n  - \"[[the base matters]]\"\n---\n\n# the base wins by 2030\n"
        ),
    })
    return git_init(vault)


def test_impact_lists_dependents_and_the_cascade(repo: Path) -> None:
    result = run(["impact", "base claim holds", "--json"], cwd=repo)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["note"] == BASE
    direct = {(d["path"], d["relation"]) for d in doc["dependents"] if d["depth"] == 1}
    assert direct == {
        ("domains/ai/_map.md", "map"),
        ("domains/ai/built on the base.md", "depends_on"),
        ("agents/rio/beliefs.md", "link"),
    }
    chains = {d["path"]: d["chain"] for d in doc["cascade"]}
    assert chains["agents/rio/positions/the base wins by 2030.md"] == [
        BASE, "agents/rio/beliefs.md#The base matters", "agents/rio/positions/the base wins by 2030.md",
    ]
    text = run(["impact", "base claim holds"], cwd=repo)
    assert "via agents/rio/beliefs.md#The base matters" in text.stdout
    assert "nothing depends on" in run(["impact", "agents/rio/positions/the base wins by 2030.md"], cwd=repo).stdout


def test_impact_of_a_missing_note_is_refused(repo: Path) -> None:
    result = run(["impact", "no such claim"], cwd=repo)
    assert result.code == 3 and "not found" in result.stderr


def test_retire_shows_the_impact_first_and_in_json(repo: Path) -> None:
    result = run(["retire", "base claim holds", "--reason", "superseded", "--dry-run"], cwd=repo)
    assert result.code == 0, result.stderr
    assert "3 notes refer to " + BASE in result.stderr
    assert "position agents/rio/positions/the base wins by 2030.md" in result.stderr
    doc = run(["retire", "base claim holds", "--reason", "superseded", "--json"], cwd=repo).json()
    assert {d["path"] for d in doc["impact"]["cascade"]} == {"agents/rio/beliefs.md", "agents/rio/positions/the base wins by 2030.md"}


def test_rename_json_carries_the_impact_of_the_old_note(repo: Path) -> None:
    doc = run(["rename", "base claim holds", "base claim still holds", "--yes", "--json"], cwd=repo).json()
    assert doc["impact"]["note"] == BASE
    assert len(doc["impact"]["cascade"]) == 2


def test_impact_sees_every_link_kind_the_resolver_knows(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/aliased claim holds.md": claim("aliased claim holds", extra="aliases: [the alias]\n"),
        "domains/ai/by alias.md": claim("by alias", "see [[the alias]]"),
        "domains/ai/by markdown.md": claim("by markdown", "see [it](aliased%20claim%20holds.md)"),
        "domains/ai/by field.md": claim("by field", extra='parent_entity: "[[aliased claim holds]]"\n'),
    })
    doc = run(["impact", "aliased claim holds", "--json"], cwd=vault).json()
    assert {d["path"] for d in doc["dependents"]} == {"domains/ai/by alias.md", "domains/ai/by markdown.md", "domains/ai/by field.md"}
