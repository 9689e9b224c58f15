from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_cli.core.resolve import AMBIGUOUS, BROKEN, EMPTY, OK, Resolver


@dataclass(frozen=True)
class N:
    path: str


NOTES = [
    N("domains/ai/markets beat votes.md"),
    N("agents/rio/beliefs.md"),
    N("agents/clay/beliefs.md"),
    N("domains/ai/_map.md"),
    N("core/_map.md"),
    N("Café crème.md"),
]
R = Resolver(NOTES)


def test_title_case_insensitive_and_md_suffix() -> None:
    for target in ["markets beat votes", "Markets Beat Votes", "markets beat votes.md", " markets beat votes.MD "]:
        res = R.resolve(target, "x.md")
        assert res.status == OK and res.note == NOTES[0], target


def test_path_form() -> None:
    assert R.resolve("domains/ai/_map", "x.md").note == NOTES[3]
    assert R.resolve("Domains/AI/_map.md", "x.md").note == NOTES[3]
    assert R.resolve("/domains/ai/_map", "x.md").note == NOTES[3]


def test_nfc_normalisation() -> None:
    decomposed = "Cafe\u0301 cre\u0300me"
    assert R.resolve(decomposed, "x.md").note == NOTES[5]


def test_shared_title_prefers_the_linking_folder() -> None:
    assert R.resolve("beliefs", "agents/rio/identity.md").note == NOTES[1]
    assert R.resolve("beliefs", "agents/clay/x.md").note == NOTES[2]
    res = R.resolve("beliefs", "domains/ai/x.md")
    assert res.status == AMBIGUOUS and set(res.candidates) == {NOTES[1], NOTES[2]}


def test_broken_and_empty() -> None:
    assert R.resolve("nothing here", "x.md").status == BROKEN
    assert R.resolve("", None).status == EMPTY
    assert R.resolve("", "domains/ai/_map.md").note == NOTES[3]  # [[#heading]] points at the note itself


def test_find_and_remove() -> None:
    r = Resolver(NOTES)
    assert r.find("beliefs") == [NOTES[1], NOTES[2]]
    r.remove(NOTES[1])
    assert r.resolve("beliefs", "domains/ai/x.md").note == NOTES[2]


def test_prefer_local_is_the_resolvers_rule() -> None:
    from codex_cli.core.resolve import prefer_local

    both = [NOTES[1], NOTES[2]]
    assert prefer_local(both, "agents/rio/identity.md") == [NOTES[1]]
    assert prefer_local(both, "domains/ai/x.md") == both
    assert prefer_local(both, None) == both
    for source in ("agents/rio/identity.md", "agents/clay/x.md", "domains/ai/x.md"):
        res = R.resolve("beliefs", source)
        expected = prefer_local(both, source)
        assert (list(res.candidates) if res.note is None else [res.note]) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aB .md/\\\t-_Ééx"), max_size=16))
def test_target_key_fast_path_agrees(target: str) -> None:
    from codex_cli.core.resolve import _general_target_key, target_key

    assert target_key(target) == _general_target_key(target)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=30))
def test_loose_key_ascii_path_agrees_with_the_regex(text: str) -> None:
    from codex_cli.core.text import _PUNCT, key, loose_key

    assert loose_key(text) == " ".join(_PUNCT.sub(" ", key(text)).split())
