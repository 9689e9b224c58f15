"""A scoped `codex review` (ops.review_scope.Scoped) gives the review that loading every note gives.

Random small vaults (shared titles, case collisions, maps, retired claims,
aliases, path and markdown links, broken links, beliefs held as sections of
a belief file, positions and claims that `depends_on` others, sources with
`claims_extracted`) are committed on main; a branch then edits, adds,
deletes and renames notes and commits. The review of the branch read the
scoped way must equal, finding for finding and cascade for cascade, the
review that loads every note (`scoped=False`, the reference), with the
judgement (similar claims, contradictions) or without.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_cli.ops.review import review
from codex_cli.vault import Vault
from tests.helpers import git, git_init, write_vault
from tests.property.test_check_scope import apply

FOLDERS = ["", "a", "b", "a/c"]
TITLES = ["alpha claim", "Alpha Claim", "beta", "gamma note", "delta", "_map"]
LINKS = [
    *TITLES,
    "missing one",
    "a/beta",
    "b/gamma note",
    "alpha claim|alias",
    "beta#part",
    "the alpha",
    "some alias",
    "Markets beat votes",
    "beliefs#Markets beat votes",
    "position one",
    "source one",
]
MARKDOWN = ["[x](beta.md)", "[x](../beta.md)", "[x](a/gamma%20note.md)", "[x](missing.md)"]
UUID = "2EA8DBCB-A29B-43E8-B726-45E571A1F3C8"


def _list(name: str, values: list[str]) -> str:
    return f"{name}:\n" + "".join(f'  - "[[{v}]]"\n' for v in values) if values else ""


@st.composite
def note_text(draw: st.DrawFn, kind: str = "claim") -> str:
    targets = draw(st.lists(st.sampled_from(LINKS), max_size=4))
    markdown = draw(st.lists(st.sampled_from(MARKDOWN), max_size=1))
    head = ""
    if kind != "claim" or draw(st.booleans()):
        status = "status: retired\n" if draw(st.integers(0, 4)) == 0 else ""
        aliases = draw(st.lists(st.sampled_from(["the alpha", "some alias", "gamma note", "missing one"]), max_size=2, unique=True))
        named = f"aliases: [{', '.join(aliases)}]\n" if aliases else ""
        depends = _list("depends_on", draw(st.lists(st.sampled_from(LINKS), max_size=2)))
        challenged = _list("challenged_by", draw(st.lists(st.sampled_from(TITLES), max_size=1)))
        extracted = _list("claims_extracted", draw(st.lists(st.sampled_from(TITLES), max_size=2))) if kind == "source" else ""
        confidence = draw(st.sampled_from(["likely", "experimental"]))
        head = f"---\ntype: {kind}\ndescription: d\nconfidence: {confidence}\n{status}{named}{depends}{challenged}{extracted}---\n\n"
    body = "# t\n\nSmith (2024) found it.\n\n" + "".join(f"- [[{t}]]\n" for t in targets) + "".join(f"- {m}\n" for m in markdown)
    return head + body


@st.composite
def belief_file(draw: st.DrawFn) -> str:
    first = draw(st.lists(st.sampled_from(LINKS), max_size=2))
    second = draw(st.lists(st.sampled_from(LINKS), max_size=2))
    return (
        "# Rio's beliefs\n\n### 1. Markets beat votes\n\n"
        + "".join(f"- [[{t}]]\n" for t in first)
        + "\n### Price risk well\n\n"
        + "".join(f"- [[{t}]]\n" for t in second)
    )


claim_paths = st.tuples(st.sampled_from(FOLDERS), st.sampled_from(TITLES)).map(lambda t: f"{t[0]}/{t[1]}.md".lstrip("/"))
SPECIAL = {
    "agents/rio/beliefs.md": belief_file(),
    "agents/rio/positions/position one.md": note_text("position"),
    "inbox/source one.md": note_text("source"),
}


@st.composite
def vault_files(draw: st.DrawFn) -> dict[str, str]:
    files = draw(st.dictionaries(claim_paths, note_text(), min_size=1, max_size=8))
    for path, text in SPECIAL.items():
        if draw(st.booleans()):
            files[path] = draw(text)
    return files


@st.composite
def change(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["edit", "delete", "add", "rename"]))
        path = draw(st.one_of(claim_paths, st.sampled_from(sorted(SPECIAL))))
        text = draw(SPECIAL[path]) if path in SPECIAL else draw(note_text())
        out.append((kind, path, text))
    return out


def reviews_agree(files: dict[str, str], branch: list[tuple[str, str, str]], dirty: list[tuple[str, str, str]], judge: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_vault(root, files)
        git_init(root)
        git(root, "switch", "-q", "-c", "rio/change")
        apply(root, branch)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", f"rio: change\n\nPentagon-Agent: Rio <{UUID}>")
        apply(root, dirty)  # uncommitted: the review reads the work tree
        full = review(Vault.open(root), judge=judge, scoped=False).as_dict()
        scoped = review(Vault.open(root), judge=judge, scoped=True).as_dict()
        assert scoped == full


dirty_edits = st.lists(st.tuples(st.sampled_from(["edit", "delete"]), st.one_of(claim_paths, st.sampled_from(sorted(SPECIAL))), note_text()), max_size=1)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=vault_files(), branch=change(), dirty=dirty_edits)
def test_the_scoped_review_gives_the_full_reviews_gates_and_cascade(files: dict[str, str], branch: list[tuple[str, str, str]], dirty: list[tuple[str, str, str]]) -> None:
    reviews_agree(files, branch, dirty, judge=False)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=vault_files(), branch=change())
def test_and_its_judgement(files: dict[str, str], branch: list[tuple[str, str, str]]) -> None:
    reviews_agree(files, branch, [], judge=True)
