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
            domain="finance",
        ),
        "domains/health/sleep deprivation impairs memory consolidation.md": claim(
            "sleep deprivation impairs memory consolidation", "Hippocampal replay during sleep.", domain="health",
        ),
        "domains/finance/_map.md": "# Finance\n\n## Markets\n- [[futarchy markets aggregate information better than votes]]\n"
        "- [[token holders delegate governance to markets]]\n",
        "inbox/archive/2026-01-01-a-source-on-prediction-markets.md": "---\ntype: source\n---\n\nprediction markets futarchy governance\n",
    })
    return Vault.open(root)


def test_related_claim_first_and_why(vault: Path) -> None:
    v = _vault(vault)
    got = rank(v, Draft("traders aggregate information", "conditional prediction markets", "futarchy"))
    assert got[0].title == "futarchy markets aggregate information better than votes"
    assert got[0].why.startswith("shares ") and "markets" in got[0].why
    assert got[-1].title == "sleep deprivation impairs memory consolidation" or len(got) == 2
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
    assert "same map section (Markets)" in got[0].why


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


def test_index_is_cached_and_updated_for_changed_files(vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    v = _vault(vault)
    matcher.load_index(v)
    calls: list[str] = []
    real = matcher.note_features

    def spy(vault_: Vault, note, text=None):  # type: ignore[no-untyped-def]
        calls.append(note.path)
        return real(vault_, note, text)

    monkeypatch.setattr(matcher, "note_features", spy)
    monkeypatch.setattr("codex_cli.adapters.cache.trusted", lambda sig, started: True)
    v2 = Vault.open(vault)
    matcher.load_index(v2)  # entries were not trusted the first time (files too new): read again, now kept
    calls.clear()
    path = vault / "domains/health/sleep deprivation impairs memory consolidation.md"
    path.write_text(path.read_text() + "\nmore text about markets\n")
    v3 = Vault.open(vault)
    index = matcher.load_index(v3)
    assert calls == ["domains/health/sleep deprivation impairs memory consolidation.md"]
    assert "market" in index.entries[index.by_path[calls[0]]].features.terms
