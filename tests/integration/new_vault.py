"""A small knowledge base for the `codex new` tests."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import claim, git, git_init, write_vault

MARKETS = "markets beat votes for information aggregation because traders bet on what they know"
ALIGNMENT = "alignment is a coordination problem rather than a purely technical one"
NEW = "prediction markets price policy outcomes better than expert panels do"

MAP = (
    "# AI\n"
    "\n"
    "Intro prose that must never change.\n"
    "\n"
    "## Markets\n"
    f"- [[{MARKETS}]] — prices as aggregators\n"
    "\n"
    "## Alignment\n"
    f"- [[{ALIGNMENT}]] — the framing\n"
)

FLAGS = ["--domain", "ai", "--description", "Markets on policy outcomes beat panels in forecasting tournaments", "--confidence", "likely", "--source", "tests"]


def make_vault(root: Path, *, commit: bool = True) -> Path:
    write_vault(
        root,
        {
            "domains/ai/_map.md": MAP,
            f"domains/ai/{MARKETS}.md": claim(MARKETS, "Traders with money at stake reveal what they know.", links=[]),
            f"domains/ai/{ALIGNMENT}.md": claim(ALIGNMENT, "Nobody builds safety alone.", links=[]),
            "domains/bio/cells divide because growth signals outweigh checkpoints.md": claim(
                "cells divide because growth signals outweigh checkpoints", domain="bio"
            ),
            "agents/rio/identity.md": "# rio\n\nThe internet finance agent.\n",
        },
    )
    if commit:
        git_init(root)
    return root


def head_message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B").rstrip("\n") + "\n"


def head_files(root: Path) -> list[str]:
    out = git(root, "show", "--name-only", "--format=", "-z", "HEAD")
    return sorted(p for p in out.split("\0") if p.strip())


def branch(root: Path) -> str:
    return git(root, "branch", "--show-current").strip()
