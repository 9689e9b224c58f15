"""Rename properties over generated vaults with every link form, code and frontmatter references
(wiki links, links through aliases, `[[...]]` in any frontmatter field, markdown links relative,
rooted, percent-encoded and in `<...>`).

1. rename A -> B -> A restores every file byte for byte (also with a move
   to another folder and back);
2. after A -> B no new link is broken, and exactly as many references
   resolve to B as resolved to A;
3. nothing but those references (and the moved note itself) changes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_cli.core.note import Note
from codex_cli.core.resolve import ALIAS, BROKEN, OK, Resolver
from codex_cli.ops.commit import CommitOptions
from codex_cli.ops.rename import RenameRequest, rename
from codex_cli.vault import Vault
from tests.helpers import snapshot, write_vault

WORDS = ["markets", "votes", "trust", "grows", "slowly", "beats", "alpha", "signal", "noise"]
FOLDERS = ["d", "e/f"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def rel(p: str, here: str) -> str:
    """The relative path from folder `here` to the note at `p` (without `.md`), as os.path writes it."""
    return os.path.relpath(p + ".md", here)


# A link form: how a note in folder `here` links to title `t` at path `p`
# (without `.md`), the `j`th note (whose alias is `aka j`).
FORMS: list[Callable[[str, str, str, int], str]] = [
    lambda t, p, *_: f"[[{t}]]",
    lambda t, p, *_: f"[[{cap(t)}]]",
    lambda t, p, *_: f"[[{t}|an alias]]",
    lambda t, p, *_: f"[[{t}#Evidence]]",
    lambda t, p, *_: f"[[{cap(t)}#Evidence|see]]",
    lambda t, p, *_: f"![[{t}]]",
    lambda t, p, *_: f"[[{p}]]",
    lambda t, p, *_: f"[[{p}.md|x]]",
    lambda t, p, *_: f"[[{t}.md]]",
    lambda t, p, *_: f"[[ {t} ]]",
    lambda t, p, *_: f"`[[{t}]]`",  # inline code: not a link
    lambda t, p, *_: f"\n```\n[[{t}]]\n```\n",  # fenced code: not a link
    lambda t, p, *_: f"[[{t} typo]]",  # broken
    lambda t, p, *_: "[[#Evidence]]",
    lambda t, p, here, j: f"[[aka {j}]]",  # through an alias: left alone
    lambda t, p, here, j: f"[[Aka {j}|a]]",
    lambda t, p, here, j: f"[md]({rel(p, here).replace(' ', '%20')})",
    lambda t, p, here, j: f"![md]({quote(rel(p, here))}#Evidence \"t\")",
    lambda t, p, here, j: f"[md](<{rel(p, here)}>)",
    lambda t, p, here, j: f"[md](/{p.replace(' ', '%20')}.md)",
    lambda t, p, here, j: f"[md](https://example.org/{p.replace(' ', '%20')}.md)",  # a URL: not a link
    lambda t, p, here, j: f"[md]({rel(p, here).replace(' ', '%20')[:-3]}%20gone.md)",  # broken
]
FIELD_FORMS = [
    lambda t: f"  - {t}\n",
    lambda t: f'  - "{t}"\n',
    lambda t: f"  - '{t}.md'\n",
    lambda t: f'  - "[[{t}]]"\n',
]

titles = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=4).map(" ".join),
    min_size=2,
    max_size=5,
    unique=True,
)


@st.composite
def vaults(draw: st.DrawFn) -> tuple[dict[str, str], str, str, bool]:
    names = draw(titles)
    paths = [f"{draw(st.sampled_from(FOLDERS))}/{t}" for t in names]
    files: dict[str, str] = {}
    for i, (title, path) in enumerate(zip(names, paths, strict=True)):
        refs = draw(st.lists(st.tuples(st.integers(0, len(names) - 1), st.integers(0, len(FORMS) - 1)), max_size=6))
        deps = draw(st.lists(st.tuples(st.integers(0, len(names) - 1), st.integers(0, len(FIELD_FORMS) - 1)), max_size=3))
        flow = draw(st.lists(st.integers(0, len(names) - 1), max_size=2))
        fm = f"---\ntype: note\naliases: [aka {i}]\n"
        entity = draw(st.lists(st.integers(0, len(names) - 1), max_size=1))
        if entity:
            fm += f'parent_entity: "[[{names[entity[0]]}]]"\n'
        if deps:
            fm += "depends_on:\n" + "".join(FIELD_FORMS[f](names[j]) for j, f in deps)
        if flow:
            fm += "challenged_by: [" + ", ".join(names[j] for j in flow) + "]\n"
        fm += "---\n\n"
        h1 = draw(st.sampled_from([title, cap(title), "Something else entirely"]))
        here = path.rpartition("/")[0]
        body = " then ".join(FORMS[f](names[j], paths[j], here, j) for j, f in refs)
        files[path + ".md"] = f"{fm}# {h1}\n\nText {body}.\n"
    renamed = draw(st.integers(0, len(names) - 1))
    new_title = "zeta " + draw(st.sampled_from(WORDS)) + " omega"
    move = draw(st.booleans())
    return files, paths[renamed] + ".md", new_title, move


def load(root: Path) -> tuple[dict[str, Note], Resolver[Note]]:
    vault = Vault.open(root)
    return vault.notes, vault.resolver


def references(notes: dict[str, Note], resolver: Resolver[Note], path: str) -> int:
    count = 0
    for note in notes.values():
        for link in note.links:
            res = resolver.resolve_link(link, note.path)
            if link.target.strip() and res.status == OK and res.note is not None and res.note.path == path:
                count += 1
    return count


def broken(notes: dict[str, Note], resolver: Resolver[Note]) -> int:
    return sum(1 for n in notes.values() for link in n.links if resolver.resolve_link(link, n.path).status == BROKEN)


def skeleton(note: Note, text: str, resolver: Resolver[Note], path: str) -> list[str]:
    """The note's text with the target of every reference to `path` cut out."""
    pieces, last = [], 0
    for link in sorted(note.links, key=lambda x: x.target_start):
        res = resolver.resolve_link(link, note.path)
        if link.target.strip() and res.note is not None and res.note.path == path and res.via != ALIAS:
            pieces.append(text[last : link.target_start])
            last = link.target_end
    pieces.append(text[last:])
    return pieces


