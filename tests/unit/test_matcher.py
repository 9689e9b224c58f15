from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from codex_cli.core import matcher
from codex_cli.core.matcher import Draft, features, map_sections, rank, stem, tokens
from codex_cli.vault import Vault
from tests.helpers import claim, write_vault


def test_tokens_drop_stop_words_and_stem() -> None:
    assert tokens("The markets are pricing the risks") == ["", "market", "", "pric", "", "risk"]


def test_stem_keeps_short_and_non_ascii_words() -> None:
    assert stem("gas") == "gas"
    assert stem("analysis") == "analysis"
    assert stem("économies") == "économies"


def test_features_weigh_fields_and_add_word_pairs() -> None:
    f = features("futarchy markets", "conditional markets", "markets [[price discovery|prices]]")
    assert f.terms["market"] == matcher.TITLE_WEIGHT + matcher.DESCRIPTION_WEIGHT + matcher.BODY_WEIGHT
    assert f.terms["futarchy market"] == matcher.TITLE_WEIGHT * matcher.PAIR_WEIGHT
    assert "price" in f.terms and "discovery" not in f.terms  # the alias is what a reader sees


def test_map_sections() -> None:
    body = "# Map\n\n## Markets\n- [[a claim]] — x\n- [[B Claim.md]] — y\n\n## Empty\n\n### People\n- [[c]]\n"
    assert map_sections(body) == (("Markets", ("a claim", "b claim")), ("People", ("c",)))


@given(st.text(max_size=200))
def test_features_never_fail(text: str) -> None:
    features(text, text, text, [text], is_map=True)


def _vault(root: Path) -> Vault:
    write_vault(root, {
        "domains/finance/futarchy markets aggregate information better than votes.md": claim(
            "futarchy markets aggregate information better than votes",
            "Conditional prediction markets price proposals; traders with information profit.",
            domain="finance", description="prediction markets as governance",
            links=["token holders delegate governance to markets"],
        ),
        "domains/finance/token holders delegate governance to markets.md": claim(
            "token holders delegate governance to markets",
            "Token governance through conditional markets and prediction of proposal value.",
            domain="finance", description="holders hand decisions to markets",
        ),
        "domains/health/sleep deprivation impairs memory consolidation.md": claim(
            "sleep deprivation impairs memory consolidation", "Hippocampal replay during sleep.", domain="health",
            description="replay needs sleep",
        ),
        "domains/finance/_map.md": "# Finance\n\n## Markets\n- [[futarchy markets aggregate information better than votes]]\n"
        "- [[token holders delegate governance to markets]]\n",
        "inbox/archive/2026-01-01-a-source-on-prediction-markets.md": "---\ntype: source\n---\n\nprediction markets futarchy governance\n",
    })
    return Vault.open(root)


def test_related_claim_first_and_why(vault: Path) -> None:
    v = _vault(vault)
    got = rank(v, Draft("traders aggregate information", "conditional prediction markets", "futarchy"))
    finance = {"futarchy markets aggregate information better than votes", "token holders delegate governance to markets"}
    assert {s.title for s in got[:2]} == finance  # text for one, a link from it (a vote) for the other
    futarchy = next(s for s in got if s.title.startswith("futarchy"))
    assert futarchy.why.startswith("shares traders, aggregate")  # the most telling shared words first
    # by weight × rarity: a title word (×3) before a slightly rarer word the body uses once
    again = rank(v, Draft("markets price governance", "", "futarchy"))[0]
    assert again.title.startswith("futarchy") and again.why.startswith("shares price, governance, markets, futarchy")
    token = next(s for s in got if s.title.startswith("token"))
    assert "linked from 2 similar notes" in token.why  # the futarchy claim and the map
    assert all(s.path.startswith("domains/") for s in got)  # claims only by default


