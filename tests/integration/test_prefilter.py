"""adapters.grep: the prefilter a rename reads its candidates from, and the search started early."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_cli.adapters import grep
from tests.helpers import git, git_init, run, write_vault

TITLE = "markets beat votes"


def _vault(root: Path, *, in_git: bool = True) -> dict[str, str]:
    files = {f"d/n{i:03}.md": (f"see [[{TITLE.upper()}]]\n" if i % 3 == 0 else "nothing here\n") for i in range(900)}
    files[f"d/{TITLE}.md"] = f"# {TITLE}\n"
    write_vault(root, files)
    if in_git:
        git_init(root)
    return files


@pytest.mark.parametrize("in_git", [True, False])
def test_stream_gives_every_note_that_mentions_the_title_once(vault: Path, in_git: bool) -> None:
    files = _vault(vault, in_git=in_git)
    write_vault(vault, {"untracked.md": f"[[{TITLE}]]\n", "d/untracked elsewhere.md": "no\n"})
    paths = {**dict.fromkeys(files), "untracked.md": None, "d/untracked elsewhere.md": None}
    found = list(grep.Search(vault, TITLE).stream(paths))
    expected = {p for p, text in files.items() if TITLE in text.lower()} | {"untracked.md"}
    assert len(found) == len(set(found)) and set(found) == expected


def test_only_the_paths_asked_about_are_given(vault: Path) -> None:
    _vault(vault)
    wanted = {"d/n000.md", "d/n001.md"}
    assert grep.files_mentioning(vault, TITLE, wanted) == {"d/n000.md"}


def test_a_search_started_early_is_taken_once_when_it_matches(vault: Path) -> None:
    _vault(vault)
    grep.start_early(vault, TITLE)
    first = grep.search(vault, TITLE)
    assert grep.search(vault, TITLE) is not first  # taken: the next one is new
    first.cancel()
    grep.start_early(vault, "another title")
    other = grep.search(vault, TITLE)  # not the one started: a new search
    assert other.title == TITLE
    other.cancel()
    grep.drop_early()


def test_rename_takes_the_search_the_entry_point_started(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(vault)
    started: list[str] = []
    real = grep.Search.__init__

    def counting(self: grep.Search, root: Path, title: str) -> None:
        started.append(title)
        real(self, root, title)

    monkeypatch.setattr(grep.Search, "__init__", counting)
    result = run(["--json", "rename", TITLE.upper(), "markets aggregate information", "--yes"], cwd=vault)
    assert result.code == 0, result.stderr
    assert result.json()["links_rewritten"] == 300
    assert started == [TITLE.upper()]  # one search, started before typer parsed the command line
    assert grep._early is None
    assert git(vault, "status", "--porcelain").strip() == ""


def test_a_command_that_fails_stops_the_early_search(vault: Path) -> None:
    _vault(vault)
    result = run(["rename", TITLE, "bad/title", "--yes"], cwd=vault)
    assert result.code == 3
    assert grep._early is None


def test_when_git_grep_fails_every_note_is_read(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _vault(vault)
    real = grep._start

    def failing(root: Path, args: list[str], out: object = None) -> object:
        return real(root, ["grep", "--no-such-option"] if args[0] == "grep" else args, out)  # type: ignore[arg-type]

    monkeypatch.setattr(grep, "_start", failing)
    found = set(grep.Search(vault, TITLE).stream(dict.fromkeys(files)))
    assert found == {p for p, text in files.items() if TITLE in text.lower()}
