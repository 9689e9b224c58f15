"""`codex link --suggest` before the search index exists: the git grep ranker, and the index built for next time."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_cli.adapters import grep_rank, search_index
from codex_cli.core import matcher
from codex_cli.vault import Vault
from tests.helpers import claim, git_init, run, write_vault

A = "futarchy markets aggregate information better than votes"
B = "token holders delegate governance to markets"
C = "conditional markets price proposals before adoption"
D = "proposal markets settle on the adopted branch"
H = "sleep deprivation impairs memory consolidation"


def _files() -> dict[str, str]:
    return {
        f"domains/finance/{A}.md": claim(A, "Prediction markets and traders aggregate information. Conditional proposals.", domain="finance", links=[B]),
        f"domains/finance/{B}.md": claim(B, "Token governance through conditional markets.", domain="finance"),
        f"domains/finance/{C}.md": claim(C, "Conditional markets price each proposal; futarchy adopts the best.", domain="finance", links=[D, A]),
        f"domains/finance/{D}.md": claim(D, "Settlement of a proposal market after adoption.", domain="finance"),
        f"domains/health/{H}.md": claim(H, "Hippocampal replay during sleep.", domain="health"),
        "domains/finance/_map.md": f"# finance\n\n## Futarchy\n\n- [[{A}]] — x\n- [[{D}]] — y\n",
    }


@pytest.fixture
def cold(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The cold path enabled; background builds recorded instead of started."""
    started: list[Path] = []
    monkeypatch.delenv("CODEX_INDEX_INLINE")
    monkeypatch.setattr(search_index, "COLD_FROM", 0)
    monkeypatch.setattr(search_index, "build_in_background", lambda root: started.append(root) or True)
    return started


def test_cold_run_answers_from_grep_and_starts_a_build(vault: Path, cold: list[Path]) -> None:
    git_init(write_vault(vault, _files()))
    result = run(["link", A, "--suggest", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    titles = [s["title"] for s in doc["suggestions"]]
    assert set(titles[:2]) == {C, D}
    assert A not in titles and B not in titles  # never itself, never what it already links to
    assert H not in titles[:2]
    assert D in titles  # linked from a similar note, and in the same map section
    why = {s["title"]: s["why"] for s in doc["suggestions"]}
    assert "links to this note" in why[C]
    assert len(cold) == 1
    assert not search_index.is_built(vault, Vault.open(vault).fingerprint())


def test_cold_and_warm_agree_on_the_best_match(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(write_vault(vault, _files()))
    v = Vault.open(vault)
    note = v.reparse(f"domains/finance/{A}.md")
    draft = matcher.draft_of(v, note)
    cold = [s.path for s in grep_rank.rank(v, draft, 3)]
    warm = [s.path for s in matcher.rank(v, draft, 3)]
    assert set(cold[:2]) == set(warm[:2]) == {f"domains/finance/{C}.md", f"domains/finance/{D}.md"}


def test_not_found_and_untracked_notes(vault: Path, cold: list[Path]) -> None:
    git_init(write_vault(vault, _files()))
    write_vault(vault, {"domains/finance/fresh draft about futarchy markets.md": claim("fresh draft about futarchy markets", "Conditional markets.")})
    result = run(["link", "fresh draft about futarchy markets", "--suggest", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["suggestions"]
    missing = run(["link", "no such note at all", "--suggest"], cwd=vault)
    assert missing.code == 3


def test_outside_git_the_index_is_built_inline(vault: Path, cold: list[Path]) -> None:
    write_vault(vault, _files())
    result = run(["link", A, "--suggest", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert set([s["title"] for s in result.json()["suggestions"]][:2]) == {C, D}
    assert search_index.is_built(vault, Vault.open(vault).fingerprint())


def test_once_built_the_index_is_used(vault: Path, cold: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(write_vault(vault, _files()))
    assert search_index.build(vault) == 0
    assert search_index.is_built(vault, Vault.open(vault).fingerprint())

    def no_grep(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cold ranker ran although the index is built")

    monkeypatch.setattr(grep_rank.ColdIndex, "__init__", no_grep)
    result = run(["link", A, "--suggest", "--json"], cwd=vault)
    assert result.code == 0, result.stderr
    assert cold == []


def test_a_second_builder_backs_off_while_one_holds_the_lock(vault: Path) -> None:
    git_init(write_vault(vault, _files()))
    location = search_index.index_location(vault)
    assert location is not None
    fd = search_index._try_lock(location.parent / search_index.LOCK_NAME)
    assert fd is not None
    try:
        assert search_index.building(vault)
        assert search_index.build(vault) == 1
        assert not search_index.build_in_background(vault)  # nothing started while one runs
    finally:
        import os

        os.close(fd)
    assert not search_index.building(vault)


def test_a_builder_stops_when_its_lock_file_is_deleted(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(write_vault(vault, _files()))
    location = search_index.index_location(vault)
    assert location is not None
    real = search_index.SearchIndex.update

    def update_then_lose_the_lock(self: search_index.SearchIndex, root: Path, files: dict, ctx: object, is_map: object, started: int, progress: object = None) -> int:  # type: ignore[type-arg]
        (location.parent / search_index.LOCK_NAME).unlink()
        return real(self, root, files, ctx, is_map, started, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(search_index.SearchIndex, "update", update_then_lose_the_lock)
    assert search_index.build(vault) == 1
    assert not search_index.is_built(vault, Vault.open(vault).fingerprint())


def test_doc_frequency_of_a_word_in_no_other_note_is_zero_when_every_note_is_sampled(vault: Path) -> None:
    git_init(write_vault(vault, _files()))
    index = grep_rank.ColdIndex(vault, Vault.open(vault).context(), lambda p: p.endswith("_map.md"))
    index.about(A, f"domains/finance/{A}.md")
    df = index.doc_frequency(["futarchy", "hippocamp", "zzzz"])
    assert df["futarchy"] > 1 and df["zzzz"] == 1  # 1 = the note itself (query_terms subtracts it)


def test_a_small_vault_builds_the_index_on_the_first_run(vault: Path, cold: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "COLD_FROM", 100)
    git_init(write_vault(vault, _files()))
    assert run(["link", A, "--suggest", "--json"], cwd=vault).code == 0
    assert cold == [] and search_index.is_built(vault, Vault.open(vault).fingerprint())


def test_vault_in_a_subfolder_of_its_repository(tmp_path: Path, cold: list[Path]) -> None:
    repo = tmp_path / "repo"
    write_vault(repo, {"README.md": "# outside the vault\n", **{f"kb/{p}": t for p, t in _files().items()}})
    git_init(repo)
    result = run(["-C", str(repo / "kb"), "link", A, "--suggest", "--json"], cwd=tmp_path)
    assert result.code == 0, result.stderr
    doc = result.json()
    prefix = doc["note"][: -len(f"domains/finance/{A}.md")]
    assert prefix in ("", "kb/")  # the vault's root is where Vault.open puts it
    assert {s["path"] for s in doc["suggestions"][:2]} == {f"{prefix}domains/finance/{C}.md", f"{prefix}domains/finance/{D}.md"}
