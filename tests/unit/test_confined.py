"""adapters.confined: every vault read and write is relative to folder descriptors, and never follows a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codex_cli.adapters import confined, fs
from codex_cli.errors import OutsideVault
from tests.helpers import snapshot, write_vault


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    write_vault(vault, {"notes/a.md": "inside\n", "keep.md": "k\n"})
    write_vault(outside, {"a.md": "SECRET\n"})
    return vault, outside


def _swap(vault: Path, outside: Path) -> None:
    os.rename(vault / "notes", vault / "notes~")
    os.symlink(outside, vault / "notes")


def test_a_read_through_a_linked_folder_is_refused(two: tuple[Path, Path]) -> None:
    vault, outside = two
    _swap(vault, outside)
    with pytest.raises(confined.LinkOnPath) as info:
        confined.read(vault, "notes/a.md")
    assert info.value.link == "notes"
    with pytest.raises(OutsideVault, match=r"refusing to read notes/a.md: it goes through a symbolic link \(notes is one\)"):
        fs.read_bytes(vault, "notes/a.md")


def test_a_linked_file_is_not_read(two: tuple[Path, Path]) -> None:
    vault, outside = two
    os.symlink(outside / "a.md", vault / "b.md")
    with pytest.raises(confined.LinkOnPath):
        confined.read(vault, "b.md")


def test_writes_never_go_through_a_linked_folder(two: tuple[Path, Path]) -> None:
    vault, outside = two
    _swap(vault, outside)
    before = snapshot(outside)
    for write in (
        lambda: confined.write_atomic(vault, "notes/a.md", b"PWNED\n", 0o644, ".codex-1-0.tmp"),
        lambda: confined.write_atomic(vault, "notes/deeper/new.md", b"PWNED\n", 0o644, ".codex-1-1.tmp"),
        lambda: confined.unlink(vault, "notes/a.md"),
        lambda: confined.rename(vault, "keep.md", "notes/keep.md"),
        lambda: confined.rmdir(vault, "notes/x"),
    ):
        with pytest.raises(confined.LinkOnPath):
            write()
    assert snapshot(outside) == before
    assert (vault / "keep.md").read_text() == "k\n"


def test_a_planted_temporary_name_is_replaced_not_followed(two: tuple[Path, Path]) -> None:
    vault, outside = two
    os.symlink(outside / "a.md", vault / "notes" / ".codex-1-0.tmp")
    confined.write_atomic(vault, "notes/a.md", b"new\n", 0o644, ".codex-1-0.tmp")
    assert (outside / "a.md").read_text() == "SECRET\n"
    assert (vault / "notes/a.md").read_text() == "new\n"
    assert not os.path.lexists(vault / "notes" / ".codex-1-0.tmp")


def test_a_cached_folder_stays_the_one_inside_the_vault(two: tuple[Path, Path]) -> None:
    vault, outside = two
    with confined.cached(vault):
        assert confined.read(vault, "notes/a.md") == b"inside\n"
        _swap(vault, outside)  # after the folder was opened: it is still read, never the link
        assert confined.read(vault, "notes/a.md") == b"inside\n"
    with pytest.raises(confined.LinkOnPath):
        confined.read(vault, "notes/a.md")  # walked again: refused


def test_missing_folders_are_made_and_paths_checked(two: tuple[Path, Path]) -> None:
    vault, _ = two
    confined.write_atomic(vault, "x/y/z.md", b"z\n", 0o600, ".codex-1-2.tmp")
    assert (vault / "x/y/z.md").read_text() == "z\n" and (vault / "x/y/z.md").stat().st_mode & 0o777 == 0o600
    assert confined.lstat(vault, "x/nothing/here.md") is None
    assert confined.first_link(vault, "x/y/z.md") is None
    for bad in ("../escape.md", "a/./b.md", "/etc/passwd", "a//b.md"):
        with pytest.raises(OSError):
            confined.read(vault, bad)
