"""core.extract_plan: every problem of shape at once, with its place and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_cli.core import extract_plan as ep

LIMITS = ep.Limits(confidence=["likely", "speculative"], entity_types=["company", "protocol"], claim_domains=["ai"], domains=["ai", "health"])
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "extract-plan.schema.json"

GOOD = """\
claims:
  - title: markets aggregate knowledge because traders bet on it
    domain: ai
    confidence: likely
    description: prices carry what people know
    links: ["an existing note|why", {title: another, relation: how}]
entities:
  - {name: Omnipair, entity_type: protocol, domain: health}
enrichments:
  - {claim: an existing claim, evidence: new data, kind: challenge}
"""


def test_a_good_plan_has_no_problems_and_gives_each_title() -> None:
    problems, titles = ep.check_shape(ep.read_plan(GOOD), LIMITS)
    assert problems == []
    assert titles["claims[0]"].name == "markets aggregate knowledge because traders bet on it"
    assert titles["entities[0]"].name == "Omnipair"


def test_every_problem_is_listed_with_its_place_and_line() -> None:
    bad = """\
claims:
  - title: "a title with a # in it"
    domain: nowhere
    confidence: sure
    description: d
    colour: red
  - title: markets aggregate knowledge because traders bet on it
    domain: ai
    confidence: likely
  - title: Markets aggregate knowledge because traders bet on it
    domain: ai
    confidence: likely
    description: d
    depends_on: not a list
entities:
  - {name: X, entity_type: spaceship, domain: ai}
enrichments:
  - {claim: c, evidence: e, confidence: likely, kind: sideways}
extra: 1
"""
    problems, _ = ep.check_shape(ep.read_plan(bad), LIMITS)
    rendered = sorted(p.render("plan.yaml") for p in problems)
    assert rendered == sorted([
        "plan.yaml:2: claims[0].title: invalid title: # cannot be written in a [[link]] to the note",
        "plan.yaml:3: claims[0].domain: 'nowhere' is not a domain with a folder; one of: ai",
        "plan.yaml:4: claims[0].confidence: 'sure' is not one of: likely, speculative",
        "plan.yaml:6: claims[0].colour: unknown key; one of: " + ", ".join(ep.CLAIM_KEYS),
        "plan.yaml:7: claims[1].description: is required",
        "plan.yaml:10: claims[2].title: the same title as claims[1]",
        "plan.yaml:14: claims[2].depends_on: should be a list of titles",
        "plan.yaml:16: entities[0].entity_type: 'spaceship' is not one of: company, protocol",
        "plan.yaml:18: enrichments[0].kind: 'sideways' is not one of: extend, confirm, challenge",
        "plan.yaml:18: enrichments[0].reason: a confidence change needs a reason",
        "plan.yaml:19: extra: unknown key; the plan takes: " + ", ".join(sorted(ep.TOP_KEYS)),
    ])


def test_json_is_read_too_and_bad_syntax_is_one_problem_with_its_line() -> None:
    doc = ep.read_plan(json.dumps({"claims": [{"title": "t is a claim", "domain": "ai", "confidence": "likely", "description": "d"}]}))
    assert ep.check_shape(doc, LIMITS) == ([], {"claims[0]": ep.clean_title("t is a claim")})
    with pytest.raises(ep.PlanUnreadable) as info:
        ep.read_plan("claims:\n  - title: [unclosed\n")
    assert info.value.line is not None
    assert ep.check_shape(ep.read_plan(""), LIMITS)[0][0].message == "the plan has no claims, entities or enrichments"


def test_the_json_schema_in_docs_names_the_same_keys_as_the_checker() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(schema["properties"]) == ep.TOP_KEYS
    for section, (keys, required) in ep.SECTIONS.items():
        item = schema["properties"][section]["items"]
        assert set(item["properties"]) == set(keys), section
        assert set(item["required"]) == set(required), section
    assert schema["properties"]["enrichments"]["items"]["properties"]["kind"]["enum"] == list(ep.ENRICHMENT_KINDS)


def test_anchors_and_aliases_in_a_plan_are_refused_with_their_line() -> None:
    with pytest.raises(ep.PlanUnreadable) as info:
        ep.read_plan("claims:\n  - &c {title: t is a claim, domain: ai}\n  - *c\n")
    assert "anchors and aliases" in info.value.message and info.value.line == 2
