"""Templates: a vault can override them, and cannot escape the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, snapshot, write_vault
from tests.integration.new_vault import FLAGS, NEW, make_vault


def test_vault_override_is_used(vault: Path) -> None:
    make_vault(vault)
    write_vault(vault, {".codex/scaffolds/notes/claim.md.j2": "---\ntype: claim\ndomain: {{ domain }}\ndescription: {{ yaml.description }}\nconfidence: {{ confidence }}\nsource: {{ yaml.source }}\ncreated: {{ created }}\n---\n\n# {{ title }}\n\nHOUSE STYLE\n"})
    result = run(["--no-input", "new", "claim", NEW, *FLAGS, "--no-commit"], cwd=vault)
    assert result.code == 0, result.stderr
    assert (vault / f"domains/ai/{NEW}.md").read_text().endswith("\nHOUSE STYLE\n")


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{% include '../../../secret.txt' %}", "outside the template folder"),
        ("{% include '/etc/passwd' %}", "outside the template folder"),
        ("{% include 'linked.j2' %}", "resolves outside the template folder"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "template notes/claim.md.j2"),
        ("{{ title.__class__.__init__.__globals__ }}", "template notes/claim.md.j2"),
        ("{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}", "template notes/claim.md.j2"),
        ("{{ no_such_value }}", "'no_such_value' is undefined"),
    ],
)
def test_hostile_template_is_refused_and_nothing_is_written(vault: Path, template: str, reason: str) -> None:
    make_vault(vault)
    (vault / "secret.txt").write_text("TOP SECRET\n")
    folder = vault / ".codex/scaffolds/notes"
    folder.mkdir(parents=True)
    (folder / "claim.md.j2").write_text(template)
    (folder / "linked.j2").symlink_to(vault / "secret.txt")
    before = snapshot(vault)
    result = run(["--no-input", "new", "claim", NEW, *FLAGS], cwd=vault)
    assert result.code == 3, result.stdout + result.stderr
    assert reason in result.stderr
    assert "TOP SECRET" not in result.stdout + result.stderr
    assert snapshot(vault) == before
    assert not (vault / "pwned").exists()
