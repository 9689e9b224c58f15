"""core.schemas: a vault's schema files read as field rules."""

from __future__ import annotations

import pytest

from codex_cli.core.schemas import parse_schema
from tests.helpers import SAMPLE

LATER = SAMPLE.parent / "schemas-later"

ENTITY = """# Entity Schema

## YAML Frontmatter

```yaml
---
type: entity
entity_type: company | person | decision_market | lab
name: "Display name"
domain: internet-finance | health
handles: ["@a"]  # social identities
status: active | inactive  # for most types
# Decision markets use: active | passed | failed
tracked_by: rio  # which agent owns this entity
created: YYYY-MM-DD
---
```

## Required Fields

| Field | Type | Description |
|-------|------|-------------|
| type | enum | Always `entity` |
| entity_type | enum | Any type |
| name | string | Canonical name |
| created | date | When |

## Optional Fields

| Field | Type | Description |
|-------|------|-------------|
| website | string | Primary web presence |
| attribution | object | not checked |

## Decision Market-Specific Fields

```yaml
status: active | passed | failed  # the status IS the outcome
proposal_date: YYYY-MM-DD
```
"""


def test_enums_kinds_and_required_fields_come_from_the_schema() -> None:
    spec, domains = parse_schema(ENTITY, "entity")
    fields = spec["fields"]
    assert fields["entity_type"] == {"enum": ["company", "person", "decision_market", "lab"], "required": True}
    assert fields["status"]["enum"] == ["active", "inactive", "passed", "failed"]  # later blocks widen an enum
    assert "proposal_date" not in fields  # a later block's own fields are not checked
    assert fields["name"] == {"kind": "text", "required": True}
    assert fields["created"] == {"kind": "date", "required": True}
    assert fields["handles"] == {"kind": "list"}
    assert fields["website"] == {"kind": "text"}
    assert "attribution" not in fields
    assert fields["domain"]["enum"] == "domains" and domains == {"internet-finance", "health"}
    assert fields["tracked_by"] == {}  # the agents grow: no enum


def test_a_file_about_another_type_gives_no_rules() -> None:
    assert parse_schema(ENTITY, "claim") == ({}, set())
    assert parse_schema("# Notes\n\nno yaml here\n", "entity") == ({}, set())


@pytest.mark.sample
def test_the_later_entity_schema_accepts_what_the_real_entities_use() -> None:
    if not LATER.is_dir():
        pytest.skip("shared/schemas-later is not beside the clone")
    spec, _ = parse_schema((LATER / "entity.md").read_text(encoding="utf-8"), "entity")
    fields = spec["fields"]
    assert {"decision_market", "provider", "lab", "governance_body"} <= set(fields["entity_type"]["enum"])
    assert {"passed", "failed", "liquidated"} <= set(fields["status"]["enum"])


def test_a_legacy_section_adds_accepted_values_to_an_enum_and_nothing_else() -> None:
    text = (
        "```yaml\ntype: source\nstatus: unprocessed | processing | processed\nformat: paper | essay\ntitle: \"t\"\n```\n\n"
        "## Legacy Fields\n\n- `status: partial` instead of `processing` with notes\n- `title: old` instead of nothing\n"
        "- `status: processing` instead of itself\n\n## Later\n\n- `format: scroll` instead of paper\n"
    )
    fields = parse_schema(text, "source")[0]["fields"]
    assert fields["status"]["legacy"] == ["partial"]  # not `processing`, already allowed
    assert "legacy" not in fields["title"]  # not an enum
    assert "legacy" not in fields["format"]  # outside the Legacy section
