"""Real `codex` processes: two at once on one vault, and `kill -9` at a random moment of a large rename."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import claim, git, git_init, run, snapshot, write_vault
from tests.integration import new_vault

CODEX = [sys.executable, "-m", "codex_cli"]


def _start(root: Path, args: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CODEX, "--no-input", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _claim_args(title: str) -> list[str]:
    return ["new", "claim", title, *new_vault.FLAGS, "--yes", "--agent", "rio", "--no-map"]


def test_two_commands_at_once_land_one_after_the_other_or_one_refuses(vault: Path) -> None:
    new_vault.make_vault(vault)
    main = git(vault, "rev-parse", "main")
    titles = ["the first of two claims written at once", "the second of two claims written at once"]
    # each write step sleeps, so that the two overlap
    procs = [_start(vault, _claim_args(t), CODEX_FAULT_SLEEP="0.05") for t in titles]
    results = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in procs]
    landed = 0
    for (code, err), title in zip(results, titles, strict=True):
        if code == 4:
            assert "another codex command is running (pid " in err or "another codex command switched to rio/claims-" in err, err
            continue
        assert code == 0, err
        landed += 1
        branch = git(vault, "for-each-ref", "--format=%(refname:short)", "--contains", "main", "refs/heads/rio").split()
        assert any(git(vault, "show", "--name-only", "--format=", b).strip() == f"domains/ai/{title}.md" for b in branch)
    assert landed >= 1
    assert git(vault, "rev-parse", "main") == main  # never a commit on the protected branch
    for branch in git(vault, "for-each-ref", "--format=%(refname:short)", "refs/heads/rio").split():
        assert git(vault, "rev-list", "--count", f"main..{branch}").strip() == "1"  # one commit each, never one on the other's
    assert git(vault, "status", "--porcelain") == ""  # nothing written and left uncommitted


def _wait_for(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_command_started_while_another_one_is_on_its_new_branch_does_not_commit_there(vault: Path) -> None:
    new_vault.make_vault(vault)
    first = _start(vault, _claim_args("the first claim is written on its own branch"), CODEX_FAULT_SLEEP="1.0")  # slow enough for the second to start and wait, even on a loaded machine
    _wait_for(lambda: "rio/" in (vault / ".git" / "HEAD").read_text() or first.poll() is not None)  # half way, on its new branch
    assert first.poll() is None, first.stderr.read() if first.stderr else ""
    second = _start(vault, _claim_args("the second claim must not join that branch"), CODEX_LOCK_WAIT="30")
    assert first.wait(timeout=60) == 0
    code, err = second.wait(timeout=60), second.stderr.read() if second.stderr else ""
    assert code == 4 and "another codex command switched to rio/claims-the-first-claim-is-written while this one waited" in err, err
    assert git(vault, "for-each-ref", "--format=%(refname:short)", "refs/heads/rio").split() == ["rio/claims-the-first-claim-is-written"]
    assert git(vault, "status", "--porcelain") == ""


def test_a_second_command_refuses_after_the_wait(vault: Path) -> None:
    new_vault.make_vault(vault)
    first = _start(vault, _claim_args("a claim that takes its time to be written"), CODEX_FAULT_SLEEP="0.3")
    time.sleep(1.0)  # the first holds the lock
    second = _start(vault, _claim_args("a claim that is not allowed to wait"), CODEX_LOCK_WAIT="0.2")
    code, err = second.wait(timeout=30), second.stderr.read() if second.stderr else ""
    assert first.wait(timeout=60) == 0
    assert code == 4 and f"another codex command is running (pid {first.pid}); nothing was written" in err, err
    assert not (vault / "domains/ai/a claim that is not allowed to wait.md").exists()
    assert git(vault, "status", "--porcelain") == ""


def test_kill_9_at_random_moments_of_a_large_rename(vault: Path) -> None:
    old_title = "the hub claim that fifty notes link to"
    notes = {f"domains/ai/note {i:02} links the hub.md": claim(f"note {i:02} links the hub", f"See [[{old_title}]].") for i in range(50)}
    write_vault(vault, {**notes, f"domains/ai/{old_title}.md": claim(old_title)})
    git_init(vault)
    before = snapshot(vault), git(vault, "for-each-ref")
    args = ["rename", old_title, "the hub claim has a new name now", "--yes", "--agent", "leo"]
    rng = random.Random(12)
    outcomes = set()
    for _ in range(2):
        proc = _start(vault, args, CODEX_FAULT_SLEEP="0.01")
        time.sleep(rng.uniform(0.5, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = run(["check"], cwd=vault)
        assert after.code in (0, 1)
        assert git(vault, "status", "--porcelain", "--untracked-files=all") == ""
        branch = git(vault, "branch", "--show-current").strip()
        if branch != "main":  # it had committed: the whole change, in one commit
            outcomes.add("new")
            assert len(git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")) - 1 == 51
            git(vault, "switch", "-q", "main")
            git(vault, "branch", "-q", "-D", branch)
        else:
            outcomes.add("rolled back" if "recovered an interrupted codex command" in after.stderr else "untouched")
        assert (snapshot(vault), git(vault, "for-each-ref")) == before
    assert outcomes  # which ones depends on the machine's speed


def test_a_read_only_command_leaves_a_running_change_alone(vault: Path) -> None:
    new_vault.make_vault(vault)
    title = "the claim being written stays whole while check runs"
    writer = _start(vault, _claim_args(title), CODEX_FAULT_SLEEP="0.3")
    _wait_for(lambda: (vault / ".git" / "codex" / "journal.json").exists() or writer.poll() is not None)
    checked = run(["check"], cwd=vault)  # its journal is there, but its command holds the lock
    assert "recovered" not in checked.stderr
    assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    assert (vault / f"domains/ai/{title}.md").exists()
    assert git(vault, "status", "--porcelain") == ""


def test_a_commit_left_running_by_a_killed_codex_is_waited_for_not_rolled_back_under(vault: Path) -> None:
    new_vault.make_vault(vault)
    hook = vault / ".git" / "hooks" / "pre-commit"
    started = vault / ".git" / "hook-started"
    hook.write_text(f"#!/bin/sh\ntouch '{started}'\nsleep 2\n")
    hook.chmod(0o755)
    title = "a claim whose commit outlives its codex"
    proc = _start(vault, _claim_args(title))
    _wait_for(started.exists)
    proc.send_signal(signal.SIGKILL)  # git commit and its hook go on, holding the vault lock
    proc.wait(timeout=30)
    early = run(["check"], cwd=vault)
    assert "recovered" not in early.stderr  # the lock is still held: nothing is rolled back under the commit
    waited = run(["new", "claim", "a later claim waits for the orphaned commit", *new_vault.FLAGS, "--yes", "--agent", "rio", "--no-map"], cwd=vault)
    assert "the change had been committed" in waited.stderr, waited.stderr
    assert waited.code == 0, waited.stderr
    log = git(vault, "log", "--format=%s", "-2")
    assert title in log and "a later claim waits" in log
    assert git(vault, "status", "--porcelain", "--untracked-files=all") == ""
