"""`codex rename` at a real terminal (pexpect): the summary, the question, yes and no."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import git, snapshot
from tests.integration.test_rename_cli import NEW, NEW_PATH, OLD, make_vault

pexpect = pytest.importorskip("pexpect")

CODEX = str(Path(sys.executable).with_name("codex"))


def spawn(vault: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("CODEX_FORCE_PROMPTS", None)
    return pexpect.spawn(CODEX, list(args), cwd=str(vault), env=env, encoding="utf-8", timeout=15, dimensions=(50, 160))


@pytest.mark.terminal
def test_no_at_the_question_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    child = spawn(vault, "rename", OLD, NEW)
    child.expect("rewrites 8 links in 3 files")
    child.expect("Rename")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    assert snapshot(vault) == before


@pytest.mark.terminal
def test_asks_for_the_title_then_renames_on_yes(vault: Path) -> None:
    make_vault(vault)
    child = spawn(vault, "rename", OLD)
    child.expect("New title")
    child.sendline(NEW)
    child.expect("Rename")
    child.send("y")
    child.expect("committed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (vault / NEW_PATH).exists()
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.terminal
def test_a_person_at_the_question_does_not_hold_the_lock_and_a_moved_head_is_refused(vault: Path) -> None:
    """A headless agent lands while a person sits at the question; the person's yes then refuses (exit 3), writing nothing."""
    import subprocess

    make_vault(vault)
    child = spawn(vault, "rename", OLD, NEW, "--agent", "leo")
    child.expect("Rename")  # planned, now waiting for the person
    agent = subprocess.run(
        [CODEX, "--no-input", "rename", "bio claim grows here", "bio claims grow here", "--yes", "--agent", "rio"],
        cwd=vault, capture_output=True, text=True, env={**os.environ, "CODEX_LOCK_WAIT": "0"}, timeout=60,
    )
    assert agent.returncode == 0, agent.stderr  # not refused: nobody held the lock while the person thought
    after_agent = snapshot(vault), git(vault, "for-each-ref"), git(vault, "ls-files", "--stage")
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    said = " ".join((child.before or "").split())
    assert child.exitstatus == 3, said
    assert "while this command waited for your answers, the repository moved (HEAD was on main, now rio/rename-bio-claims-grow-here); nothing was written" in said
    assert (snapshot(vault), git(vault, "for-each-ref"), git(vault, "ls-files", "--stage")) == after_agent  # nothing written
    assert not (vault / NEW_PATH).exists()
