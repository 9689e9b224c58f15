"""cli.early: the rename command line read by hand, before typer is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codex_cli.cli import early


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["rename", "old", "new"], (None, "old")),
        (["--json", "-C", "kb", "rename", "--dry-run", "old", "new"], ("kb", "old")),
        (["-Ckb", "rename", "--agent", "leo", "--why", "because", "old"], ("kb", "old")),
        (["--directory=kb", "rename", "--move-to=domains/x", "old"], ("kb", "old")),
        (["--directory", "kb", "rename", "--branch", "b", "--", "-odd title"], ("kb", "-odd title")),
        (["rename", "--yes"], None),
        (["rename", "old", "--help"], None),
        (["check", "rename"], None),
        (["-C", "rename", "check"], None),
        ([], None),
    ],
)
def test_reads_the_rename_command_line(args: list[str], expected: Any) -> None:
    assert early.rename_note(args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "a.md"], (None, None)),
        (["-C", "kb", "--json", "check", "--strict", "domains"], ("kb", None)),
        (["check", "--since", "main"], (None, ("main", False))),
        (["check", "--since=main"], (None, ("main", False))),
        (["--directory=kb", "check", "--staged", "--missing-ok"], ("kb", (None, True))),
        (["check", "--changed"], (None, (None, False))),
        (["check", "--changed", "--fix"], (None, None)),
        (["check"], None),
        (["check", "--strict", "--json"], None),
        (["check", "a.md", "--help"], None),
        (["rename", "a", "b"], None),
    ],
)
def test_reads_the_scoped_check_command_line(args: list[str], expected: Any) -> None:
    assert early.scoped_check(args) == expected


def _options(command: Any) -> set[str]:
    return {name for p in command.params if not getattr(p, "is_flag", False) and p.param_type_name == "option" for name in p.opts}


def test_knows_which_options_take_a_value() -> None:
    import typer

    from codex_cli.cli.commands import app

    root = typer.main.get_command(app)
    assert _options(root) == set(early.ROOT_OPTIONS)
    assert _options(root.commands["rename"]) == set(early.RENAME_OPTIONS)  # type: ignore[attr-defined]
    assert _options(root.commands["check"]) == set(early.CHECK_OPTIONS)  # type: ignore[attr-defined]


def test_finds_the_root_as_the_vault_does(tmp_path: Path) -> None:
    from codex_cli.adapters import fs
    from codex_cli.config import CONFIG_FILE

    inner = tmp_path / "repo" / "kb" / "domains"
    inner.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert early.guess_root(str(inner)) == fs.find_root(inner) == tmp_path / "repo"
    (tmp_path / "repo" / "kb" / CONFIG_FILE).write_text("version: 1\n")
    assert early.guess_root(str(inner)) == fs.find_root(inner) == tmp_path / "repo" / "kb"
    assert early.guess_root(str(tmp_path / "missing")) is None


def test_a_review_starts_the_listing_it_will_take(tmp_path: Path) -> None:
    from codex_cli.adapters import listing
    from tests.helpers import git_init, write_vault

    root = git_init(write_vault(tmp_path / "kb", {"a.md": "# a\n", "b/c.md": "# c\n"}))
    try:
        early.start(["-C", str(root), "review", "--no-judgement"])
        started = listing._early
        assert started is not None and started.root == root.resolve()
        assert sorted(listing.notes(root.resolve()).paths) == ["a.md", "b/c.md"] and started.taken  # taken
        early.stop()
        early.start(["-C", str(root), "review", "--help"])
        assert listing._early is None  # help: nothing started
    finally:
        early.stop()
