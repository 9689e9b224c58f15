"""core.review: the gates a program can decide, each on its own."""

from __future__ import annotations

from codex_cli.core.check import Finding
from codex_cli.core.note import Note, ParseContext, parse_note
from codex_cli.core.review import (
    cites_a_source,
    claim_findings,
    commit_findings,
    compile_pattern,
    exempt_why,
    exemptions,
    new_only,
    quantifiers,
    restatement,
    source_findings,
    trailer_key,
)

CTX = ParseContext(frozenset({"depends_on", "challenged_by", "claims_extracted", "enrichments"}), {}, frozenset())
UUID = "2EA8DBCB-A29B-43E8-B726-45E571A1F3C8"


def claim(title: str, *, description: str = "what the evidence adds beyond it", confidence: str = "experimental", body: str = "Smith (2024) found it.", extra: str = "") -> tuple[Note, str]:
    text = f'---\ntype: claim\ndescription: "{description}"\nconfidence: {confidence}\n{extra}---\n\n# {title}\n\n{body}\n\n---\n\nRelevant Notes:\n- [[other]]\n'
    return parse_note(f"d/{title}.md", text.encode(), CTX), text


def codes(title: str, **kw: str) -> set[str]:
    note, text = claim(title, **kw)
    return {f.code for f in claim_findings(note, text, 0.8)}


def test_a_good_claim_passes_every_gate() -> None:
    assert codes("markets price risk better than committees because traders pay for errors") == set()


def test_universal_quantifiers_in_the_title() -> None:
    assert quantifiers("markets always win and never lose") == ["always", "never"]
    assert quantifiers("The only way is the fundamental one") == ["the only", "the fundamental"]
    assert quantifiers("overall smallness is allowable") == []  # words, not letters
    assert "universal-quantifier" in codes("markets always beat committees at pricing risk")


def test_restatement_is_the_share_of_description_words_the_title_has() -> None:
    assert restatement("markets beat polls", "Markets beat polls.") == 1.0
    assert restatement("markets beat polls", "the 2024 election showed turnout models failing") == 0.0
    assert "description-restates-title" in codes("markets beat polls at forecasting", description="markets beat polls at forecasting")
    assert "description-restates-title" not in codes("markets beat polls at forecasting", description="Polymarket's 2024 record against turnout models")


def test_likely_or_proven_needs_challenged_by() -> None:
    assert "unchallenged" in codes("markets beat polls at forecasting", confidence="likely")
    assert "unchallenged" in codes("markets beat polls at forecasting", confidence="proven", extra="challenged_by: []\n")
    assert "unchallenged" not in codes("markets beat polls at forecasting", confidence="likely", extra='challenged_by:\n  - "thin markets are noisy"\n')
    assert "unchallenged" not in codes("markets beat polls at forecasting", confidence="speculative")


def test_a_body_must_cite_a_source() -> None:
    assert cites_a_source("see [[evidence note]]") and cites_a_source("https://example.org")
    assert cites_a_source("a 2019 survey") and cites_a_source("Lakoff demonstrated that frames shape reasoning")
    assert cites_a_source("Henrich's Tasmanian Effect shows it")
    assert not cites_a_source("It is simply true because markets are good.")
    assert "no-evidence" in codes("markets beat polls at forecasting", body="Because markets are good.")


def test_title_rules_come_from_the_title_validator() -> None:
    assert "title-not-a-claim" in codes("futarchy")


def test_commit_trailers() -> None:
    known = {"rio", "leo"}
    ok = commit_findings("a" * 40, "rio: x", [("Pentagon-Agent", f"Rio <{UUID}>")], 1, known)
    headless = commit_findings("a" * 40, "rio: x", [("Pentagon-Agent", "Rio <HEADLESS>")], 1, known)
    assert ok == [] and headless == []
    assert [f.code for f in commit_findings("a" * 40, "x", [], 1, known)] == ["missing-trailer"]
    assert [f.code for f in commit_findings("a" * 40, "x", [("Pentagon-Agent", "Rio")], 1, known)] == ["bad-trailer"]
    assert [f.code for f in commit_findings("a" * 40, "x", [("Pentagon-Agent", f"Mallory <{UUID}>")], 1, known)] == ["unknown-agent"]
    assert commit_findings("a" * 40, "Merge pull request", [], 2, known) == []  # a forge's merge


