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


def test_with_json_every_failure_is_one_json_document_on_stdout(tmp_path: Path) -> None:
    """An agent parses stdout: an error says there what stderr says, with the exit code."""
    import json

    unknown = run(["--json", "check", "--bogus"], cwd=tmp_path)
    assert unknown.code == 2 and json.loads(unknown.stdout)["error"]["type"] == "usage_error"
    assert "no such option: --bogus" in json.loads(unknown.stdout)["error"]["message"]
    vault = tmp_path / "kb"
    assert run(["init", str(vault)], cwd=tmp_path).code == 0
    missing = run(["--no-input", "new", "claim", "--json"], cwd=vault)
    doc = json.loads(missing.stdout)["error"]
    assert missing.code == 2 and doc["exit_code"] == 2 and doc["type"] == "missing_input"
    assert "TITLE" in doc["flags"] and "--domain" in doc["flags"] and doc["hint"]
    absent = run(["--json", "rename", "no such note", "a new title here", "--yes"], cwd=vault)
    assert absent.code == 3 and json.loads(absent.stdout) == {
        "error": {"exit_code": 3, "type": "not_found", "message": "not found: no such note", "hint": None}
    }
    # a command that produced its document adds none; without --json stdout stays empty
    report = run(["--json", "check"], cwd=vault)
    assert report.code == 0 and "error" not in json.loads(report.stdout)
    plain = run(["rename", "no such note", "x y z", "--yes"], cwd=vault)
    assert plain.code == 3 and plain.stdout == ""
