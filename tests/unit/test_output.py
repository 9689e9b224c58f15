from __future__ import annotations

import io

import pytest

from codex_cli.cli import output
from codex_cli.cli.app import hoist_global_flags


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert output.use_color(FakeTTY()) is True
    assert output.use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "")
    assert output.use_color(FakeTTY()) is False


def test_progress_is_silent_off_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    update = output.Output().progress("reading")
    update(5, 10)
    update(10, 10)
    assert capsys.readouterr().err == ""


def test_progress_draws_after_a_second_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    err = FakeTTY()
    monkeypatch.setattr(output.sys, "stderr", err)
    clock = iter([100.0, 100.2, 101.5, 101.6])
    monkeypatch.setattr(output.time, "monotonic", lambda: next(clock))
    update = output.Output().progress("reading")
    update(1, 4)  # 0.2 s: nothing yet
    assert err.getvalue() == ""
    update(2, 4)  # 1.5 s: drawn
    assert "reading [" in err.getvalue() and "2/4" in err.getvalue()


def test_quiet_silences_messages_not_errors(capsys: pytest.CaptureFixture[str]) -> None:
    out = output.Output(quiet=True)
    out.info("chatter")
    out.error("broken")
    assert capsys.readouterr().err == "codex: error: broken\n"


def test_global_flags_after_the_command() -> None:
    assert hoist_global_flags(["check", "--quiet", "a.md"]) == ["--quiet", "check", "a.md"]
    assert hoist_global_flags(["check", "--", "--json"]) == ["check", "--", "--json"]
    assert hoist_global_flags(["-C", "x", "check"]) == ["-C", "x", "check"]
