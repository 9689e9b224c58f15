from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from codex_cli.cli.complete import complete_note
from tests.helpers import write_vault


def test_complete_note_titles_then_paths(vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_vault(vault, {
        "d/markets beat votes.md": "x",
        "d/Markets are noisy.md": "x",
        "e/prediction markets work.md": "x",
    })
    monkeypatch.chdir(vault)
    assert complete_note(None, [], "mark") == ["Markets are noisy", "markets beat votes", "prediction markets work"]
    assert complete_note(None, [], "d/") == ["d/Markets are noisy", "d/markets beat votes"]
    assert complete_note(None, [], "zzz") == []


def test_shell_completion_offers_note_titles(vault: Path) -> None:
    write_vault(vault, {"d/markets beat votes.md": "x", "d/other.md": "y"})
    codex = Path(sys.executable).with_name("codex")
    env = {**os.environ, "_CODEX_COMPLETE": "complete_bash", "COMP_WORDS": "codex link mark", "COMP_CWORD": "2"}
    out = subprocess.run([str(codex)], cwd=vault, env=env, capture_output=True, text=True)
    assert "markets beat votes" in out.stdout
