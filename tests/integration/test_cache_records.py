"""The parsed-note cache: reused when nothing changed, never stale, safe to damage."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from codex_cli import vault as vault_mod
from codex_cli.adapters import cache
from codex_cli.vault import Vault
from tests.helpers import claim, git_init, run, write_vault


@pytest.fixture(autouse=True)
def trust_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written by a test are seconds old; trust them as the cache would after 2 s.
    monkeypatch.setattr(cache, "RACY_NS", 0)


def _vault(root: Path, n: int = 12) -> Path:
    files = {
        f"domains/ai/note number {i} about markets.md": claim(
            f"note number {i} about markets", f"See [[note number {(i + 1) % n} about markets]]."
        )
        for i in range(n)
    }
    write_vault(root, files)
    time.sleep(0.01)
    return root


def _parsed(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths parsed afresh by one load."""
    seen: list[str] = []
    real = vault_mod._parse_paths

    def spy(r: str, paths: list[str], ctx: object) -> list:
        seen.extend(paths)
        return real(r, paths, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(vault_mod, "_parse_paths", spy)
    Vault.open(root).load()
    return seen


def test_reused_then_reread_when_changed(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    assert len(_parsed(vault, monkeypatch)) == 12
    assert _parsed(vault, monkeypatch) == []
    target = vault / "domains/ai/note number 3 about markets.md"
    target.write_text(target.read_text() + "\nMore, and [[a new missing link]].\n")
    assert _parsed(vault, monkeypatch) == ["domains/ai/note number 3 about markets.md"]
    notes = Vault.open(vault).load()
    assert [lk.target for lk in notes["domains/ai/note number 3 about markets.md"].links][-1] == "a new missing link"
    assert _parsed(vault, monkeypatch) == []


def test_deleted_and_added_notes(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    _parsed(vault, monkeypatch)
    os.unlink(vault / "domains/ai/note number 5 about markets.md")
    write_vault(vault, {"domains/ai/a fresh note.md": claim("a fresh note")})
    assert _parsed(vault, monkeypatch) == ["domains/ai/a fresh note.md"]
    notes = Vault.open(vault).load()
    assert "domains/ai/note number 5 about markets.md" not in notes
    assert len(notes) == 12
    assert _parsed(vault, monkeypatch) == []


def test_pool_path_gives_the_same_notes(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault, 30)
    monkeypatch.setenv("CODEX_NO_CACHE", "1")
    serial = Vault.open(vault).load()
    monkeypatch.setattr(vault_mod, "PARALLEL_FROM", 2)
    pooled = Vault.open(vault).load()
    assert serial == pooled


def test_damaged_cache_costs_only_time(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    git_init(vault)
    first = run(["-C", str(vault), "check", "--json"]).json()
    folder = cache.cache_dir(vault)
    records = folder / "notes.records"
    assert records.is_file()
    records.write_bytes(records.read_bytes()[:-40] + b"garbage")
    for name in ("check.pickle", "suggestions.pickle"):
        (folder / name).unlink(missing_ok=True)
    assert run(["-C", str(vault), "check", "--json"]).json() == first
    assert _parsed(vault, monkeypatch) == []  # the rerun wrote a whole cache again


def test_cache_never_shows_in_git_status(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    git_init(vault)
    monkeypatch.delenv("CODEX_CACHE_DIR")
    run(["-C", str(vault), "check"])
    assert (vault / ".git" / "codex-cache" / "notes.records").is_file()
    import subprocess

    status = subprocess.run(["git", "-C", str(vault), "status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""
