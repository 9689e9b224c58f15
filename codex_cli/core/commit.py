"""Commit messages and branch names, the way the knowledge base wants them.

Subject `<agent>: <what>`, a body of `- What:` / `- Why:` / `- Connections:`
lines, then trailers: `Pentagon-Agent: <Name> <<UUID>>` (`<HEADLESS>` when
the agent has no id) for agents, `Contributor: <name>` for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from codex_cli.core.text import slugify

# An agent is one word as the knowledge base writes them (`rio`, `theseus`):
# letters, digits and hyphens. Nothing else can reach a subject, a branch
# name or a trailer, so no newline, `<` or `>` can forge another trailer.
_AGENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?")
# A display name (`Rio`) may hold spaces and a few marks, never `<`, `>` or a line break.
_DISPLAY_NAME = re.compile(r"[^\W_](?:[\w .'-]{0,62}[^\W_])?")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_ID_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


def agent_name_problem(name: str) -> str | None:
    """Why `name` is not an agent name; None when it is one."""
    if _AGENT_NAME.fullmatch(name):
        return None
    return "is not an agent name: one word of letters, digits and hyphens (like rio or theseus)"


def display_name_problem(name: str) -> str | None:
    if _DISPLAY_NAME.fullmatch(name):
        return None
    return "is not a display name: letters, digits, spaces, `.`, `'` and `-`, at most 64"


def agent_id_problem(value: str) -> str | None:
    """Why `value` is not an agent id (a UUID, or a word such as HEADLESS); None when it is one."""
    if _UUID.fullmatch(value) or _ID_WORD.fullmatch(value):
        return None
    return "is not an agent id: a UUID like 2EA8DBCB-A29B-43E8-B726-45E571A1F3C8"


def uuid_problem(value: str) -> str | None:
    if _UUID.fullmatch(value):
        return None
    return "is not a UUID (like 2EA8DBCB-A29B-43E8-B726-45E571A1F3C8)"


@dataclass(frozen=True)
class Author:
    """Who an operation is done for."""

    handle: str  # lower-case, used in subjects and branch names
    name: str  # display name
    agent_id: str | None = None  # None: not an agent (a person), or an agent without id
    is_agent: bool = True

    @classmethod
    def agent(cls, handle: str, agents: dict[str, Any], agent_id: str | None = None) -> Author:
        """The agent `handle` (validated: ValueError says why), with its id from `agent_id` or `agents`."""
        key = handle.strip()
        why = agent_name_problem(key)
        if why is not None:
            raise ValueError(f"{key!r} {why}")
        known = agents.get(key) or agents.get(key.lower()) or {}
        name = str(known.get("name") or key[:1].upper() + key[1:])
        if display_name_problem(name) is not None:
            name = key[:1].upper() + key[1:]
        the_id = agent_id or known.get("id")
        if the_id is not None and agent_id_problem(str(the_id)) is not None:
            raise ValueError(f"{str(the_id)!r} {agent_id_problem(str(the_id))}")
        return cls(key.lower(), name, str(the_id).upper() if the_id else None, True)

    @classmethod
    def person(cls, name: str) -> Author:
        """A person by git's user.name: one line in the trailer, whatever git says."""
        one_line = " ".join(name.replace("<", " ").replace(">", " ").split()) or "anonymous"
        return cls(slugify(one_line, 3), one_line, None, False)


_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` with its line breaks as spaces: what a flag (`--why`) or a title adds to a
    message stays on its own line, so it can never start a trailer of its own."""
    return _LINE_BREAKS.sub(" ", text)


def subject(config_commit: dict[str, Any], author: Author, action: str) -> str:
    template = str(config_commit.get("subject") or "{agent}: {action}")
    return template.format(agent=author.handle, action=one_line(action))


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
    body = [one_line(line) for line in body]
    if body:
        lines.extend(body)
        lines.append("")
    lines.extend(trailers(config_commit, author))
    return "\n".join(lines) + "\n"


def branch_name(config_commit: dict[str, Any], author: Author, description: str) -> str:
    template = str(config_commit.get("branch") or "{agent}/{slug}")
    return template.format(agent=author.handle, slug=slugify(description, 6))