def test_never_self_nor_linked(vault: Path) -> None:
    v = _vault(vault)
    note = v.notes["domains/finance/futarchy markets aggregate information better than votes.md"]
    got = rank(v, matcher.draft_of(v, note))
    paths = [s.path for s in got]
    assert note.path not in paths
    assert "domains/finance/token holders delegate governance to markets.md" not in paths


def test_graph_evidence_backlinks_and_sections(vault: Path) -> None:
    v = _vault(vault)
    note = v.notes["domains/finance/token holders delegate governance to markets.md"]
    got = rank(v, matcher.draft_of(v, note))
    assert got[0].title == "futarchy markets aggregate information better than votes"
    assert "links to this note" in got[0].why
    index = matcher.open_index(v)
    evidence, rows = matcher.collect(index, matcher.draft_of(v, note), frozenset({"claim"}))
    index.close()
    futarchy = next(e for i, e in evidence.items() if rows[i].title.startswith("futarchy"))
    assert futarchy.section == "Markets" and futarchy.features[matcher.FEATURES.index("section")] == 1.0


def test_the_link_tail_and_link_text_are_not_the_query(vault: Path) -> None:
    v = _vault(vault)
    body = "Sleep matters.\n\n---\n\nRelevant Notes:\n- [[token holders delegate governance to markets]] governance markets\n\nTopics:\n- futarchy\n"
    got = rank(v, Draft("hippocampal replay", body=body))
    assert got[0].title == "sleep deprivation impairs memory consolidation"
    assert all("governance" not in s.why and "futarchy" not in s.why for s in got)
    assert matcher.query_body("a [[b|c]] d\nTopics:\n- e") == "a   d\n"


def test_linked_notes_are_seeds_for_the_graph(vault: Path) -> None:
    v = _vault(vault)
    draft = Draft("an unrelated title", body="nothing in common", links=frozenset({"futarchy markets aggregate information better than votes"}))
    got = rank(v, draft)
    token = next(s for s in got if s.title.startswith("token"))
    assert "linked with 1 of the notes it links" in token.why
    assert all(not s.title.startswith("futarchy") for s in got)  # a seed is never proposed


def test_logistic_regression_separates_and_is_pulled_to_the_prior() -> None:
    from codex_cli.core import learn

    rows = [[x / 10, 0.0] for x in range(10)]
    labels = [0] * 5 + [1] * 5
    w = learn.fit(rows, labels, l2=0.01)
    assert w[1] > 5 and abs(w[2]) < 1e-6
    pulled = learn.fit(rows, labels, l2=1000.0, prior=[0.0, -1.0, 2.0])
    assert abs(pulled[1] + 1.0) < 0.1 and abs(pulled[2] - 2.0) < 1e-6
    assert learn.fit([], []) == []


def test_types_option(vault: Path) -> None:
    v = _vault(vault)
    got = rank(v, Draft("prediction markets"), types=["source"])
    assert [s.path for s in got] == ["inbox/archive/2026-01-01-a-source-on-prediction-markets.md"]


def test_empty_vault_and_odd_drafts(vault: Path) -> None:
    write_vault(vault, {"domains/ai/only claim here.md": claim("only claim here")})
    v = Vault.open(vault)
    note = v.notes["domains/ai/only claim here.md"]
    assert rank(v, matcher.draft_of(v, note)) == []
    assert rank(v, Draft("")) != [] or True  # an empty draft is not an error
    assert rank(v, Draft("только русский текст", body="日本語のテキスト")) is not None
    assert rank(v, Draft("x"), limit=0) == []


