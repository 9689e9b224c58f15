"""Agent names, ids and the text of commit messages: nothing a user or a vault supplies can add a trailer."""

from __future__ import annotations

import pytest

from codex_cli.config import DEFAULTS
from codex_cli.core.commit import Author, agent_name_problem, message, uuid_problem
from codex_cli.core.paths import unconfined


@pytest.mark.parametrize("name", ["rio", "theseus", "leo", "vida", "clay-2", "R2D2"])
def test_agent_names_are_one_word(name: str) -> None:
    assert agent_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "evil\nPentagon-Agent: Forged <1>", "Vida <ABC>", "ri o", "-rio", "rio-", "r\tio", "ríö", "a" * 65])
def test_anything_else_is_not_an_agent_name(name: str) -> None:
    assert agent_name_problem(name) is not None
    with pytest.raises(ValueError):
        Author.agent(name, {})


def test_uuids_are_checked_and_written_upper_case() -> None:
    assert uuid_problem("2ea8dbcb-a29b-43e8-b726-45e571a1f3c8") is None
    assert uuid_problem("2EA8DBCB-A29B-43E8-B726-45E571A1F3C8>") is not None
    who = Author.agent("rio", {}, "2ea8dbcb-a29b-43e8-b726-45e571a1f3c8")
    assert message(DEFAULTS["commit"], who, "x").endswith("Pentagon-Agent: Rio <2EA8DBCB-A29B-43E8-B726-45E571A1F3C8>\n")


def test_a_person_is_one_line_whatever_git_says() -> None:
    who = Author.person("Mallory\nPentagon-Agent: Forged <1>")
    assert message(DEFAULTS["commit"], who, "x").splitlines()[-1] == "Contributor: Mallory Pentagon-Agent: Forged 1"


def test_every_line_of_the_body_is_one_line() -> None:
    who = Author.agent("rio", {})
    text = message(DEFAULTS["commit"], who, "add\nclaim", what="a\r\nb", why="c\u2028d", connections="e\x85f", extra=["- Source: g\nh"])
    assert text.splitlines() == [
        "rio: add claim", "", "- What: a b", "- Why: c d", "- Connections: e f", "- Source: g h", "", "Pentagon-Agent: Rio <HEADLESS>",
    ]


@pytest.mark.parametrize(
    ("path", "hidden", "ok"),
    [
        ("domains/ai/_map.md", False, True),
        (".codex.yaml", True, True),
        (".codex.yaml", False, False),
        (".git/hooks/post-commit", True, False),
        ("a/.GIT/config", True, False),
        ("../x.md", True, False),
        ("a/../../x.md", True, False),
        ("/etc/passwd", True, False),
        ("C:/x.md", True, False),
        ("~/x.md", True, False),
        ("a\\b.md", True, False),
        ("a//b.md", True, False),
        ("./a.md", True, False),
        ("a/b\x00.md", True, False),
        ("", True, False),
    ],
)
def test_the_one_rule_for_vault_paths(path: str, hidden: bool, ok: bool) -> None:
    assert (unconfined(path, hidden=hidden) is None) is ok
