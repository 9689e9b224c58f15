"""At a real terminal, prompts go to the terminal and stdout keeps only JSON."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest

from tests.helpers import claim, git_init, write_vault

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.terminal


def test_rename_prompt_on_terminal_json_in_file(vault: Path, tmp_path: Path) -> None:
    write_vault(vault, {
        "domains/ai/_map.md": "# AI\n\n## Core\n- [[old claim title here]] — x\n",
        "domains/ai/old claim title here.md": claim("old claim title here"),
        "domains/ai/b.md": claim("b", "see [[old claim title here]]"),
    })
    git_init(vault)
    codex = Path(sys.executable).with_name("codex")
    out = tmp_path / "out.json"
    command = f"{shlex.quote(str(codex))} rename 'old claim title here' 'new claim title here' --json > {shlex.quote(str(out))}"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn("bash", ["-c", command], cwd=str(vault), env=env, encoding="utf-8", timeout=20)
    child.expect(r"\?")  # the confirmation, drawn on the terminal
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    doc = json.loads(out.read_text())
    assert doc["to"] == "domains/ai/new claim title here.md"
    assert doc["links_rewritten"] == 2
