"""`codex extract SOURCE` at a real terminal: a claim (with the links `new` proposes and what it depends on) and an entity, one diff, one commit."""

from __future__ import annotations

import pytest

from tests.e2e.test_new_terminal import spawn
from tests.helpers import git
from tests.integration.new_vault import ALIGNMENT, MARKETS
from tests.integration.test_extract import SOURCE, vault_with_source

pexpect = pytest.importorskip("pexpect")
DOWN = "\x1b[B"
TITLE = "lending rate markets aggregate what traders know better than votes on rates do"


@pytest.mark.terminal
def test_extract_at_a_terminal(vault):  # type: ignore[no-untyped-def]
    vault_with_source(vault)
    child = spawn(vault, "extract", SOURCE, "--agent", "rio")
    try:
        child.expect("on the rate controller")  # the source is shown first
        child.expect("Next")
        child.send("\r")  # add a claim
        child.expect("Title")
        child.sendline(TITLE)
        child.expect("Description")
        child.sendline("Omnipair moved its default band from 50-85 to 30-50 percent")
        child.expect("Confidence")
        child.send("\r")
        child.expect("Domain")
        child.send("\r")
        child.expect("Body")
        child.send(DOWN + DOWN + "\r")  # skip
        child.expect("Link related claims")  # the links `codex new claim` proposes
        child.expect("markets beat votes")
        child.send(" \r")  # the first (the best) proposal
        child.expect("relate")
        child.sendline("the mechanism it applies")
        child.expect("Depends on")
        child.sendline("no note has this title")
        child.expect("not found")  # asked again
        child.sendline(ALIGNMENT)
        child.expect("Next")
        child.send(DOWN + "\r")  # add an entity
        child.expect("Name of the entity")
        child.sendline("Omnipair")
        child.expect("Kind of entity")
        child.send(DOWN + DOWN + "\r")  # protocol
        child.expect("Domain")
        child.send("\r")
        child.expect("Description")
        child.sendline("One pool for spot and lending")
        child.expect("Website")
        child.sendline("")
        child.expect("Body")
        child.send(DOWN + DOWN + "\r")
        child.expect("Next")
        child.send(DOWN + DOWN + DOWN + "\r")  # done
        child.expect("entities/ai/omnipair.md")  # the whole change as one diff
        child.expect("extract from 2026-02-21-rakka-omnipair-rate-controller.md")
        child.expect("Write and commit this extraction")
        child.send("y")
        child.expect("1 link written; 1 of [0-9]+ proposed accepted")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    files = git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert f"domains/ai/{TITLE}.md" in files and "entities/ai/omnipair.md" in files and SOURCE in files
    assert git(vault, "branch", "--show-current").strip() == "extract/2026-02-21-rakka-omnipair-rate-controller"
    assert "status: processed" in (vault / SOURCE).read_text()
    text = (vault / f"domains/ai/{TITLE}.md").read_text()
    assert f"- [[{MARKETS}]] — the mechanism it applies\n" in text
    assert f'depends_on:\n  - "[[{ALIGNMENT}]]"\n' in text
