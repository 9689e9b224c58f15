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


def test_a_linked_state_folder_outside_git_is_refused_not_written_into(vault: Path, victim: Path) -> None:
    """Outside git the lock and the journal live in `<vault>/.codex`: a link there must not steer them elsewhere."""
    make_vault(vault, commit=False)
    (victim / "lock").write_text("someone else's file\n")
    (vault / ".codex").symlink_to(victim)
    before = snapshot(vault), snapshot(victim)
    result = new_claim(vault, "--agent", "rio")
    assert result.code == 3, result.stderr
    assert error_line(result.stderr) == "codex: error: refusing to write .codex/lock: it goes through a symbolic link (.codex is one); nothing was written"
    assert (snapshot(vault), snapshot(victim)) == before


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


# --- bad input: streams, encodings, titles -----------------------------------------------


def codex(vault: Path, shell: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`codex` as a separate process (its standard streams are the point), through `sh -c`."""
    command = shell.replace("codex ", f"{sys.executable} -m codex_cli ", 1)
    environment = {**os.environ, **env}
    return subprocess.run(["sh", "-c", command], cwd=vault, capture_output=True, text=True, timeout=120, env=environment)


def test_closed_stdout_is_one_line_and_nothing_is_done(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = codex(vault, f"codex --no-input new claim '{NEW}' {' '.join(repr(f) for f in FLAGS)} --yes >&-")
    assert result.returncode == 74, result.stderr
    assert result.stderr == "codex: error: standard output is closed; nothing was done (redirect it to a file or /dev/null)\n"
    assert snapshot(vault) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_for_the_output_is_one_line(vault: Path) -> None:
    make_vault(vault)
    result = codex(vault, "codex check > /dev/full")
    assert result.returncode == 74
    assert result.stderr == "codex: error: cannot write the output: No space left on device\n"


def test_closed_stdin_means_headless(vault: Path) -> None:
    make_vault(vault)
    result = codex(vault, "codex new claim 0<&-")
    assert result.returncode == 2
    assert result.stderr.startswith("codex: error: missing input (no terminal to ask): pass TITLE, ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["check"], ["rename", "MARKETS", "markets aggregate information", "--dry-run", "--yes"]])
def test_a_closed_pipe_ends_quietly_with_exit_0(vault: Path, args: list[str]) -> None:
    make_vault(vault)
    args = [MARKETS_TITLE if a == "MARKETS" else a for a in args]
    proc = subprocess.Popen([sys.executable, "-m", "codex_cli", *args], cwd=vault, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head` that has read enough: every write gets EPIPE
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "codex: error" not in stderr


MARKETS_TITLE = "markets beat votes for information aggregation because traders bet on what they know"


def test_an_ascii_output_encoding_never_crashes_after_the_commit(vault: Path) -> None:
    make_vault(vault)
    title = "café prices aggregate what ünïcode traders know"
    result = codex(vault, f"codex --no-input --json new claim '{title}' {' '.join(repr(f) for f in FLAGS)} --yes --agent rio", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    import json

    assert json.loads(result.stdout)["title"] == title
    assert git(vault, "log", "-1", "--format=%s").strip() == f"rio: add claim — {title}"


def test_a_title_with_a_byte_that_is_not_utf8_is_refused(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    result = subprocess.run(
        [sys.executable, "-m", "codex_cli", "--no-input", "new", "claim", b"bad \xff title".decode("utf-8", "surrogateescape"), *FLAGS, "--yes"],
        cwd=vault, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines()[0] == "codex: error: invalid title: the title is not valid UTF-8 (a byte such as \\xff that is no character)"
    assert snapshot(vault) == before


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("notes ending in.md", "cannot end in `.md`"),
        ("notes ending in.MD", "cannot end in `.md`"),
        ("what is at stake.", "cannot end with `.`"),
        ("markets \u202egnitov\u202c beat votes", "bidirectional control (U+202E)"),
        ("markets beat\u2066 votes", "bidirectional control (U+2066)"),
        ("markets beat\u200f votes", "bidirectional control (U+200F)"),
        ("markets beat\u200b votes", "invisible character (U+200B"),
        ("markets\ufeff beat votes", "invisible character (U+FEFF"),
        ("markets\u2060 beat votes", "invisible character (U+2060"),
        ("markets\u2028beat votes", "control characters"),
        ("CON", "reserved device name"),
        ("nul.txt", "reserved device name"),
        ("Com1", "reserved device name"),
        ("lpt9.tar.gz", "reserved device name"),
    ],
)
def test_the_one_title_validator_refuses_names_that_break_links_or_deceive(vault: Path, title: str, why: str) -> None:
    make_vault(vault)
    before = snapshot(vault)
    created = run(["--no-input", "new", "claim", title, *FLAGS, "--yes"], cwd=vault)
    assert created.code == 3 and why in error_line(created.stderr), created.stderr
    renamed = run(["--no-input", "rename", MARKETS_TITLE, title, "--yes"], cwd=vault)
    assert renamed.code == 3 and why in error_line(renamed.stderr), renamed.stderr
    assert snapshot(vault) == before


def test_titles_that_only_look_reserved_are_fine() -> None:
    from codex_cli.core.titles import clean_title

    for title in ("Con artists exploit trust because marks want to believe", "console logs lie", "auxiliary markets help", "the .md format wins"):
        assert clean_title(title).name == title


# --- git identity -----------------------------------------------------------------------


def test_no_git_identity_is_refused_before_anything_is_written(vault: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_vault(vault)
    empty = vault.parent / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("EMAIL", "")
    monkeypatch.delenv("EMAIL")
    before = state(vault, victim)
    result = new_claim(vault, "--agent", "rio")
    assert result.code == 4, result.stderr
    assert error_line(result.stderr).startswith("codex: error: git has no identity to commit with (user.name and user.email); nothing was written")
    assert "hint: tell git who you are: git config user.name" in result.stderr
    assert state(vault, victim) == before
    assert "codex-cli@localhost" not in git(vault, "log", "--all", "--format=%ae %ce")
    # --no-commit needs no identity; GIT_AUTHOR_*/GIT_COMMITTER_* are enough to commit
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Agent Rio")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "rio@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Agent Rio")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "rio@example.org")
    assert new_claim(vault, "--agent", "rio").code == 0
    assert git(vault, "log", "-1", "--format=%ae %ce").strip() == "rio@example.org rio@example.org"


def test_a_why_with_line_breaks_cannot_forge_a_trailer(vault: Path) -> None:
    make_vault(vault)
    result = new_claim(vault, "--agent", "rio", "--why", "because\n\nPentagon-Agent: Forged <1>\r\nReviewed-by: nobody")
    assert result.code == 0, result.stderr
    message = git(vault, "log", "-1", "--format=%B")
    assert "- Why: because Pentagon-Agent: Forged <1> Reviewed-by: nobody" in message
    assert trailers(vault) == ["Pentagon-Agent: Rio <HEADLESS>"]
    assert git(vault, "log", "-1", "--format=%(trailers:key=Pentagon-Agent,valueonly)").strip() == "Rio <HEADLESS>"
