"""Parsing never loses a byte and never crashes, whatever the file holds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_cli.adapters.apply import apply
from codex_cli.config import DEFAULTS
from codex_cli.core.note import ParseContext, decode, encode, parse_note
from codex_cli.core.plan import Plan

CTX = ParseContext(frozenset(DEFAULTS["title_fields"]), DEFAULTS["types"], frozenset({"ai"}))

pieces = st.sampled_from([
    "---\n", "---\r\n", "type: claim\n", "domain: ai\n", "created: 2026-02-00\n", "depends_on:\n", '  - "[[x]]"\n',
    "  - plain title\n", "description: a: b\n", "# Title\n", "[[link]]", "[[a|b]]", "![[e#h]]", "`[[code]]`", "```\n",
    "~~~\n", "\r\n", "\n", "text ", "é", "\ufeff", "[[", "]]", "\x00", ": ", "'", '"', "- ", "\t",
])
raw_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(pieces, max_size=40).map(lambda xs: "".join(xs).encode("utf-8")),
    st.tuples(st.lists(pieces, max_size=20), st.binary(max_size=10)).map(lambda t: "".join(t[0]).encode() + t[1]),
)


@settings(max_examples=400, deadline=None)
@given(raw_bytes)
def test_decode_encode_is_identity_and_parse_never_crashes(raw: bytes) -> None:
    text, _ = decode(raw)
    assert encode(text) == raw
    note = parse_note("d/a note.md", raw, CTX)
    for link in note.links:
        if link.target_start >= 0 and not link.bare:
            assert text[link.target_start : link.target_end] == link.target


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw_bytes, st.data())
def test_an_edit_and_its_inverse_restore_every_byte(tmp_path: Path, raw: bytes, data: st.DataObject) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(raw)
    text, _ = decode(raw)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    plan = Plan()
    plan.edit("n.md", raw, start, end, "REPLACED")
    apply(tmp_path, plan)
    edited = path.read_bytes()
    back = Plan()
    back.edit("n.md", edited, start, start + len("REPLACED"), text[start:end])
    apply(tmp_path, back)
    assert path.read_bytes() == raw
