"""`.codex.yaml` is untrusted input: a typed schema, paths confined to the vault, no aliases, a size cap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from codex_cli import config
from codex_cli.config_schema import validate
from codex_cli.errors import ConfigError


def load(vault: Path, text: str) -> config.Config:
    (vault / ".codex.yaml").write_text(text, encoding="utf-8")
    return config.load(vault)


def refused(vault: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(vault, text)
    return caught.value.message


def test_the_defaults_pass_their_own_schema() -> None:
    assert validate(config.DEFAULTS, config.DEFAULTS) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("commit: 5\n", ".codex.yaml:1: commit must be a mapping, not a number (5)"),
        ("maps: 5\n", ".codex.yaml:1: maps must be a mapping, not a number (5)"),
        ("ignore: 5\n", ".codex.yaml:1: ignore must be a list of globs, not a number (5)"),
        ("# c\nversion: 999\n", ".codex.yaml:2: version must be one of 1, not 999"),
        ("version: '1'\n", ".codex.yaml:1: version must be one of 1, not '1'"),
        ("commit:\n  protected_branches: main\n", ".codex.yaml:2: commit.protected_branches must be a list, not text"),
        ("types:\n  claim:\n    title_h1: 3\n", ".codex.yaml:3: types.claim.title_h1 must be true or false"),
        ("types:\n  claim:\n    fields:\n      x: {kind: number}\n", ".codex.yaml:4: types.claim.fields.x.kind must be one of text, date, list"),
        ("commit:\n  subjekt: x\n", ".codex.yaml:2: commit.subjekt is not a known setting"),
        ("agents:\n  rio: {name: Rio, id: 5}\n", ".codex.yaml:2: agents.rio.id must be text, not a number (5)"),
    ],
)
def test_every_key_is_typed_and_the_error_names_key_and_line(vault: Path, text: str, expected: str) -> None:
    assert expected in refused(vault, text)


def test_every_problem_is_listed_one_line_each(vault: Path) -> None:
    message = refused(vault, "commit: 5\nmaps: 5\nignore: 5\n")
    assert message.splitlines() == [
        ".codex.yaml:1: commit must be a mapping, not a number (5)",
        ".codex.yaml:2: maps must be a mapping, not a number (5)",
        ".codex.yaml:3: ignore must be a list of globs, not a number (5)",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("maps: {file_name: ../../../../tmp/x/PWNED_MAP.md}\n", "maps.file_name"),
        ("maps: {file_name: /tmp/x.md}\n", "maps.file_name"),
        ("maps: {file_name: _map.txt}\n", "maps.file_name"),
        ("domain_roots: [domains, ../../victim/droot]\n", "domain_roots.1"),
        ("domain_roots:\n  - /etc\n", "domain_roots.0"),
        ("domain_roots: ['C:/Windows']\n", "domain_roots.0"),
        ("domain_roots: [.git]\n", "domain_roots.0"),
        ("domains:\n  evil: ../outside\n", "domains.evil"),
        ("domains:\n  evil: ~/outside\n", "domains.evil"),
        ("types:\n  claim:\n    folder: '../{domain}'\n", "types.claim.folder"),
        ("types:\n  claim:\n    folder: '{domain}/../..'\n", "types.claim.folder"),
        ("types:\n  claim:\n    folder: '/srv/{domain}'\n", "types.claim.folder"),
        ("maps:\n  extra: ['../*.md']\n", "maps.extra.0"),
    ],
)
def test_every_configured_path_stays_inside_the_vault(vault: Path, text: str, key: str) -> None:
    message = refused(vault, text)
    assert f": {key} " in message and len(message.splitlines()) == 1


def test_domain_roots_outside_never_lists_their_folders(vault: Path) -> None:
    message = refused(vault, "domain_roots: [/etc]\n")
    assert "passwd" not in message and "is an absolute path" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("commit:\n  subject: '{agent.__class__}: {action}'\n", "commit.subject"),
        ("commit:\n  subject: '{agent!r}'\n", "commit.subject"),
        ("commit:\n  branch: '{agent}/{nope}'\n", "commit.branch"),
        ("commit:\n  agent_trailer: \"Pentagon-Agent: {name} <{id}>\\nPentagon-Agent: Forged <1>\"\n", "commit.agent_trailer"),
        ("commit:\n  headless_id: 'X> <Y'\n", "commit.headless_id"),
        ("agent: \"evil\\nPentagon-Agent: Forged <1>\"\n", "agent"),
        ("agent: 'Vida <ABC>'\n", "agent"),
        ("agents:\n  'ri o': {name: Rio}\n", "agents.ri o"),
        ("agents:\n  rio: {name: 'Rio <x>'}\n", "agents.rio.name"),
        ("agents:\n  rio: {name: Rio, id: 'ABC> <D'}\n", "agents.rio.id"),
    ],
)
def test_text_that_reaches_commits_is_one_safe_line(vault: Path, text: str, key: str) -> None:
    assert f": {key} " in refused(vault, text)


def test_a_good_configuration_loads(vault: Path) -> None:
    loaded = load(
        vault,
        "version: 1\ndomain_roots: [domains]\ndomains: {extra: notes/extra}\nmaps: {file_name: _index.md, extra: ['maps/*.md']}\n"
        "agents:\n  rio: {name: Rio, id: 2ea8dbcb-a29b-43e8-b726-45e571a1f3c8}\nagent: rio\n"
        "types:\n  claim:\n    folder: 'domains/{domain}'\n    fields:\n      confidence: {required: true, enum: [a, b]}\n      domain: {enum: domains}\n",
    )
    assert loaded.map_file_name == "_index.md" and loaded.data["agent"] == "rio"


BILLION_LAUGHS = "".join(
    [
        "unknown_key: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
        *(f"k{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
    ]
)


def test_anchors_and_aliases_are_refused_before_they_expand(vault: Path) -> None:
    started = time.monotonic()
    message = refused(vault, BILLION_LAUGHS)
    assert ".codex.yaml:1: invalid YAML: anchors and aliases" in message
    assert time.monotonic() - started < 5  # a hang would be minutes and gigabytes


def test_an_alias_of_a_scalar_is_refused_too(vault: Path) -> None:
    assert "anchors and aliases" in refused(vault, "agent: &x rio\ndomain_values: [*x]\n")


def test_the_size_is_capped(vault: Path) -> None:
    big = "# " + "x" * 100 + "\n"
    message = refused(vault, "domain_roots: [domains]\n" + big * (config.MAX_CONFIG_BYTES // len(big) + 1))
    assert "the limit is 262144" in message or "larger than the limit" in message


def test_a_symlinked_configuration_is_refused(vault: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (vault / ".codex.yaml").symlink_to(secret)
    with pytest.raises(ConfigError) as caught:
        config.load(vault)
    assert caught.value.message == ".codex.yaml: is a symbolic link; codex reads only a regular file here"
    assert "root:x" not in caught.value.message


def test_a_fifo_configuration_is_refused_without_blocking(vault: Path) -> None:
    os.mkfifo(vault / ".codex.yaml")
    with pytest.raises(ConfigError, match="not a regular file"):
        config.load(vault)


def test_a_new_default_setting_is_typed_from_its_default() -> None:
    defaults = {**config.DEFAULTS, "commit": {**config.DEFAULTS["commit"], "base": "main"}, "flag": True}
    data = {**defaults, "commit": {**defaults["commit"], "base": 3}, "flag": "yes"}
    assert validate(data, defaults) == [("commit.base", "must be text, not a number (3)"), ("flag", "must be true or false, not text")]


def test_linked_domain_roots_and_domain_folders_are_not_domains(vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "stolen").mkdir(parents=True)
    (vault / "domains" / "ai").mkdir(parents=True)
    (vault / "domains" / "evil").symlink_to(outside)
    (vault / "core").symlink_to(outside)
    assert config.load(vault).domains == {"ai": "domains/ai"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("review:\n  trailer_exempt:\n    - subject: '(a'\n", ".codex.yaml:3: review.trailer_exempt.0.subject '(a' is not a pattern RE2 accepts"),
        ("review:\n  trailer_exempt:\n    - author: '(?=x)'\n", "review.trailer_exempt.0.author '(?=x)' is not a pattern RE2 accepts"),
        ("review:\n  trailer_exempt:\n    - subject: '" + "x" * 201 + "'\n", "is longer than 200 characters"),
        ("review:\n  trailer_exempt:\n    - why: everything\n", "review.trailer_exempt.0 must name a `subject` or an `author` pattern"),
        ("review:\n  trailer_exempt:\n    - {subject: '^x', path: y}\n", "review.trailer_exempt.0.path is not a known setting"),
        ("review:\n  trailer_exempt: '^Auto'\n", "review.trailer_exempt must be a list of {subject, author, why} rules, not text"),
        ("review:\n  trailer_exempt:\n    - {subject: '^x', why: \"a\\nPentagon-Agent: x\"}\n", "review.trailer_exempt.0.why must be one line"),
    ],
)
def test_trailer_exemptions_are_typed_and_their_patterns_safe(vault: Path, text: str, expected: str) -> None:
    assert expected in refused(vault, text)


def test_trailer_exemptions_load(vault: Path) -> None:
    loaded = load(vault, "review:\n  trailer_exempt:\n    - {subject: '^(Auto|Sync): ', author: 'bot@', why: the sync bot}\n")
    assert loaded.review["trailer_exempt"] == [{"subject": "^(Auto|Sync): ", "author": "bot@", "why": "the sync bot"}]
    assert load(vault, "review:\n  trailer_exempt: []\n").review["trailer_exempt"] == []
