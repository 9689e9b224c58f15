"""Every committing command's `--json` has the same keys for where the change went."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from tests.integration.new_vault import ALIGNMENT, FLAGS, MARKETS, NEW, make_vault

COMMON = {"files", "commit", "branch", "dry_run"}


@pytest.mark.parametrize(
    "args",
    [
        ["new", "claim", NEW, *FLAGS, "--yes"],
        ["link", MARKETS, "--to", ALIGNMENT],
        ["rename", MARKETS, "markets beat polls because traders bet on what they know", "--yes"],
        ["retire", MARKETS, "--reason", "superseded", "--yes"],
        ["map", "remove", MARKETS],
    ],
    ids=lambda args: " ".join(args[:2]),
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_committing_commands_say_files_commit_branch_and_dry_run(vault: Path, args: list[str], dry_run: bool) -> None:
    """link had no `files` (only `files_changed`) and no `dry_run`; rename no `files`."""
    make_vault(vault)
    result = run(["--no-input", "--json", *args, "--agent", "rio", *(["--dry-run"] if dry_run else [])], cwd=vault)
    assert result.code == 0, result.stderr
    doc = result.json()
    assert set(doc) >= COMMON, sorted(COMMON - set(doc))
    assert doc["dry_run"] is dry_run and (doc["commit"] is None) is dry_run and doc["files"]
