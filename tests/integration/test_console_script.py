"""The installed `codex` script: it ends the process itself (cli.app.run), with all its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import claim, git_init, run, write_vault

CODEX = str(Path(sys.executable).with_name("codex"))


def _script(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([CODEX, *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)


def test_output_and_exit_code_are_whole(vault: Path) -> None:
    old = "markets beat votes for information aggregation"
    notes = {f"domains/ai/note {i:03}.md": claim(f"note {i:03}", f"see [[{old}]] and [[gone {i}]]") for i in range(300)}
    write_vault(vault, {**notes, f"domains/ai/{old}.md": claim(old)})
    git_init(vault)
    checked = _script(["--json", "check"], vault)
    assert checked.returncode == 1, checked.stderr
    assert json.loads(checked.stdout) == run(["--json", "check"], cwd=vault).json()
    preview = _script(["rename", old, "markets aggregate information", "--dry-run"], vault)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout == run(["rename", old, "markets aggregate information", "--dry-run"], cwd=vault).stdout
    assert len(preview.stdout) > 65536  # more than a pipe holds: everything was flushed
    refused = _script(["rename", "no such note", "x", "--yes"], vault)
    assert refused.returncode == 3 and "not found" in refused.stderr


def test_ctrl_c_while_codex_is_still_being_imported_is_one_line() -> None:
    """The script's first module (cli.start) handles SIGINT before anything else of codex is imported."""
    code = "import os, signal, time\nfrom codex_cli.cli.start import run\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(10)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stderr) == (130, "codex: interrupted: nothing was written\n")


def test_the_script_starts_from_cli_start() -> None:
    assert "from codex_cli.cli.start import run" in Path(CODEX).read_text()