def test_a_persons_commit_carries_a_contributor_trailer_instead() -> None:
    known = {"rio"}
    assert commit_findings("a" * 40, "add a claim", [("Contributor", "Ada Lovelace")], 1, known) == []
    assert commit_findings("a" * 40, "add a claim", [("Signed-off-by", "Ada")], 1, known, person="Signed-off-by") == []
    empty = commit_findings("a" * 40, "add a claim", [("Contributor", " ")], 1, known)
    assert [f.code for f in empty] == ["missing-trailer"] and "Contributor:" in empty[0].message
    # an agent's trailer beside it is still checked
    both = commit_findings("a" * 40, "x", [("Contributor", "Ada"), ("Pentagon-Agent", "Rio")], 1, known)
    assert [f.code for f in both] == ["bad-trailer"]
    assert trailer_key("Contributor: {name}") == "Contributor" and trailer_key("Co-authored-by: {name}") == "Co-authored-by"
    assert trailer_key("") == "Contributor" and trailer_key("{name}") == "Contributor"


def test_source_entries_must_match_what_the_branch_adds_and_changes() -> None:
    text = '---\ntype: source\nclaims_extracted: ["new claim.md", "old claim"]\nenrichments: ["enriched claim"]\n---\n'
    source = parse_note("inbox/s.md", text.encode(), CTX)
    paths = {"new claim": "d/new claim.md", "old claim": "d/old claim.md", "enriched claim": "d/enriched claim.md"}

    def resolve(title: str, _: str) -> str | None:
        return paths.get(title.removesuffix(".md"))

    found = source_findings(source, None, resolve, {"d/new claim.md"}, {"d/new claim.md", "d/enriched claim.md"})
    assert [(f.code, f.target) for f in found] == [("source-mismatch", "old claim")]
    assert source_findings(source, source, resolve, set(), set()) == []  # nothing newly listed


def test_new_only_drops_what_was_there_before() -> None:
    a = Finding("x.md", "broken-link", "error", "m", 3, "t")
    b = Finding("x.md", "broken-link", "error", "m", 9, "u")
    assert new_only([a, b], [Finding("x.md", "broken-link", "error", "m", 1, "t")]) == [b]
    # a claim gate is the same finding whatever its wording (proven -> likely is still unchallenged)
    likely = Finding("x.md", "unchallenged", "error", "confidence: likely with no challenged_by")
    assert new_only([likely], [Finding("x.md", "unchallenged", "error", "confidence: proven with no challenged_by")]) == []


AUTO = exemptions([{"subject": "^Auto: ", "why": "the platform's commits"}, {"author": "<ci@example\\.com>$", "why": "CI"}])


def test_a_commit_an_exemption_matches_needs_no_trailer() -> None:
    known = {"rio"}
    why = exempt_why(AUTO, "Auto: 3 files", "m3taversal <m@example.com>", [])
    assert why == "the platform's commits"
    assert commit_findings("a" * 40, "Auto: 3 files", [], 1, known, why) == []
    assert exempt_why(AUTO, "rio: Auto: not at the start", "Rio <r@example.com>", []) is None
    assert exempt_why(AUTO, "bump", "Bot <ci@example.com>", []) == "CI"
    assert exempt_why(AUTO, "bump", "Bot <ci@example.com.evil>", []) is None


def test_an_exempt_commit_with_a_trailer_is_still_checked() -> None:
    trailers = [("Pentagon-Agent", "Mallory <HEADLESS>")]
    assert exempt_why(AUTO, "Auto: 3 files", "m <m@x>", trailers) is None
    assert [f.code for f in commit_findings("a" * 40, "Auto: 3 files", trailers, 1, {"rio"}, None)] == ["unknown-agent"]


def test_a_rule_with_both_patterns_needs_both() -> None:
    (rule,) = exemptions([{"subject": "^Auto:", "author": "^Bot "}])
    assert rule.matches("Auto: x", "Bot <b@x>") and not rule.matches("Auto: x", "Rio <r@x>") and not rule.matches("x", "Bot <b@x>")
    assert rule.why == "review.trailer_exempt.0"  # no why: the rule's place


def test_patterns_match_in_linear_time_and_unsafe_ones_are_refused() -> None:
    # Python's re takes exponential time on this; RE2 answers at once
    assert compile_pattern("(a+)+$").search("a" * 100_000 + "b") is None
    for bad in ("(a", "(a)\\1", "(?=x)y", "(?<!x)y", "x" * 201):
        try:
            compile_pattern(bad)
        except ValueError as exc:
            assert str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")
