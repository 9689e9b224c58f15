"""`codex link NOTE --fix-broken` at a (simulated) terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import claim, git_init, write_vault
from tests.integration.test_new_interactive import drive

ENTER = "\r"
H = "sleep deprivation impairs memory consolidation"
C = "conditional markets price proposals before adoption"


@pytest.fixture(autouse=True)
def prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_FORCE_PROMPTS", "1")


def test_enter_keeps_an_unsure_link_and_takes_a_clear_repair(vault: Path) -> None:
    """Enter replaced `[[governance through markets]]` with the first guess, a claim it never meant."""
    body = "See [[conditional markets price proposal before adoption]] and [[governance through markets]]."
    write_vault(vault, {
        f"domains/health/{H}.md": claim(H, body, domain="health"),
        f"domains/finance/{C}.md": claim(C, "Conditional markets price each proposal.", domain="finance"),
        "domains/finance/token holders delegate governance to markets.md": claim("token holders delegate governance to markets", "x", domain="finance"),
    })
    git_init(vault)
    result = drive(vault, ["link", H, "--fix-broken", "--no-commit"], [ENTER, ENTER, ENTER])
    assert result.code == 0, result.stderr
    text = (vault / f"domains/health/{H}.md").read_text()
    assert f"See [[{C}]] and [[governance through markets]]." in text
