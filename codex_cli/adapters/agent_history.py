"""Who added which notes: every commit of the vault's history attributed to an agent.

A commit is an agent's when its subject starts `<agent>:` or it carries a
`Pentagon-Agent: <Name> <id>` trailer naming a known agent; a commit with
neither (an `Auto: …` commit) belongs to the branch it was merged from:
`Merge pull request #N from owner/<agent>/…`, else the agent most of that
branch's own commits name. One `git log` call; the result is kept in the
cache folder per HEAD commit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_COMMITS = 5000  # the newest commits read (a long history: the recent past says enough)
_SUBJECT = re.compile(r"^([A-Za-z][\w-]*)\s*:")
_MERGE_FROM = re.compile(r"from\s+(?:[\w.-]+/)?([\w.-]+)/", re.IGNORECASE)


@dataclass
class Commit:
    sha: str
    parents: list[str]
    subject: str
    trailer: str
    added: list[str] = field(default_factory=list)


def own_agent(commit: Commit, known: frozenset[str]) -> str | None:
    """The agent a commit names itself: its subject's `<agent>:`, else its Pentagon-Agent trailer."""
    m = _SUBJECT.match(commit.subject)
    if m and m.group(1).lower() in known:
        return m.group(1).lower()
    from codex_cli.core.review import trailer_agent

    for value in commit.trailer.split(","):
        name = trailer_agent(value)
        if name in known:
            return name
    return None


def attribute(commits: list[Commit], known: frozenset[str]) -> dict[str, str]:
    """sha -> agent for every commit that can be attributed (see the module docstring); newest first."""
    by_sha = {c.sha: c for c in commits}
    out = {sha: a for sha, c in by_sha.items() if (a := own_agent(c, known))}
    mainline: set[str] = set()
    sha: str | None = commits[0].sha if commits else None
    while sha in by_sha and sha not in mainline:
        mainline.add(sha)
        sha = by_sha[sha].parents[0] if by_sha[sha].parents else None
    for c in commits:
        if len(c.parents) < 2:
            continue
        branch: list[str] = []
        sha = c.parents[1]
        while sha in by_sha and sha not in mainline and len(branch) < 1000:  # the merged branch, by first parents
            branch.append(sha)
            sha = by_sha[sha].parents[0] if by_sha[sha].parents else None
        m = _MERGE_FROM.search(c.subject)
        owner = m.group(1).lower() if m and m.group(1).lower() in known else None
        if owner is None:
            named = Counter(out[s] for s in branch if s in out)
            owner = named.most_common(1)[0][0] if named else None
        if owner is not None:
            for s in branch:
                out.setdefault(s, owner)
    return out


def read_log(root: Path) -> list[Commit]:
    """The history reachable from HEAD, newest first, with the files each non-merge commit added."""
    from codex_cli.adapters.git import _git
    from codex_cli.core.review import TRAILER
    from codex_cli.errors import GitFailed

    try:
        text = _git(
            root,
            "-c", "core.quotePath=false",
            "log", f"--max-count={MAX_COMMITS}", "--relative", "--no-renames", "--name-status",
            f"--format=%x1e%H %P%x1f%s%x1f%(trailers:key={TRAILER},valueonly,separator=%x2C)",
        )  # fmt: skip
    except GitFailed:
        return []
    out = []
    for record in text.split("\x1e")[1:]:
        head, _, files = record.partition("\n")
        ids, subject, trailer = (head.split("\x1f") + ["", ""])[:3]
        shas = ids.split()
        if not shas:
            continue
        added = [line[2:] for line in files.split("\n") if line.startswith("A\t")]  # log's own --diff-filter would drop commits
        out.append(Commit(shas[0], shas[1:], subject, trailer.strip(), added))
    return out


def agent_added(root: Path, known: frozenset[str]) -> dict[str, list[str]]:
    """agent -> the repository paths its commits added (cached per HEAD)."""
    from codex_cli.adapters import cache
    from codex_cli.adapters.git import _git
    from codex_cli.errors import GitFailed

    try:
        head = _git(root, "rev-parse", "-q", "--verify", "HEAD").strip()
    except GitFailed:
        return {}
    store = cache.Store(root)
    key = f"{head}:{','.join(sorted(known))}"
    kept = store.load("agent-history", key)
    if isinstance(kept, dict):
        return kept
    commits = read_log(root)
    who = attribute(commits, known)
    out: dict[str, list[str]] = {}
    for c in commits:
        agent = who.get(c.sha)
        if agent is not None and c.added:
            out.setdefault(agent, []).extend(c.added)
    store.save("agent-history", key, out)
    return out
