"""Fault injection: a write interrupted at any step leaves, after the next command, all-old or all-new.

For rename, new, map sync and check --fix, each write step in turn is made
to kill the process (SIGKILL, SIGTERM, SIGINT) or fail (the test-only hook
CODEX_FAULT_AT, adapters.journal.step). The command runs in a forked child
(a real process that really dies, without the cost of starting Python);
then `codex check` runs, and the vault must be byte for byte as before the
command, or as after it ran undisturbed: the working tree (hidden files
included), `git status`, the branch, every branch, HEAD's tree, no journal,
no temporary file, no commit of a part of the change.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import claim, git, git_init, run, snapshot, write_vault
from tests.integration import new_vault
from tests.integration.test_rename_cli import NEW as RENAMED
from tests.integration.test_rename_cli import OLD
from tests.integration.test_rename_cli import make_vault as rename_vault

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def state(root: Path) -> dict[str, object]:
    """Everything a user could see of the vault, and of its repository."""
    return {
        "files": snapshot(root),
        "status": git(root, "status", "--porcelain", "--untracked-files=all"),
        "branch": git(root, "branch", "--show-current"),
        "branches": git(root, "for-each-ref", "--format=%(refname) %(tree)", "refs/heads"),
        "tree": git(root, "rev-parse", "HEAD^{tree}"),
        "subjects": sorted(git(root, "log", "--all", "--format=%s%n%b").splitlines()),
        "index": git(root, "ls-files", "--stage"),
    }


def run_child(root: Path, args: list[str], at: int = 0, kind: str = "kill", stderr: Path | None = None) -> int:
    """Run `codex ARGS` in a forked child whose step `at` faults; its exit code (-9 when killed).

    The child's pid is in its CODEX_TEST_PID (for a hook to signal it).
    """
    from codex_cli.adapters import journal
    from codex_cli.cli.app import main

    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            if stderr is not None:
                os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)  # noqa: SIM115 - not pytest's capture
            os.environ["CODEX_TEST_PID"] = str(os.getpid())
            os.chdir(root)
            journal._FAULT_AT, journal._FAULT_KIND, journal._steps = at, kind, 0
            code = main(["--no-input", *args])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


ALL_KINDS = (("kill",), ("term", "int", "hup", "raise"))


def every_step(tmp_path: Path, make: Callable[[Path], object], args: list[str], passes: tuple[tuple[str, ...], ...] = (("kill",),)) -> int:
    """Fault each step in turn (SIGKILL; with ALL_KINDS, then SIGTERM, SIGINT, SIGHUP or EIO in rotation); how many steps there were."""
    template = tmp_path / "template"
    template.mkdir()
    make(template)
    for sample in (template / ".git" / "hooks").glob("*.sample"):
        sample.unlink()  # fewer files to copy for each step
    old = state(template)
    done = tmp_path / "undisturbed"
    shutil.copytree(template, done, symlinks=True)
    assert run_child(done, args, 0) == 0
    new = state(done)
    assert new != old
    steps = 0
    for rotation in passes:
        for at in range(1, 80):
            kind = rotation[at % len(rotation)]
            root = tmp_path / f"{kind}-{at}"
            shutil.copytree(template, root, symlinks=True)
            code = run_child(root, args, at, kind)
            after = run(["check"], cwd=root)
            assert after.code in (0, 1), after.stderr
            got = state(root)
            differs = sorted(k for k in got if got[k] != new[k]) if got != old else []
            assert got in (old, new), f"{kind} at step {at} (exit {code}): {differs} differ from all-new; {after.stderr}"
            assert not (root / ".git" / "codex" / "journal.json").exists()
            if code == 0:  # past the last step: the fault never came
                assert got == new
                steps = at - 1
                break
            assert code == (-9 if kind == "kill" else 3 if kind == "raise" else 130), (kind, at, code)
            if kind == "kill" and got == old and at > 1:
                assert "recovered an interrupted codex command" in after.stderr
            shutil.rmtree(root)
        else:
            pytest.fail("the command never finished")
    return steps


def test_rename(tmp_path: Path) -> None:
    steps = every_step(tmp_path, rename_vault, ["rename", OLD, RENAMED, "--yes", "--agent", "leo"], ALL_KINDS)
    assert steps >= 8


def test_new_claim(tmp_path: Path) -> None:
    args = ["new", "claim", new_vault.NEW, *new_vault.FLAGS, "--yes", "--agent", "rio"]
    steps = every_step(tmp_path, new_vault.make_vault, args)
    assert steps >= 4


def _unlisted(root: Path) -> None:
    new_vault.make_vault(root, commit=False)
    write_vault(root, {"domains/ai/a claim no map lists yet is here.md": claim("a claim no map lists yet is here", links=[])})
    git_init(root)


def test_map_sync(tmp_path: Path) -> None:
    steps = every_step(tmp_path, _unlisted, ["map", "sync", "--yes", "--agent", "rio"])
    assert steps >= 4


def _fixable(root: Path) -> None:
    write_vault(root, {
        "n/markets beat votes.md": "# m\n",
        "src.md": "[[n/markets beat votes.md]]\n",
        "other.md": "[[Markets-beat votes]]\n",
    })
    git_init(root)


def test_check_fix(tmp_path: Path) -> None:
    steps = every_step(tmp_path, _fixable, ["check", "--fix"], ALL_KINDS)
    assert steps >= 3


@pytest.mark.parametrize("signal_name", ["INT", "TERM"])
def test_an_interrupt_during_a_pre_commit_hook_rolls_back_files_index_and_branch(tmp_path: Path, signal_name: str) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    rename_vault(root)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nkill -{signal_name} $CODEX_TEST_PID\nsleep 5\n")
    hook.chmod(0o755)
    before = state(root)
    err = tmp_path / "stderr"
    code = run_child(root, ["rename", OLD, RENAMED, "--yes", "--agent", "leo"], stderr=err)
    assert code == 130
    said = err.read_text()
    assert said.endswith("back on main, branch leo/rename-prediction-markets-aggregate-information-better removed\n"), said
    assert f"codex: interrupted{' (SIGTERM)' if signal_name == 'TERM' else ''}: rolled back: 4 files restored, 1 new file removed, unstaged" in said
    assert state(root) == before
    assert not (root / ".git" / "codex" / "journal.json").exists()


def test_ctrl_c_while_the_early_search_starts_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import grep

    root = tmp_path / "vault"
    root.mkdir()
    rename_vault(root)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(grep, "start_early", interrupted)
    result = run(["rename", OLD, RENAMED, "--yes"], cwd=root)
    assert (result.code, result.stderr) == (130, "codex: interrupted: nothing was written\n")


def test_check_reports_a_stray_temporary_file(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    _fixable(root)
    (root / "n" / ".codex-4711-0.tmp").write_text("half a note")
    doc = run(["--json", "check"], cwd=root).json()
    assert {"file": "n/.codex-4711-0.tmp", "line": None, "code": "stray-temp", "severity": "warning"}.items() <= next(
        p for p in doc["problems"] if p["code"] == "stray-temp"
    ).items()


@pytest.mark.parametrize("at", [1, 4, 8])  # before the first write, half way, after the last (before staging)
def test_a_folder_swapped_for_a_link_after_the_check_is_never_written_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """The check-then-use race: a hostile process swaps domains/ai for a link to outside once the plan is checked
    (step 1, before the first write) or half way through the writes (step 4). Nothing outside changes; the
    command refuses (exit 3) and rolls back what it can reach."""
    root = tmp_path / "vault"
    root.mkdir()
    rename_vault(root)
    outside = tmp_path / "outside"
    shutil.copytree(root / "domains" / "ai", outside)  # a mirror: a write by path would succeed there
    before, mirror = snapshot(root), snapshot(outside)
    index, branches = git(root, "ls-files", "--stage"), git(root, "for-each-ref", "refs/heads")
    monkeypatch.setenv("CODEX_FAULT_SWAP", str(root / "domains" / "ai"))
    monkeypatch.setenv("CODEX_FAULT_SWAP_TO", str(outside))
    err = tmp_path / "stderr"
    code = run_child(root, ["rename", OLD, RENAMED, "--yes", "--agent", "leo"], at, "swap", stderr=err)
    said = err.read_text()
    assert code == 3, said
    verb = "commit" if at == 8 else "write"  # after the writes, the git adapter's check before staging meets it
    assert f"refusing to {verb} domains/ai/" in said and "it goes through a symbolic link (domains/ai is one); rolled back: " in said, said
    assert snapshot(outside) == mirror  # nothing outside the vault changed
    assert (root / "domains" / "ai").is_symlink()  # the swap itself is left for a person to see
    assert git(root, "ls-files", "--stage") == index and git(root, "for-each-ref", "refs/heads") == branches  # nothing staged, no branch
    assert git(root, "branch", "--show-current") == "main\n"
    assert not (root / ".git" / "codex" / "journal.json").exists()
    moved = {p.replace("domains/ai~/", "domains/ai/", 1): b for p, b in snapshot(root).items() if not p.startswith("domains/ai/")}
    if at == 1:  # refused before its first write: the real folder (moved aside) and every other file are as they were
        assert moved == before, said
        assert said.startswith(
            "codex: error: refusing to write domains/ai/_map.md: it goes through a symbolic link (domains/ai is one); "
            "rolled back: back on main, branch leo/rename-prediction-markets-aggregate-information-better removed; "
            "not touched (a symbolic link is on the way to them now): domains/ai/_map.md\n"
        ), said  # only the file it was about to write is named
    else:  # the files already written in the real folder cannot be reached through the link: named, never followed
        assert moved["domains/bio/bio claim grows here.md"] == before["domains/bio/bio claim grows here.md"]
        assert "not touched (a symbolic link is on the way to them now): domains/ai/" in said, said
