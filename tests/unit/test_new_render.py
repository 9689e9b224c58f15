"""`codex new` pieces without the CLI: the rendered claim parses back to what was given."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_cli.adapters import templates
from codex_cli.config import DEFAULTS
from codex_cli.core.note import ParseContext, parse_note
from codex_cli.core.text import loose_key
from codex_cli.core.titles import Title, clean_title
from codex_cli.errors import InvalidTitle, UsageError
from codex_cli.ops.new import source_handle
from codex_cli.ops.new_form import a_date, choice_of, one_line

CTX = ParseContext(frozenset(DEFAULTS["title_fields"]), DEFAULTS["types"], frozenset({"ai"}))


def render_claim(title: Title, description: str, source: str, body: str = "") -> str:
    from codex_cli.ops.new import yaml_quote

    context = {
        "title": title.text,
        "name": title.name,
        "domain": "ai",
        "description": description,
        "confidence": "likely",
        "source": source,
        "created": "2026-01-01",
        "body": body,
        "links": [],
        "topics": ["domains/ai/_map"],
        "yaml": {"description": yaml_quote(description), "source": yaml_quote(source)},
    }
    return templates.render("claim.md.j2", context, sub="notes")


text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_title=text, raw_description=text, raw_source=text)
def test_any_accepted_title_and_text_round_trip_through_the_template(raw_title: str, raw_description: str, raw_source: str) -> None:
    try:
        title = clean_title(raw_title)
        description = one_line("--description")(raw_description)
        source = one_line("--source")(raw_source)
    except (InvalidTitle, UsageError):
        return
    note = parse_note(f"domains/ai/{title.filename}", render_claim(title, description, source).encode(), CTX)
    assert note.problems == []
    assert note.meta is not None
    assert note.meta["description"] == description and note.meta["source"] == source
    assert note.h1 is not None and loose_key(note.h1) == loose_key(title.text)


@pytest.mark.parametrize(
    ("author", "handle"),
    [("@TheiaResearch (Felipe Montealegre, Theia Capital)", "theiaresearch"), ("Jane Q. Doe", "jane-q"), ("Ünïcode Person", "unicode-person")],
)
def test_source_handle(author: str, handle: str) -> None:
    assert source_handle(author) == handle


def test_validators_clean_or_refuse_with_the_flag() -> None:
    assert one_line("--source")("  a\n b\t c ") == "a b c"
    with pytest.raises(UsageError, match="--source is empty"):
        one_line("--source")("  \n")
    assert choice_of("--confidence", ["likely", "proven"])("LIKELY") == "likely"
    with pytest.raises(UsageError, match="not one of: likely, proven"):
        choice_of("--confidence", ["likely", "proven"])("sure")
    assert a_date("--date")("2024-02-29") == "2024-02-29"
    with pytest.raises(UsageError, match="not a date"):
        a_date("--date")("2026-02-00")


def test_the_note_on_characters_left_out_of_the_file_name_agrees_in_number() -> None:
    assert clean_title("why does it work? because it pays").notes == ("left ? out of the file name (the H1 keeps it)",)
    assert clean_title("what: it works? because it pays").notes == ("left : ? out of the file name (the H1 keeps them)",)


def test_a_value_off_by_a_typo_says_the_closest() -> None:
    check = choice_of("--domain", ["health", "internet-finance"])
    with pytest.raises(UsageError, match=r"is not one of: health, internet-finance; did you mean internet-finance\?$"):
        check("internet-financ")
    with pytest.raises(UsageError, match=r"is not one of: health, internet-finance$"):
        check("politics")
    assert check("Health") == "health"


def test_characters_between_words_leave_a_space_in_the_file_name() -> None:
    """`pass|fail markets…` was filed as `passfail markets…`, `a<b` as `ab`."""
    assert clean_title("pass|fail markets decide because prices aggregate").name == "pass fail markets decide because prices aggregate"
    assert clean_title("a<b comparisons fail because types differ").name == "a b comparisons fail because types differ"
    assert clean_title("markets don't lie: traders pay").name == "markets dont lie traders pay"  # the others just go
