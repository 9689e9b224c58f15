from __future__ import annotations

from pathlib import Path

from codex_cli.cli.reference import render

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_command_reference_matches_the_cli() -> None:
    expected = render()
    current = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert current == expected, "docs/commands.md is stale: run `python -m codex_cli.cli.reference > docs/commands.md`"


def test_every_documented_exit_code_is_in_the_table() -> None:
    from codex_cli.errors import ExitCode

    text = (DOCS / "exit-codes.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in text, code


def test_every_option_value_has_a_name() -> None:
    """typer shows `--domain <str>` for an option without a metavar: say what the value is."""
    import re

    assert re.findall(r"--[a-z-]+ <[a-z ]+>", render()) == []


def test_help_lists_commands_in_the_order_of_the_work() -> None:
    """typer listed single commands first and the groups last: `new`, the commonest, came tenth."""
    from tests.helpers import run

    lines = run(["--help"]).stdout.split("Commands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert names[:4] == ["init", "new", "source", "extract"] and names[-2:] == ["check", "review"]


def test_the_readme_links_every_doc() -> None:
    """The README listed five of the thirteen docs: new.md, link.md, extract.md… were found only by accident."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in sorted(DOCS.glob("*.md")) if f"(docs/{p.name})" not in readme] == []


def test_every_writing_command_takes_yes() -> None:
    """An agent passing --yes to each writing command got `no such option` from map add, map remove, enrich, source start…"""
    sections = render().split("\n## ")[1:]
    writing = [s for s in sections if "--commit / --no-commit" in s]
    assert len(writing) >= 15 and [s.split("`")[1] for s in writing if "-y, --yes" not in s] == []


def test_usage_lines_do_not_brace_required_arguments() -> None:
    """typer wrote `codex rename [OPTIONS] {NOTE} [NEW_TITLE]`: braces read as a set of choices."""
    usages = [line for line in render().splitlines() if line.startswith("Usage: ")]
    assert "Usage: codex rename [OPTIONS] NOTE [NEW_TITLE]" in usages and [u for u in usages if "{" in u] == []


def test_command_lists_are_not_cut_short() -> None:
    """click cut long first sentences at the screen's width: "Create a knowledge base: schemas, a domain with its map,..."."""
    lists = render().split("Commands:\n")[1:]
    entries = [line for block in lists for line in block.split("\n\n")[0].splitlines()]
    assert len(entries) >= 25 and [e for e in entries if e.rstrip().endswith("...")] == []
