from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core import frontmatter as fm


def test_locate_plain_block() -> None:
    text = "---\ntype: claim\n---\n\n# Title\n"
    block = fm.locate(text)
    assert block is not None and block.closed
    assert text[block.start : block.end] == "type: claim\n"
    assert text[block.body_start :] == "\n# Title\n"


def test_locate_crlf_and_bom() -> None:
    text = "\ufeff---\r\ntype: claim\r\n---\r\nbody"
    block = fm.locate(text)
    assert block is not None and block.closed
    assert text[block.start : block.end] == "type: claim\r\n"
    assert fm.load(text[block.start : block.end]) == {"type": "claim"}


def test_locate_none_and_unclosed() -> None:
    assert fm.locate("# no frontmatter\n") is None
    assert fm.locate("--- not a fence\n") is None
    block = fm.locate("---\ntype: claim\nno end\n")
    assert block is not None and not block.closed


def test_empty_frontmatter() -> None:
    text = "---\n---\nbody"
    block = fm.locate(text)
    assert block is not None and block.closed
    assert fm.load(text[block.start : block.end]) == {}


def test_dates_stay_text_even_impossible_ones() -> None:
    assert fm.load("created: 2026-02-00\n") == {"created": "2026-02-00"}
    assert fm.load("created: 2026-02-17\nwhen: 2026-02-17 10:00:00\n") == {
        "created": "2026-02-17",
        "when": "2026-02-17 10:00:00",
    }


def test_invalid_yaml_raises_with_line() -> None:
    with pytest.raises(fm.FrontmatterError) as info:
        fm.load("type: claim\ndescription: one: two: [\n")
    assert "invalid YAML" in info.value.message
    assert info.value.line == 2


def test_no_object_construction() -> None:
    with pytest.raises(fm.FrontmatterError):
        fm.load("x: !!python/object/apply:os.system ['true']\n")


def test_non_mapping_is_an_error() -> None:
    with pytest.raises(fm.FrontmatterError):
        fm.load("- a\n- b\n")


def test_value_spans_block_flow_and_quotes() -> None:
    text = (
        "---\n"
        "type: claim\n"
        "depends_on:\n"
        '  - "first title"\n'
        "  - second title.md\n"
        "challenged_by: ['third', \"esc\\\"aped\"]\n"
        "---\nbody\n"
    )
    block = fm.locate(text)
    assert block is not None
    spans = fm.value_spans(text, block, {"depends_on", "challenged_by"})
    assert [(s.field, s.value, s.exact, s.flow) for s in spans] == [
        ("depends_on", "first title", True, False),
        ("depends_on", "second title.md", True, False),
        ("challenged_by", "third", True, True),
        ("challenged_by", 'esc"aped', False, True),
    ]
    for s in spans[:3]:
        assert text[s.start : s.end] == s.value
    assert text[spans[3].start : spans[3].end] == '"esc\\"aped"'


def test_quote_for_keeps_style() -> None:
    assert fm.quote_for("'", "new title", False) == "'new title'"
    assert fm.quote_for('"', 'say "hi"', False) == '"say \\"hi\\""'
    assert fm.quote_for("", "plain words", False) == "plain words"
    assert fm.quote_for("", "a: b", False) == '"a: b"'
    assert fm.quote_for("", "x, y", True) == '"x, y"'


# --- the fast path agrees with libyaml wherever it answers -------------------------

_word = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzé -_:#'\"[],.0123456789\r\x85\u2028\t"), min_size=1, max_size=20)
_key = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True)


_trail = st.sampled_from(["", "", " ", "\t", "  ", " \r", "\r"])


@st.composite
def _simple_yaml(draw: st.DrawFn) -> str:
    """Frontmatter near the fast path's subset: trailing blanks, CR, comments, odd indents."""
    lines = []
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    for k in draw(st.lists(_key, min_size=1, max_size=6, unique=True)):
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["# a comment", "", "#", "  # indented comment", "   ", "# a\rb: c", "\r"])))
        if draw(st.booleans()):
            items = draw(st.lists(_word, min_size=0, max_size=3))
            lines.append(f"{k}:{draw(_trail)}")
            indent = draw(st.sampled_from(["  ", "  ", "", "    ", "\t"]))
            for item in items:
                quote = draw(st.sampled_from(["", '"', "'"]))
                lines.append(f"{indent}- {quote}{item}{quote}{draw(_trail)}")
        else:
            quote = draw(st.sampled_from(["", '"', "'"]))
            gap = draw(st.sampled_from([" ", " ", "  ", "\t", ""]))
            lines.append(f"{k}:{gap}{quote}{draw(_word)}{quote}{draw(_trail)}")
    return newline.join(lines) + newline


@settings(max_examples=600, deadline=None)
@given(_simple_yaml())
def test_fast_path_matches_libyaml(text: str) -> None:
    fast = fm._fast_load(text)
    if fast is None:
        return  # libyaml answers these
    try:
        expected = yaml.load(text, Loader=fm.loader())  # noqa: S506
    except yaml.YAMLError:
        pytest.fail(f"fast path accepted invalid YAML: {text!r}")
    assert fast == expected
    wrapped = "---\n" + text + "---\n"
    block = fm.locate(wrapped)
    assert block is not None
    fields = set(fast)
    spans = fm._fast_spans(wrapped, block, fields)
    assert spans is not None
    assert [(s.field, s.value, s.start, s.end) for s in spans] == [
        (s.field, s.value, s.start, s.end) for s in fm._composed_spans(wrapped, block, fields)
    ]


def test_fast_path_takes_typical_claim_frontmatter() -> None:
    text = (
        'description: "one sentence, with a comma"\n'
        "type: claim\n"
        "domain: ai-alignment\n"
        "created: 2026-02-17\n"
        "source: Tomasev et al (arXiv 2512.16856)\n"
        "confidence: experimental\n"
        "depends_on:\n"
        '  - "[[a claim title]]"\n'
    )
    assert fm._fast_load(text) == yaml.load(text, Loader=fm.loader())  # noqa: S506


def test_a_deeper_dash_continues_the_item_above_it() -> None:
    # YAML reads `    - bar` under `  - foo` as the scalar "foo - bar": the fast path must not say two items
    text = "a:\n  - foo\n    - bar\n"
    assert fm._fast_load(text) is None
    assert fm.load(text) == {"a": ["foo - bar"]}


def test_aliases_and_oversized_frontmatter_are_refused_not_expanded() -> None:
    import pytest

    from codex_cli.core.frontmatter import MAX_FRONTMATTER_CHARS, FrontmatterError, load

    with pytest.raises(FrontmatterError, match="anchors and aliases") as caught:
        load("type: claim\na: &a [x, x]\nb: [*a, *a]\n")
    assert caught.value.line == 2
    with pytest.raises(FrontmatterError, match="the limit is"):
        load("a: [" + "x, " * MAX_FRONTMATTER_CHARS + "]\n")
    assert load("title: 'a & b * c'\n") == {"title": "a & b * c"}  # the characters alone are fine
