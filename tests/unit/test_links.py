from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core.links import code_ranges, malformed_links, parse_links, render


def targets(text: str) -> list[str]:
    return [link.target for link in parse_links(text)]


def test_every_link_form() -> None:
    text = "a [[one]] b [[two|alias]] c [[three#Head]] d [[four#Head|alias]] e ![[five]] f [[#own]]"
    links = parse_links(text)
    assert [(link.target, link.heading, link.alias, link.embed) for link in links] == [
        ("one", None, None, False),
        ("two", None, "alias", False),
        ("three", "Head", None, False),
        ("four", "Head", "alias", False),
        ("five", None, None, True),
        ("", "own", None, False),
    ]


def test_spans_are_exact() -> None:
    text = "x ![[dir/target.md#h|a]] y"
    (link,) = parse_links(text)
    assert text[link.start : link.end] == "![[dir/target.md#h|a]]"
    assert text[link.target_start : link.target_end] == "dir/target.md"
    assert link.line == 1


def test_line_numbers() -> None:
    text = "one\ntwo [[a]]\n\nfour [[b]]\n"
    assert [link.line for link in parse_links(text)] == [2, 4]


def test_code_is_not_a_link() -> None:
    text = (
        "real [[a]] and `[[not inline]]` and ``x [[not double]] y``\n"
        "```\n[[not fenced]]\n```\n"
        "~~~~md\n[[not tilde]]\n~~~\nstill code [[c]]\n~~~~\n"
        "after [[b]]\n"
    )
    assert targets(text) == ["a", "b"]


def test_unclosed_fence_runs_to_the_end() -> None:
    assert targets("[[a]]\n```\n[[b]]\n") == ["a"]


def test_unmatched_backtick_is_literal() -> None:
    assert targets("a ` b [[c]]") == ["c"]


def test_inline_code_stops_at_a_blank_line() -> None:
    assert targets("a `b\n\n[[c]] d` e") == ["c"]


def test_links_do_not_cross_lines() -> None:
    assert targets("[[a\nb]]") == []
    assert malformed_links("[[a\nb]]") == [0]


def test_malformed_and_extra_brackets() -> None:
    assert targets("[[]] and [[a]]]") == ["", "a"]
    assert malformed_links("[[a]]] and [[b") == [11]
    assert malformed_links("`[[in code`") == []


def test_code_ranges_cover_fences() -> None:
    text = "a\n```py\nx\n```\nb"
    assert code_ranges(text) == [(2, 13)]


def test_render_round_trip() -> None:
    for text in ["[[a]]", "[[a|b]]", "[[a#h]]", "[[a#h|b]]", "![[a]]"]:
        (link,) = parse_links(text)
        assert render(link.target, link.heading, link.alias, link.embed) == text


_part = st.text(alphabet=st.characters(blacklist_characters="[]|#\n`~", blacklist_categories=("Cs",)), min_size=1, max_size=15)


@settings(max_examples=200, deadline=None)
@given(_part, st.none() | _part, st.none() | _part, st.booleans(), _part, _part)
def test_rendered_links_parse_back(target: str, heading: str | None, alias: str | None, embed: bool, before: str, after: str) -> None:
    text = before + " " + render(target, heading, alias, embed) + " " + after
    links = parse_links(text)
    assert len(links) == 1
    (link,) = links
    assert (link.target, link.heading, link.alias, link.embed) == (target, heading, alias, embed)
    assert text[link.target_start : link.target_end] == target
