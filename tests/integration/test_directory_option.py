"""`-C DIR` means "as if started in DIR" for every path a command is given.

Each test runs codex from another folder with a relative `-C` that names a
subfolder of the vault (`domains`), and gives paths relative to that
subfolder: they name the same files from nowhere else (not from the
folder codex runs in, not from the vault's root).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import claim, run, write_vault
from tests.integration.new_vault import ALIGNMENT, FLAGS, MARKETS, NEW, make_vault

BIO = "cells divide because growth signals outweigh checkpoints"


@pytest.fixture
def elsewhere(vault: Path) -> Path:
    make_vault(vault)
    folder = vault.parent / "elsewhere"
    folder.mkdir()
    return folder


def codex(elsewhere: Path, *args: str) -> object:
    return run(["-C", "../vault/domains", "--no-input", *args], cwd=elsewhere)


def test_check_paths_are_from_dir_and_a_path_naming_no_note_is_a_usage_error(vault: Path, elsewhere: Path) -> None:
    write_vault(vault, {"domains/ai/broken.md": claim("broken", "see [[no such claim]]")})
    found = codex(elsewhere, "check", "ai/broken.md", "--json")
    assert found.code == 1, found.stderr
    assert [b["file"] for b in found.json()["broken_links"]] == ["domains/ai/broken.md"]
    folder = codex(elsewhere, "check", "bio", "--json")
    assert folder.code == 0 and folder.json()["notes"] == 1
    missing = codex(elsewhere, "check", "ai/gone.md")
    assert missing.code == 2 and "ai/gone.md: no such note" in missing.stderr and "--missing-ok" in missing.stderr
    assert codex(elsewhere, "check", "ai/broken.md", "ai/gone.md", "--missing-ok").code == 1
    skipped = codex(elsewhere, "check", "ai/gone.md", "--missing-ok")
    assert skipped.code == 0 and "ai/gone.md: no such note; skipped" in skipped.stderr
    (vault / "domains/notes.txt").write_text("not a note\n")
    assert codex(elsewhere, "check", "notes.txt").code == 2


def test_new_body_file_is_read_from_dir(vault: Path, elsewhere: Path) -> None:
    (vault / "domains/body.txt").write_text("Tournaments show it, from the body file.\n")
    result = codex(elsewhere, "new", "claim", NEW, *FLAGS, "--body-file", "body.txt", "--no-commit", "--json")
    assert result.code == 0, result.stderr
    assert "from the body file" in (vault / result.json()["path"]).read_text()


def test_init_dir_is_made_in_dir(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "elsewhere").mkdir()
    result = run(["-C", "../base", "init", "kb", "--no-commit", "--json"], cwd=tmp_path / "elsewhere")
    assert result.code == 0, result.stderr
    assert result.json()["root"] == str((tmp_path / "base" / "kb").resolve())
    assert (tmp_path / "base/kb/.codex.yaml").is_file() and not (tmp_path / "elsewhere/kb").exists()


def test_rename_note_given_as_a_path_from_dir(elsewhere: Path) -> None:
    result = codex(elsewhere, "rename", f"ai/{MARKETS}.md", "markets aggregate what traders know", "--dry-run", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["from"] == f"domains/ai/{MARKETS}.md"


def test_link_note_given_as_a_path_from_dir(elsewhere: Path) -> None:
    result = codex(elsewhere, "link", f"ai/{ALIGNMENT}.md", "--to", MARKETS, "--relation", "why", "--no-commit", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["note"] == f"domains/ai/{ALIGNMENT}.md"


def test_map_add_note_and_map_given_as_paths_from_dir(elsewhere: Path) -> None:
    result = codex(elsewhere, "map", "add", f"bio/{BIO}.md", "--map", "ai/_map.md", "--no-commit", "--json")
    assert result.code == 0, result.stderr
    assert [(a["title"], a["map"]) for a in result.json()["added"]] == [(BIO, "domains/ai/_map.md")]


def test_retire_note_given_as_a_path_from_dir(elsewhere: Path) -> None:
    result = codex(elsewhere, "retire", f"ai/{MARKETS}.md", "--reason", "superseded", "--dry-run", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["note"] == f"domains/ai/{MARKETS}.md"


def test_a_missing_dir_is_a_usage_error_and_the_folder_is_given_back(tmp_path: Path) -> None:
    import os

    before = os.getcwd()
    result = run(["-C", str(tmp_path / "nowhere"), "check"], cwd=tmp_path)
    assert result.code == 2 and f"-C {tmp_path / 'nowhere'}: not a folder" in result.stderr
    assert os.getcwd() == before
