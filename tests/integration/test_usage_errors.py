"""Bad flags and arguments are errors like any other: `codex: error: …`, a usage hint, exit 2."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run


def test_an_unknown_flag_says_it_as_every_error_does(tmp_path: Path) -> None:
    """click printed `Usage: …`, `Try …` and `Error: No such option: --bogus` (docs say `codex: error:`)."""
    result = run(["new", "claim", "--bogus"], cwd=tmp_path)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "codex: error: no such option: --bogus (Possible options: --base, --body)",
        "hint: usage: codex new claim [OPTIONS] [TITLE] (`codex new claim -h` for help)",
    ]


def test_other_usage_errors_read_the_same(tmp_path: Path) -> None:
    missing = run(["new", "claim", "--domain"], cwd=tmp_path)
    assert missing.code == 2 and missing.stderr == "codex: error: option '--domain' requires an argument\n"
    typo = run(["chek"], cwd=tmp_path)
    assert typo.code == 2 and typo.stderr.startswith("codex: error: no such command 'chek'. Did you mean 'check'?\n")
    bad = run(["link", "x", "--limit", "0"], cwd=tmp_path)
    assert bad.code == 2 and bad.stderr.startswith("codex: error: invalid value for '--limit': 0 is not in the range x>=1\n")


def test_no_command_still_prints_the_help(tmp_path: Path) -> None:
    result = run([], cwd=tmp_path)
    assert result.code == 2 and result.stderr.startswith("Usage: codex [OPTIONS] COMMAND [ARGS]...")


def test_a_missing_input_names_the_help_of_its_command(vault: Path) -> None:
    """`hint: see --help` left the user to work out whose help (`codex --help` lists commands only)."""
    from tests.integration.new_vault import make_vault

    make_vault(vault)
    result = run(["--no-input", "new", "claim", "markets price outcomes better than panels"], cwd=vault)
    assert result.code == 2 and result.stderr.splitlines()[-1] == "hint: `codex new claim -h` says what each one takes"
