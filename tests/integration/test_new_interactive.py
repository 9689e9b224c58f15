"""`codex new` at a (simulated) terminal: questionary driven through prompt_toolkit's pipe input.

Every keystroke for the whole session is sent up front; prompt_toolkit hands
what one prompt did not read to the next. The pipe is closed after the keys,
so a test that sends too few fails instead of waiting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Result, git, run, snapshot
from tests.integration.new_vault import ALIGNMENT, MARKETS, branch, head_files, make_vault

DOWN = "\x1b[B"
ENTER = "\r"
CTRL_C = "\x03"
TITLE = "futarchy markets price policy outcomes better than expert panels do"


@pytest.fixture(autouse=True)
def prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_FORCE_PROMPTS", "1")


def drive(vault: Path, args: list[str], keys: list[str]) -> Result:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        return run(args, cwd=vault)


def test_the_whole_claim_flow_by_prompts(vault: Path) -> None:
    make_vault(vault)
    keys = [
        TITLE + ENTER,  # title
        "Markets on outcomes beat panels in forecasting tournaments" + ENTER,  # description
        DOWN + ENTER,  # confidence: experimental is the default; one down is speculative
        "Hanson 2013" + ENTER,  # source
        ENTER,  # domain: the guessed default (ai), asked after what it is guessed from
        DOWN + DOWN + ENTER,  # body: skip
        " " + ENTER,  # links: tick the best proposal
        "the mechanism" + ENTER,  # its relation
        ENTER,  # map section: the best one
        ENTER,  # preview: write and commit
    ]
    result = drive(vault, ["new", "claim"], keys)
    assert result.code == 0, result.stderr
    path = f"domains/ai/{TITLE}.md"
    text = (vault / path).read_text()
    assert "confidence: speculative\n" in text and 'source: "Hanson 2013"\n' in text
    assert f"Relevant Notes:\n- [[{MARKETS}]] — the mechanism\n" in text
    assert f"- [[{TITLE}]] — Markets on outcomes beat panels" in (vault / "domains/ai/_map.md").read_text()
    assert head_files(vault) == sorted([path, "domains/ai/_map.md"])
    assert branch(vault).startswith("test-person/claims-futarchy-markets")
    assert run(["check", path], cwd=vault).code == 0


def test_a_bad_answer_is_asked_again_with_the_reason(vault: Path) -> None:
    make_vault(vault)
    keys = [
        "markets/panels" + ENTER,  # refused: a slash
        ALIGNMENT.upper() + ENTER,  # refused: exists
        "market design" + ENTER,  # a label: warned, and "keep it anyway?" no
        "n",
        TITLE + ENTER,
        ENTER,  # empty description: an answer is needed
        "Markets on outcomes beat panels" + ENTER,
        ENTER,
        "Hanson" + ENTER,
        ENTER,  # domain
        DOWN + DOWN + ENTER,
        ENTER,  # no links ticked
        ENTER,
        ENTER,
    ]
    result = drive(vault, ["new", "claim"], keys)
    assert result.code == 0, result.stderr
    assert "cannot contain `/`" in result.stderr
    assert "already exists: domains/ai/" in result.stderr
    assert "reads like a label" in result.stderr
    assert "--description is empty" in result.stderr
    assert (vault / f"domains/ai/{TITLE}.md").is_file()
    assert not (vault / "domains/ai/market design.md").exists()


def test_flags_fill_what_they_can_and_prompts_ask_the_rest(vault: Path) -> None:
    make_vault(vault)
    keys = ["Hanson" + ENTER, DOWN + DOWN + ENTER, ENTER]
    args = ["new", "claim", TITLE, "--domain", "ai", "--description", "Beats panels", "--confidence", "likely", "--no-map", "--link", MARKETS]
    result = drive(vault, [*args, "--no-commit"], keys)
    assert result.code == 0, result.stderr
    assert 'source: "Hanson"' in (vault / f"domains/ai/{TITLE}.md").read_text()


def test_ctrl_c_leaves_nothing_behind(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    head = git(vault, "rev-parse", "HEAD")
    result = drive(vault, ["new", "claim"], [TITLE + ENTER, ENTER, "half a descr", CTRL_C])
    assert result.code == 130
    assert result.stderr.endswith("codex: interrupted: nothing was written\n")  # one line, saying so
    assert snapshot(vault) == before
    assert git(vault, "rev-parse", "HEAD") == head and branch(vault) == "main"


def test_saying_no_at_the_preview_writes_nothing(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    args = ["new", "claim", TITLE, "--domain", "ai", "--description", "Beats panels", "--confidence", "likely", "--source", "s", "--body", "b"]
    result = drive(vault, args, [ENTER, ENTER, "n"])
    assert result.code == 3 and "declined at the prompt" in result.stderr
    assert f"+++ b/domains/ai/{TITLE}.md" in result.stderr  # the preview was shown
    assert snapshot(vault) == before and branch(vault) == "main"


def test_retire_at_a_terminal_shows_the_change_and_asks(vault: Path) -> None:
    make_vault(vault)
    before = snapshot(vault)
    declined = drive(vault, ["retire", MARKETS, "--reason", "superseded"], ["n"])
    assert declined.code == 3 and "declined" in declined.stderr
    assert "+status: retired" in declined.stdout  # the change was shown first
    assert snapshot(vault) == before
    accepted = drive(vault, ["retire", MARKETS, "--reason", "superseded"], [ENTER])
    assert accepted.code == 0, accepted.stderr
    assert "status: retired" in (vault / f"domains/ai/{MARKETS}.md").read_text()


def test_a_new_section_can_be_chosen_from_the_top_three(vault: Path) -> None:
    make_vault(vault)
    keys = [
        TITLE + ENTER,
        "Markets on outcomes beat panels in forecasting tournaments" + ENTER,
        ENTER,
        "Hanson 2013" + ENTER,
        ENTER,  # domain: the guess
        DOWN + DOWN + ENTER,  # body: skip
        ENTER,  # no links ticked
        DOWN + DOWN + ENTER,  # the map's two sections, then "new section…"
        "Forecasting" + ENTER,
        ENTER,  # write and commit
    ]
    result = drive(vault, ["new", "claim"], keys)
    assert result.code == 0, result.stderr
    assert f"## Forecasting\n- [[{TITLE}]]" in (vault / "domains/ai/_map.md").read_text()