def test_index_is_kept_and_updated_for_changed_files_only(vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from codex_cli.adapters import search_index

    monkeypatch.setattr("codex_cli.adapters.cache.trusted", lambda sig, started: True)
    v = _vault(vault)
    matcher.open_index(v).close()
    read: list[str] = []
    real = search_index.extract

    def spy(root, path, sig, ctx, is_map):  # type: ignore[no-untyped-def]
        read.append(path)
        return real(root, path, sig, ctx, is_map)

    monkeypatch.setattr(search_index, "extract", spy)
    matcher.open_index(Vault.open(vault)).close()
    assert read == []
    path = vault / "domains/health/sleep deprivation impairs memory consolidation.md"
    path.write_text(path.read_text() + "\nmore text about futarchy markets\n")
    (vault / "domains/finance/token holders delegate governance to markets.md").unlink()
    v2 = Vault.open(vault)
    index = matcher.open_index(v2)
    assert read == ["domains/health/sleep deprivation impairs memory consolidation.md"]
    assert index.by_path("domains/finance/token holders delegate governance to markets.md") is None
    got = matcher.rank_in(index, Draft("futarchy"), 10, frozenset({"claim"}))
    assert "domains/health/sleep deprivation impairs memory consolidation.md" in [s.path for s in got]
    index.close()


def _answers(v: Vault, drafts: list[Draft]) -> list[list[tuple[str, float]]]:
    index = matcher.open_index(v)
    try:
        return [[(s.path, s.score) for s in matcher.rank_in(index, d, 10, frozenset({"claim"}))] for d in drafts]
    finally:
        index.close()


def test_a_kept_index_answers_like_a_fresh_build(vault: Path, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Rewritten files (a checkout: fresh mtimes) and edits leave no old text in the frequencies."""
    import os

    monkeypatch.setattr("codex_cli.adapters.cache.trusted", lambda sig, started: True)
    v = _vault(vault)
    drafts = [Draft("futarchy markets"), Draft("memory and sleep", body="hippocampal replay"), Draft("governance by token holders")]
    _answers(v, drafts)
    for path in vault.rglob("*.md"):  # touch every file, same bytes
        path.write_bytes(path.read_bytes())
        os.utime(path, (1_700_000_000, 1_700_000_000))
    edited = vault / "domains/health/sleep deprivation impairs memory consolidation.md"
    edited.write_text(edited.read_text().replace("Hippocampal replay during sleep.", "Markets of sleep: futarchy dreams."))
    (vault / "domains/finance/token holders delegate governance to markets.md").unlink()
    kept = _answers(Vault.open(vault), drafts)
    kept_again = _answers(Vault.open(vault), drafts)
    monkeypatch.setenv("CODEX_CACHE_DIR", str(tmp_path / "fresh-cache"))
    fresh = _answers(Vault.open(vault), drafts)
    assert kept == kept_again == fresh
    assert any(p.endswith("sleep deprivation impairs memory consolidation.md") for p, _ in kept[0])


def test_index_can_be_deleted(vault: Path) -> None:
    v = _vault(vault)
    index = matcher.open_index(v)
    location = index.location
    index.close()
    assert location is not None and location.is_file()
    location.unlink()
    assert rank(Vault.open(vault), Draft("futarchy markets"))


def test_git_state_skips_the_scan_until_git_sees_a_change(vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import git_init

    monkeypatch.setattr("codex_cli.adapters.cache.trusted", lambda sig, started: True)
    _vault(vault)
    git_init(vault)
    matcher.open_index(Vault.open(vault)).close()
    scans: list[int] = []
    real_scan = Vault.scan

    def counting_scan(self):  # type: ignore[no-untyped-def]
        scans.append(1)
        return real_scan(self)

    monkeypatch.setattr(Vault, "scan", counting_scan)
    matcher.open_index(Vault.open(vault)).close()
    assert scans == []  # nothing changed: no scan at all
    (vault / "domains/health/a new claim about futarchy.md").write_text(claim("a new claim about futarchy", "futarchy"))
    index = matcher.open_index(Vault.open(vault))
    assert scans == [1]
    assert index.by_path("domains/health/a new claim about futarchy.md") is not None
    index.close()
    path = vault / "domains/health/a new claim about futarchy.md"
    path.write_text(path.read_text() + "more words\n")  # modified again while still untracked
    matcher.open_index(Vault.open(vault)).close()
    assert scans == [1, 1]
