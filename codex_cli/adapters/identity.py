"""Who is acting: the agent (and its id) or the person, for subjects and trailers.

The agent comes from, in order: `--agent`, the CODEX_AGENT environment
variable, the vault configuration (`agent:`), the user configuration
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


def author(config: Config, agent_flag: str | None, git_user: str | None) -> Author:
    user = user_config()
    agents: dict[str, Any] = {}
    agents.update(user.get("agents") or {})
    agents.update(config.data.get("agents") or {})
    handle = agent_flag or os.environ.get("CODEX_AGENT") or config.data.get("agent") or user.get("agent")
    if handle:
        return Author.agent(str(handle), agents)
    return Author.person(git_user or user.get("name") or "anonymous")
