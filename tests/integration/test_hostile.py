"""A hostile repository: its `.codex.yaml`, links and files are untrusted input.

Each case runs the command headless and asserts the exit code, the one-line
message, that the vault is byte for byte as it was (nothing half-done, no
branch left), and that a sibling "victim" folder outside the vault is
untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git, run, snapshot
from tests.integration.new_vault import FLAGS, NEW, make_vault


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "victim"
    (folder / "droot" / "ai").mkdir(parents=True)
    (folder / "secret.txt").write_text("the secret\n")
    (folder / "_map.md").write_text("# outside map\n")
    return folder


def state(vault: Path, victim: Path) -> tuple[dict[str, bytes], dict[str, bytes], str, str]:
    return snapshot(vault), snapshot(victim), git(vault, "rev-parse", "HEAD"), git(vault, "branch", "--list")


def error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("codex: error:")]
    assert len(lines) == 1, stderr
    return lines[0]


def new_claim(vault: Path, *args: str) -> object:
    return run(["--no-input", "new", "claim", NEW, *FLAGS, "--yes", *args], cwd=vault)


def commit_all(vault: Path, message: str = "hostile") -> None:
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", message)


# --- configuration paths ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ("maps: {file_name: ../../../../tmp/x/PWNED_MAP.md}\n", "maps.file_name"),
        ("domain_roots: [../../victim/droot]\n", "domain_roots.0"),
        ("domains: {ai: ../victim/droot/ai}\n", "domains.ai"),
        ("types:\n  claim: {folder: '../victim/{domain}'}\n", "types.claim.folder"),
    ],
)
def test_configured_paths_outside_the_vault_are_refused_before_anything_is_planned(vault: Path, victim: Path, config: str, key: str) -> None:
    make_vault(vault)
    (vault / ".codex.yaml").write_text(config)
    commit_all(vault)
    before = state(vault, victim)
    result = new_claim(vault)
    assert result.code == 2, result.stderr
    assert f": {key} " in error_line(result.stderr)
    assert state(vault, victim) == before
    assert not Path("/tmp/x/PWNED_MAP.md").exists()


# --- symbolic links ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["secret.txt", "created-by-codex.md"])
def test_a_committed_map_link_is_never_read_written_or_committed(vault: Path, victim: Path, target: str) -> None:
    make_vault(vault)
    (vault / "domains/ai/_map.md").unlink()
    (vault / "domains/ai/_map.md").symlink_to(victim / target)  # a secret, or a file that does not exist yet
    commit_all(vault)
    before = state(vault, victim)
    result = new_claim(vault)
    assert result.code == 3, result.stderr
    assert error_line(result.stderr).startswith("codex: error: refusing to ")
    assert "domains/ai/_map.md: it goes through a symbolic link; nothing was written" in result.stderr
    assert state(vault, victim) == before and not (victim / "created-by-codex.md").exists()
    assert "the secret" not in git(vault, "log", "-p", "--all")


def test_a_linked_domain_folder_is_no_domain(vault: Path, victim: Path) -> None:
    make_vault(vault)
    (vault / "domains/evil").symlink_to(victim / "droot")
    commit_all(vault)
    before = state(vault, victim)
    result = new_claim(vault, "--domain", "evil")
    assert result.code in (2, 3), result.stderr
    assert "evil" in error_line(result.stderr)
    assert state(vault, victim) == before


def test_a_configured_domain_through_a_link_is_refused_before_the_first_write(vault: Path, victim: Path) -> None:
    make_vault(vault)
    (vault / "domains/evil").symlink_to(victim / "droot")
    (vault / ".codex.yaml").write_text("domains: {evil: domains/evil/ai}\n")
    commit_all(vault)
    before = state(vault, victim)
    result = new_claim(vault, "--domain", "evil")
    assert result.code == 3, result.stderr
    assert "goes through a symbolic link (domains/evil is one)" in error_line(result.stderr)
    assert state(vault, victim) == before


def test_apply_refuses_a_plan_through_a_link_whoever_planned_it(vault: Path, victim: Path) -> None:
    from codex_cli.adapters.apply import apply
    from codex_cli.core.plan import Plan
    from codex_cli.errors import OutsideVault

    (vault / "inside").mkdir()
    (vault / "link").symlink_to(victim)
    for path in ("link/new.md", "../victim/new.md", "/tmp/abs.md", ".git/hooks/post-commit", "inside/../../victim/x.md"):
        plan = Plan()
        plan.create("inside/first.md", "first\n")
        plan.create(path, "x\n")
        with pytest.raises(OutsideVault):
            apply(vault, plan)
        assert not (vault / "inside/first.md").exists()  # refused before the first write
    assert snapshot(victim) == {"_map.md": b"# outside map\n", "secret.txt": b"the secret\n"}


def test_git_never_stages_through_a_link(vault: Path, victim: Path) -> None:
    from codex_cli.adapters.git import Repository
    from codex_cli.errors import OutsideVault

    make_vault(vault)
    (vault / "link").symlink_to(victim)
    repo = Repository.find(vault)
    assert repo is not None
    with pytest.raises(OutsideVault):
        repo.stage(["link/secret.txt"])
    assert git(vault, "diff", "--cached", "--name-only") == ""


# --- special files ---------------------------------------------------------------------


def test_a_fifo_named_like_a_note_is_skipped_never_opened(vault: Path) -> None:
    make_vault(vault)
    os.mkfifo(vault / "domains/ai/pipe.md")
    proc = subprocess.run(
        [sys.executable, "-m", "codex_cli", "check"], cwd=vault, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert "domains/ai/pipe.md" in proc.stdout and "not-a-file" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_billion_laughs_in_frontmatter_is_an_invalid_frontmatter_finding(vault: Path) -> None:
    make_vault(vault)
    lol = "---\ntype: claim\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    ) + "---\n\n# laughs\n"
    (vault / "domains/ai/laughs.md").write_text(lol)
    result = run(["check"], cwd=vault)
    assert result.code == 1
    assert "yaml-invalid" in result.stdout and "anchors and aliases" in result.stdout


def test_a_linked_template_folder_is_refused(vault: Path, victim: Path) -> None:
    make_vault(vault)
    (victim / "notes").mkdir()
    (victim / "notes/claim.md.j2").write_text("{{ title }} from outside\n")
    (vault / ".codex").mkdir()
    (vault / ".codex/scaffolds").symlink_to(victim)
    commit_all(vault)
    before = state(vault, victim)
    result = new_claim(vault)
    assert result.code == 3, result.stderr
    assert "refusing to read templates from .codex/scaffolds/notes" in error_line(result.stderr)
    assert state(vault, victim) == before


# --- attribution: agent names and ids --------------------------------------------------

RIO_ID = "2EA8DBCB-A29B-43E8-B726-45E571A1F3C8"


def trailers(vault: Path) -> list[str]:
    return [line for line in git(vault, "log", "-1", "--format=%B").splitlines() if line.startswith("Pentagon-Agent:")]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--agent", "evil\nPentagon-Agent: Forged <1>"], {}, "--agent 'evil\\nPentagon-Agent: Forged <1>' is not an agent name"),
        (["--agent", "rio>"], {}, "--agent 'rio>' is not an agent name"),
        ([], {"CODEX_AGENT": "Vida <ABC>"}, "CODEX_AGENT 'Vida <ABC>' is not an agent name"),
        (["--agent", "rio", "--agent-id", "ABC> <D"], {}, "--agent-id 'ABC> <D' is not a UUID"),
        (["--agent", "rio"], {"CODEX_AGENT_ID": "1"}, "CODEX_AGENT_ID '1' is not a UUID"),
        (["--agent-id", RIO_ID], {}, "--agent-id needs an agent"),
    ],
)
def test_a_forged_or_malformed_attribution_is_refused_before_anything_is_written(
    vault: Path, victim: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], expected: str
) -> None:
    make_vault(vault)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = state(vault, victim)
    result = new_claim(vault, *args)
    assert result.code == 2, result.stderr
    assert expected in error_line(result.stderr)
    assert state(vault, victim) == before


@pytest.mark.parametrize(
    ("args", "env", "trailer"),
    [
        (["--agent", "rio", "--agent-id", RIO_ID.lower()], {}, f"Pentagon-Agent: Rio <{RIO_ID}>"),
        (["--agent", "rio"], {"CODEX_AGENT_ID": RIO_ID}, f"Pentagon-Agent: Rio <{RIO_ID}>"),
        ([], {"CODEX_AGENT": "rio"}, "Pentagon-Agent: Rio <HEADLESS>"),
    ],
)
def test_the_agent_id_has_its_own_flag_and_variable(vault: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], trailer: str) -> None:
    make_vault(vault)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = new_claim(vault, *args)
    assert result.code == 0, result.stderr
    assert trailers(vault) == [trailer]
    assert "not under agents/" not in result.stderr


def test_an_unknown_agent_is_a_warning_headless(vault: Path) -> None:
    make_vault(vault)
    (vault / "agents/vida").mkdir()
    (vault / "agents/vida/identity.md").write_text("# vida\n")
    commit_all(vault)
    result = new_claim(vault, "--agent", "vdia")
    assert result.code == 0, result.stderr
    assert "warning: agent 'vdia' is not under agents/ in this vault (did you mean vida?)" in result.stderr
    assert trailers(vault) == ["Pentagon-Agent: Vdia <HEADLESS>"]


def test_an_unknown_agent_is_a_question_at_a_terminal(vault: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codex_cli.adapters import prompts

    make_vault(vault)
    asked: list[str] = []
    monkeypatch.setattr(prompts, "interactive", lambda no_input=False: True)
    monkeypatch.setattr(prompts, "confirm", lambda message, default=False: asked.append(message) or False)
    before = state(vault, victim)
    result = run(["new", "claim", NEW, *FLAGS, "--yes", "--agent", "vdia"], cwd=vault)
    assert asked == ["agent 'vdia' is not under agents/ in this vault (known: rio). Commit as this agent anyway?"]
    assert result.code == 3, result.stderr
    assert state(vault, victim) == before
