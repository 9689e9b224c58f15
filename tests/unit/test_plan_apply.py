from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from codex_cli.adapters import confined
from codex_cli.adapters.apply import apply
from codex_cli.core.plan import Plan, PlanConflict
from codex_cli.errors import ApplyFailed, Exists, StaleFile
from tests.helpers import snapshot, write_vault


def _vault(root: Path) -> Path:
    return write_vault(root, {"a.md": "alpha [[b]]\n", "dir/b.md": "beta\r\nline\r\n", "c.md": b"\xef\xbb\xbfbom [[b]]\n"})


def test_diff_and_apply(vault: Path) -> None:
    _vault(vault)
    plan = Plan()
    raw = (vault / "a.md").read_bytes()
    plan.edit("a.md", raw, 8, 9, "bee")
    plan.create("new.md", "fresh\n")
    plan.move("dir/b.md", (vault / "dir/b.md").read_bytes(), "dir/bee.md")
    diff = plan.diff()
    assert "-alpha [[b]]\n+alpha [[bee]]\n" in diff
    assert "rename from dir/b.md\nrename to dir/bee.md" in diff
    assert "new file" in diff
    assert plan.summary() == {"files": 3, "created": 1, "moved": 1, "edited": 1, "edits": 1}
    applied = apply(vault, plan)
    assert applied.written == ["a.md", "dir/bee.md", "new.md"]
    assert applied.removed == ["dir/b.md"]
    assert (vault / "a.md").read_text() == "alpha [[bee]]\n"
    assert (vault / "dir/bee.md").read_bytes() == b"beta\r\nline\r\n"  # bytes kept, CRLF too
    assert not (vault / "dir/b.md").exists()


def test_bom_and_bad_bytes_survive_edits(vault: Path) -> None:
    write_vault(vault, {"c.md": b"\xef\xbb\xbfbom [[b]] \xff\n"})
    raw = (vault / "c.md").read_bytes()
    plan = Plan()
    text = raw.decode("utf-8", "surrogateescape")
    start = text.index("b]]")
    plan.edit("c.md", raw, start, start + 1, "x")
    apply(vault, plan)
    assert (vault / "c.md").read_bytes() == b"\xef\xbb\xbfbom [[x]] \xff\n"


def test_stale_file_is_refused_and_nothing_written(vault: Path) -> None:
    _vault(vault)
    plan = Plan()
    raw = (vault / "a.md").read_bytes()
    plan.edit("a.md", raw, 0, 5, "ALPHA")
    plan.create("new.md", "x")
    (vault / "a.md").write_text("changed meanwhile\n")
    before = snapshot(vault)
    with pytest.raises(StaleFile):
        apply(vault, plan)
    assert snapshot(vault) == before


def test_create_over_existing_is_refused(vault: Path) -> None:
    _vault(vault)
    plan = Plan()
    plan.create("a.md", "x")
    with pytest.raises(Exists):
        apply(vault, plan)


def test_failure_midway_restores_every_file(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    before = snapshot(vault)
    plan = Plan()
    plan.edit("a.md", (vault / "a.md").read_bytes(), 0, 5, "ALPHA")
    plan.move("dir/b.md", (vault / "dir/b.md").read_bytes(), "moved/b.md")
    plan.edit("c.md", (vault / "c.md").read_bytes(), 3, 6, "BOM")
    plan.create("deep/new/folder/n.md", "new\n")
    real = confined.write_atomic
    calls = {"n": 0}

    def flaky(root: Path, path: str, data: bytes, mode: int, tmp: str, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device", path)
        real(root, path, data, mode, tmp, **kw)

    monkeypatch.setattr(confined, "write_atomic", flaky)
    with pytest.raises(ApplyFailed) as info:
        apply(vault, plan)
    assert info.value.message.startswith("could not write deep/new/folder/n.md: No space left on device; every file was restored")
    monkeypatch.setattr(confined, "write_atomic", real)
    assert snapshot(vault) == before
    assert not (vault / "moved").exists() and not (vault / "deep").exists()
    assert not [p for p in vault.rglob("*.tmp")]


def test_case_only_move(vault: Path) -> None:
    write_vault(vault, {"Title.md": "x\n"})
    plan = Plan()
    plan.move("Title.md", (vault / "Title.md").read_bytes(), "title.md")
    apply(vault, plan)
    assert sorted(os.listdir(vault)) == ["title.md"]


def test_overlapping_edits_conflict(vault: Path) -> None:
    _vault(vault)
    raw = (vault / "a.md").read_bytes()
    plan = Plan()
    plan.edit("a.md", raw, 0, 5, "x")
    with pytest.raises(PlanConflict):
        plan.edit("a.md", raw, 3, 7, "y")


def test_new_files_get_the_usual_mode(vault: Path) -> None:
    plan = Plan()
    plan.create("n.md", "x")
    apply(vault, plan)
    umask = os.umask(0)
    os.umask(umask)
    assert (vault / "n.md").stat().st_mode & 0o777 == 0o666 & ~umask
