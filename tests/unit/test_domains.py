"""core.domains (the pooled guess) and adapters.agent_history.attribute (who added what)."""

from __future__ import annotations

from codex_cli.adapters.agent_history import Commit, attribute
from codex_cli.core import domains as dm


def test_naive_bayes_prefers_the_domain_whose_words_it_shares() -> None:
    model = dm.TextModel()
    model.add("health", dm.words("hospital readmissions fall with home care", "patients recover at home"))
    model.add("finance", dm.words("futarchy markets price token proposals", "traders bet on outcomes"))
    probs = model.probabilities(dm.words("home hospital care cuts readmissions"), ["health", "finance"])
    assert probs["health"] > 0.9 and abs(sum(probs.values()) - 1) < 1e-9
    model.add("health", dm.words("hospital readmissions fall with home care", "patients recover at home"), sign=-1)
    assert model.notes["health"] == 0 and model.probabilities(dm.words("unknown words only"), ["health", "finance"]) == {}


def test_map_words_are_headings_and_prose_not_entries() -> None:
    body = "Intro about clinics.\n\n## Payment Models\n- [[a claim about tokens]] — tokens\n"
    words = dm.map_words(body, "domains/internet-finance")
    assert {"clinic", "payment", "model", "internet", "finance"} <= set(words) and "token" not in words


def test_pool_multiplies_the_evidence_and_no_single_kind_rules_a_domain_out() -> None:
    evidence = {"text": {"a": 0.9, "b": 0.1}, "agent": {"b": 1.0}}
    both = dm.pool(["a", "b", "c"], evidence, {"text": 1.0, "agent": 1.0})
    assert [c.domain for c in both][:2] == ["b", "a"] and both[0].score < 1.0 and both[-1].domain == "c"
    assert both[0].why == "agent" and both[1].why == "text"
    text_only = dm.pool(["a", "b", "c"], evidence, {"text": 1.0})
    assert text_only[0].domain == "a"
    assert dm.pool(["a", "b"], {}, {"text": 1.0})[0].score == 0.5  # no evidence: even
    assert dm.pool(["a", "b"], {"text": {"a": 0.5, "b": 0.5}}, {"text": 1.0})[0].why == "-"  # a tie favours neither


def test_commits_are_attributed_by_subject_trailer_and_merged_branch() -> None:
    known = frozenset({"vida", "rio", "theseus"})
    commits = [  # newest first, as git log prints them
        Commit("m2", ["m1", "t2"], "Merge pull request #3 from someone/prometheus-1", ""),
        Commit("t2", ["t1"], "Auto: 2 files", ""),
        Commit("t1", ["m1"], "theseus: seed", ""),
        Commit("m1", ["r0", "v2"], "Merge pull request #2 from living-ip/vida/seed-health", ""),
        Commit("v2", ["v1"], "Auto: domains/health/a.md", "", ["domains/health/a.md"]),
        Commit("v1", ["r0"], "Auto: 3 files", ""),
        Commit("r0", ["i0"], "add trailer convention", "Rio <2EA8>"),
        Commit("i0", [], "Initial commit", ""),
    ]
    who = attribute(commits, known)
    assert who == {"v2": "vida", "v1": "vida", "r0": "rio", "t1": "theseus", "t2": "theseus"}


def test_a_commit_names_its_agent_by_subject_or_by_its_trailer() -> None:
    from codex_cli.adapters.agent_history import Commit, own_agent

    known = frozenset({"rio", "vida"})
    assert own_agent(Commit("a", [], "vida: add a claim", ""), known) == "vida"
    assert own_agent(Commit("b", [], "Auto: 3 files", "Rio <2EA8DBCB-A29B-43E8-B726-45E571A1F3C8>"), known) == "rio"
    assert own_agent(Commit("c", [], "Auto: 3 files", "Mallory <HEADLESS>, Vida <HEADLESS>"), known) == "vida"
    assert own_agent(Commit("d", [], "Auto: 3 files", "rio"), known) is None  # not `Name <id>`, as review's gate reads it
