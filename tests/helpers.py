"""Build small vaults from dicts and drive the CLI in-process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "sample-codex"


def claim(title: str, body: str = "", *, domain: str = "ai", description: str = "a description that adds context", extra: str = "", links: list[str] | None = None) -> str:
    """The text of a well-formed claim note."""
    rel = "".join(f"- [[{t}]] — related\n" for t in links or [])
    tail = f"\n---\n\nRelevant Notes:\n{rel}\nTopics:\n- [[domains/{domain}/_map]]\n" if links is not None else ""
    return (
        "---\n"
        "type: claim\n"
        f"domain: {domain}\n"
        f'description: "{description}"\n'
        "confidence: likely\n"
        'source: "tests"\n'
        "created: 2026-01-01\n"
        f"{extra}"
        "---\n\n"
        f"# {title}\n\n"
        f"{body}\n"
        f"{tail}"
    )


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (vault-relative path -> text or bytes) under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def copy_sample(dest: Path) -> Path:
    """A writable copy of ../shared/sample-codex at `dest`."""
    import shutil

    shutil.copytree(SAMPLE, dest)
    for p in dest.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dest


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return out.stdout


def git_init(root: Path, *, commit: bool = True) -> Path:
    git(root, "init", "-q", "-b", "main")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "start")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (outside .git) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(args: list[str], cwd: Path | None = None, stdin: str = "") -> Result:
    """Run `codex ARGS` in-process, as from folder `cwd`."""
    import os

    from codex_cli.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd = os.getcwd()
    old_stdin = sys.stdin
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())
