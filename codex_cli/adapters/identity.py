"""Who is acting: the agent (and its id) or the person, for subjects and trailers.

The agent comes from, in order: `--agent`, the CODEX_AGENT environment
variable (its id from `--agent-id` or CODEX_AGENT_ID), the vault configuration (`agent:`), the user configuration
(`$XDG_CONFIG_HOME/codex/config.yaml`, key `agent:`; it may also list
`agents:` with names and ids). With none, git's user.name acts as a person
(a `Contributor:` trailer).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from codex_cli.config import Config
from codex_cli.core.commit import Author


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "codex" / "config.yaml"


def user_config() -> dict[str, Any]:
    path = user_config_path()
    if not path.is_file():
        return {}
    from codex_cli.core.frontmatter import yaml_load
    from codex_cli.errors import ConfigError

    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise ConfigError(f"{path}: cannot read it: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    return data if isinstance(data, dict) else {}


def author(config: Config, agent_flag: str | None, git_user: str | None, agent_id: str | None = None) -> Author:
    """Who acts; UsageError (exit 2) naming where a bad agent name or id came from.

    An agent name is one word (core.commit.agent_name_problem) wherever it
    comes from, so nothing can forge a second trailer; the id comes from
    `--agent-id`, else CODEX_AGENT_ID (a UUID), else the `agents` table.
    """
    from codex_cli.core.commit import uuid_problem
    from codex_cli.errors import UsageError

    user = user_config()
    agents: dict[str, Any] = {}
    agents.update(user.get("agents") or {})
    agents.update(config.data.get("agents") or {})
    sources = (
        ("--agent", agent_flag),
        ("CODEX_AGENT", os.environ.get("CODEX_AGENT")),
        (".codex.yaml agent", config.data.get("agent")),
        (f"{user_config_path()} agent", user.get("agent")),
    )
    where, handle = next(((w, str(h)) for w, h in sources if h), ("", None))
    id_where, the_id = ("--agent-id", agent_id) if agent_id else ("CODEX_AGENT_ID", os.environ.get("CODEX_AGENT_ID") or None)
    if the_id is not None and (why := uuid_problem(the_id)) is not None:
        raise UsageError(f"{id_where} {the_id!r} {why}")
    if handle is None:
        if the_id is not None:
            raise UsageError(f"{id_where} needs an agent: pass --agent NAME or set CODEX_AGENT")
        return Author.person(git_user or user.get("name") or "anonymous")
    try:
        return Author.agent(handle, agents, the_id)
    except ValueError as exc:
        raise UsageError(f"{where} {exc}") from None


def known_agents(root: Path, config: Config) -> set[str] | None:
    """The agents the vault knows (its `agents/` folders and the `agents` table); None when it has no agents folder."""
    folder = str((config.data.get("review") or {}).get("agents_folder") or "agents")
    try:
        entries = list(os.scandir(root / folder))
    except OSError:
        return None
    names = {e.name.lower() for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")}
    return names | {str(k).lower() for k in config.data.get("agents") or {}}


def unknown_agent(root: Path, config: Config, who: Author) -> str | None:
    """A warning when the agent is not one the vault knows (a typo like `vdia`); None otherwise."""
    if not who.is_agent:
        return None
    known = known_agents(root, config)
    if known is None or who.handle in known:
        return None
    from difflib import get_close_matches

    close = get_close_matches(who.handle, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(sorted(known))})"
    return f"agent {who.handle!r} is not under agents/ in this vault{hint}"
