"""The checkbox `codex link NOTE` shows at a terminal."""

from __future__ import annotations

from codex_cli.cli.link import link_choices
from codex_cli.core.matcher import Suggestion


def _s(path: str, why: str = "shares markets") -> Suggestion:
    return Suggestion(path.rpartition("/")[2].removesuffix(".md"), path, 0.5, why)


def test_copies_of_one_title_in_two_folders_read_differently() -> None:
    """The sample holds claims copied into core/ and domains/: both were proposed as two identical lines."""
    title = "futarchy is manipulation-resistant because attack attempts create profitable opportunities for defenders"
    choices = link_choices([_s(f"core/mechanisms/{title}.md"), _s(f"domains/internet-finance/{title}.md"), _s("domains/x/other claim.md")], 200)
    labels = [c.title for c in choices]
    assert labels[0] == f"{title}  (core/mechanisms/)" and labels[1] == f"{title}  (domains/internet-finance/)"
    assert labels[2] == "other claim"
    assert choices[0].description == f"core/mechanisms/{title}.md: shares markets"
    assert [c.value for c in choices] == [f"core/mechanisms/{title}.md", f"domains/internet-finance/{title}.md", "domains/x/other claim.md"]


def test_a_long_title_is_cut_to_the_width_keeping_its_folder() -> None:
    long = "a claim " * 20
    choices = link_choices([_s(f"a/{long.strip()}.md"), _s(f"b/{long.strip()}.md")], 60)
    assert all(len(c.title or "") <= 60 and (c.title or "").endswith("/)") for c in choices)
