"""`codex new claim` at a real terminal: the installed command under pexpect."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import git, run
from tests.integration.new_vault import MARKETS, head_files, make_vault

pexpect = pytest.importorskip("pexpect")

CODEX = str(Path(sys.executable).with_name("codex"))
DOWN = "\x1b[B"
TITLE = "futarchy markets price policy outcomes better than expert panels do"


def spawn(vault: Path, *args: str) -> pexpect.spawn:
    # pexpect does not answer cursor-position requests; without this each prompt waits for one
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("CODEX_FORCE_PROMPTS", None)
    child = pexpect.spawn(CODEX, list(args), cwd=str(vault), env=env, encoding="utf-8", timeout=8, dimensions=(50, 160))
    return child


@pytest.mark.terminal
def test_new_claim_at_a_terminal(vault: Path) -> None:
    make_vault(vault)
    child = spawn(vault, "new", "claim")
    try:
        child.expect("Title")
        child.sendline(TITLE)
        child.expect("Description")
        child.sendline("Markets on outcomes beat panels in forecasting tournaments")
        child.expect("Confidence")
        child.send("\r")
        child.expect("Source")
        child.sendline("Hanson 2013")
        child.expect("Domain")
        child.expect("guessed")  # the guess is the default, with its score
        child.send("\r")
        child.expect("Body")
        child.send(DOWN)
        child.send(DOWN)
        child.send("\r")
        child.expect("Link related claims")
        child.send(" ")
        child.send("\r")
        child.expect("relate")
        child.send("\r")
        child.expect("Section of domains/ai/_map.md")
        child.send("\r")
        child.expect("Write and commit this claim")
        child.send("y")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    path = f"domains/ai/{TITLE}.md"
    assert child.before.count(path) == 1 and f"created {path}" in child.before  # not the bare path too, at a terminal
    text = (vault / path).read_text()
    assert "confidence: experimental\n" in text and f"- [[{MARKETS}]] — related\n" in text
    assert head_files(vault) == sorted([path, "domains/ai/_map.md"])
    assert git(vault, "log", "-1", "--format=%s").startswith("test-person: add claim — futarchy markets")
    assert run(["check", path], cwd=vault).code == 0


@pytest.mark.terminal
def test_ctrl_c_at_a_terminal_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    child = spawn(vault, "new", "claim")
    try:
        child.expect("Title")
        child.sendline(TITLE)
        child.expect("Description")
        child.sendintr()
        child.expect("codex: interrupted: nothing was written")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    assert git(vault, "status", "--porcelain") == ""
