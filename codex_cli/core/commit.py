"""Commit messages and branch names, the way the knowledge base wants them.

Subject `<agent>: <what>`, a body of `- What:` / `- Why:` / `- Connections:`
lines, then trailers: `Pentagon-Agent: <Name> <<UUID>>` (`<HEADLESS>` when
the agent has no id) for agents, `Contributor: <name>` for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codex_cli.core.text import slugify


@dataclass(frozen=True)
class Author:
    """Who an operation is done for."""

    handle: str  # lower-case, used in subjects and branch names
    name: str  # display name
    agent_id: str | None = None  # None: not an agent (a person), or an agent without id
    is_agent: bool = True

    @classmethod
    def agent(cls, handle: str, agents: dict[str, Any]) -> Author:
        key = handle.strip()
        known = agents.get(key) or agents.get(key.lower()) or {}
        name = str(known.get("name") or key[:1].upper() + key[1:])
        agent_id = known.get("id")
        return cls(slugify(key, 4), name, str(agent_id) if agent_id else None, True)

    @classmethod
    def person(cls, name: str) -> Author:
        return cls(slugify(name, 3), name, None, False)


def subject(config_commit: dict[str, Any], author: Author, action: str) -> str:
    template = str(config_commit.get("subject") or "{agent}: {action}")
    return template.format(agent=author.handle, action=action)


def trailers(config_commit: dict[str, Any], author: Author) -> list[str]:
    if author.is_agent:
        template = str(config_commit.get("agent_trailer") or "Pentagon-Agent: {name} <{id}>")
        return [template.format(name=author.name, id=author.agent_id or config_commit.get("headless_id", "HEADLESS"))]
    template = str(config_commit.get("contributor_trailer") or "Contributor: {name}")
    return [template.format(name=author.name)]


def message(
    config_commit: dict[str, Any],
    author: Author,
    action: str,
    *,
    what: str | None = None,
    why: str | None = None,
    connections: str | None = None,
    extra: list[str] | None = None,
) -> str:
    lines = [subject(config_commit, author, action), ""]
    body = []
    if what:
        body.append(f"- What: {what}")
    if why:
        body.append(f"- Why: {why}")
    if connections:
        body.append(f"- Connections: {connections}")
    body.extend(extra or [])
    if body:
        lines.extend(body)
        lines.append("")
    lines.extend(trailers(config_commit, author))
    return "\n".join(lines) + "\n"


def branch_name(config_commit: dict[str, Any], author: Author, description: str) -> str:
    template = str(config_commit.get("branch") or "{agent}/{slug}")
    return template.format(agent=author.handle, slug=slugify(description, 6))