def do_rename(root: Path, note: str, title: str | None, move_to: str | None) -> None:
    request = RenameRequest(note, title, move_to)
    rename(Vault.open(root), request, CommitOptions(commit=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(vaults())
def test_rename_there_and_back(case: tuple[dict[str, str], str, str, bool]) -> None:
    files, old_path, new_title, move = case
    old_title = old_path.rpartition("/")[2][:-3]
    old_folder = old_path.rpartition("/")[0]
    new_folder = next(f for f in FOLDERS if f != old_folder) if move else old_folder
    new_path = f"{new_folder}/{new_title}.md"
    with tempfile.TemporaryDirectory() as tmp:
        root = write_vault(Path(tmp), files)
        before = snapshot(root)
        notes, resolver = load(root)
        refs_before, broken_before = references(notes, resolver, old_path), broken(notes, resolver)
        skeletons = {p: skeleton(n, before[p].decode(), resolver, old_path) for p, n in notes.items()}

        do_rename(root, old_path, new_title, new_folder if move else None)
        after = snapshot(root)
        assert old_path not in after and new_path in after
        notes, resolver = load(root)
        assert references(notes, resolver, new_path) == refs_before
        assert broken(notes, resolver) == broken_before
        for p, n in notes.items():
            if p != new_path:
                assert skeleton(n, after[p].decode(), resolver, new_path) == skeletons[p], p

        do_rename(root, new_path, old_title, old_folder if move else None)
        assert snapshot(root) == before
