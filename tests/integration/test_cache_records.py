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


def _reads(module: object, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths `module.read_note` will read from now on (in this process)."""
    seen: list[str] = []
    real = module.read_note  # type: ignore[attr-defined]

    def spy(r: str, path: str, ctx: object) -> tuple:
        seen.append(path)
        return real(r, path, ctx)  # type: ignore[no-any-return]

    monkeypatch.setattr(module, "read_note", spy)
    return seen


def _parsed(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths parsed afresh by one load."""
    seen = _reads(vault_mod, monkeypatch)
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


def _checked(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths read afresh by one `codex check` (the whole report not remembered)."""
    from codex_cli.ops import check as ops_check

    (cache.cache_dir(root) / "check.pickle").unlink(missing_ok=True)
    seen = _reads(ops_check, monkeypatch)
    run(["-C", str(root), "check", "--json"])
    return seen


def test_check_keeps_each_note_s_part(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    git_init(vault)
    assert len(_checked(vault, monkeypatch)) == 12
    assert _checked(vault, monkeypatch) == []
    target = vault / "domains/ai/note number 3 about markets.md"
    target.write_text(target.read_text() + "\nMore, and [[a new missing link]].\n")
    assert _checked(vault, monkeypatch) == ["domains/ai/note number 3 about markets.md"]
    broken = run(["-C", str(vault), "check", "--json"]).json()["broken_links"]
    assert [b["target"] for b in broken] == ["a new missing link"]
    # the edited note was checked against a partial index: the same report as a full check
    target.write_text(target.read_text() + "\n[[note number 4 about markets#h]], [[#own]], [[domains/ai/note number 5 about markets.md]], [[Note Number 6 About Markets]]\n")
    assert _checked(vault, monkeypatch) == ["domains/ai/note number 3 about markets.md"]
    incremental = run(["-C", str(vault), "check", "--json"]).json()
    monkeypatch.setenv("CODEX_NO_CACHE", "1")
    assert run(["-C", str(vault), "check", "--json"]).json() == incremental
    monkeypatch.delenv("CODEX_NO_CACHE")
    # a new note changes what every link may resolve to: every note is checked again
    write_vault(vault, {"domains/ai/a new missing link.md": claim("a new missing link")})
    assert len(_checked(vault, monkeypatch)) == 13
    assert run(["-C", str(vault), "check", "--json"]).json()["broken_links"] == []


def test_damaged_cache_costs_only_time(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    git_init(vault)
    first = run(["-C", str(vault), "check", "--json"]).json()
    folder = cache.cache_dir(vault)
    records = folder / "check-parts.records"
    assert records.is_file()
    records.write_bytes(records.read_bytes()[:-40] + b"garbage")
    for name in ("check.pickle", "suggestions.pickle"):
        (folder / name).unlink(missing_ok=True)
    assert run(["-C", str(vault), "check", "--json"]).json() == first
    assert _checked(vault, monkeypatch) == []  # the rerun wrote a whole cache again
    Vault.open(vault).load()
    notes = folder / "notes.records"
    notes.write_bytes(notes.read_bytes()[:-40] + b"garbage")
    assert len(Vault.open(vault).load()) == 12
    assert _parsed(vault, monkeypatch) == []


def test_cache_never_shows_in_git_status(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    git_init(vault)
    monkeypatch.delenv("CODEX_CACHE_DIR")
    run(["-C", str(vault), "check"])
    assert (vault / ".git" / "codex-cache" / "check-parts.records").is_file()
    import subprocess

    status = subprocess.run(["git", "-C", str(vault), "status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_check_in_worker_processes_gives_the_same_report(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.ops import check as ops_check

    _vault(vault, 30)
    write_vault(vault, {"domains/ai/_map.md": "# ai\n\n- [[note number 1 about markets]] — why\n- [[gone]] — x\n"})
    monkeypatch.setenv("CODEX_NO_CACHE", "1")
    serial = run(["-C", str(vault), "check", "--json"]).json()
    monkeypatch.setattr(ops_check, "PARALLEL_FROM", 2)
    monkeypatch.setattr(ops_check, "PARALLEL_SUGGESTIONS_FROM", 1)
    pooled = run(["-C", str(vault), "check", "--json"]).json()
    assert pooled == serial
    assert serial["notes"] == 31 and serial["broken_links"] and any(p["code"] == "unmapped" for p in serial["problems"])
