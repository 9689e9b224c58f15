"""A scoped check (`check PATH`, `check --changed`) reports what a full check reports about the notes it checks.

Random small vaults (shared titles, case collisions, maps, retired claims,
path and alias links, broken links) get a random change (edits, new notes,
deletions, renames, a note retired, an alias dropped, a map's entry
dropped); the scoped check must give the full check's findings restricted
to the notes it checked, and every finding the full check reports after
the change on a note it did not check must have been there before the
change ("did you mean" aside): the notes a change gives new findings are
the notes it checks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_cli.core.resolve import target_key
from codex_cli.ops.check import run_check
from codex_cli.vault import Vault
from tests.helpers import git, git_init, write_vault

FOLDERS = ["", "a", "b", "a/c"]
TITLES = ["alpha claim", "Alpha Claim", "beta", "gamma note", "delta", "_map"]


LINKS = [*TITLES, "missing one", "a/beta", "b/gamma note", "alpha claim|alias", "beta#part", "the alpha", "some alias"]
MARKDOWN = ["[x](beta.md)", "[x](../beta.md)", "[x](a/gamma%20note.md)", "[x](missing.md)"]


@st.composite
def note_text(draw: st.DrawFn) -> str:
    targets = draw(st.lists(st.sampled_from(LINKS), max_size=4))
    markdown = draw(st.lists(st.sampled_from(MARKDOWN), max_size=1))
    head = ""
    if draw(st.booleans()):
        status = "status: retired\n" if draw(st.integers(0, 4)) == 0 else ""
        aliases = draw(st.lists(st.sampled_from(["the alpha", "some alias", "gamma note", "missing one"]), max_size=2, unique=True))
        named = f"aliases: [{', '.join(aliases)}]\n" if aliases else ""
        head = f"---\ntype: claim\ndescription: d\n{status}{named}---\n\n"
    return head + "# t\n\n" + "".join(f"- [[{t}]]\n" for t in targets) + "".join(f"- {m}\n" for m in markdown)


paths = st.tuples(st.sampled_from(FOLDERS), st.sampled_from(TITLES)).map(lambda t: f"{t[0]}/{t[1]}.md".lstrip("/"))
vaults = st.dictionaries(paths, note_text(), min_size=1, max_size=9)
KINDS = ["edit", "delete", "add", "rename", "retire", "unalias", "unlist"]
changes = st.lists(st.tuples(st.sampled_from(KINDS), paths, note_text()), max_size=4)


def apply(root: Path, change: list[tuple[str, str, str]]) -> None:
    for kind, path, text in change:
        target = root / path
        notes = sorted(p for p in root.rglob("*.md") if ".git" not in p.parts)
        some = notes[len(path) % len(notes)] if notes else None
        if kind in ("edit", "add"):
            write_vault(root, {path: text})
        elif kind == "delete" and target.exists():
            target.unlink()
        elif kind == "rename":
            if some is not None and not target.exists() and target.parent.exists():
                some.rename(target)
        elif some is not None:  # an edit of one kind to an existing note
            old = some.read_text()
            if kind == "retire":  # it becomes retired: its linkers (and the maps listing it) warn
                new = old.replace("---\n", "---\nstatus: retired\n", 1) if old.startswith("---\n") else f"---\ntype: claim\nstatus: retired\n---\n\n{old}"
            elif kind == "unalias":  # its aliases go: links that used them break
                new = "".join(line for line in old.splitlines(keepends=True) if not line.startswith("aliases:"))
            else:  # unlist: its first link goes (a map that stops listing a claim)
                lines = old.splitlines(keepends=True)
                first = next((i for i, line in enumerate(lines) if line.startswith("- [[")), None)
                new = "".join(line for i, line in enumerate(lines) if i != first)
            some.write_text(new)


def findings(report: object) -> list[dict[str, object]]:
    return [f.as_dict() for f in report.findings]  # type: ignore[attr-defined]


def bare(report: object) -> set[tuple[object, ...]]:
    """The findings without their "did you mean" (which any new title may change)."""
    return {(f.file, f.code, f.severity, f.message, f.line, f.target) for f in report.findings}  # type: ignore[attr-defined]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=vaults, change=changes, stage=st.booleans())
def test_changed_reports_what_the_full_check_reports_on_its_notes(files: dict[str, str], change: list[tuple[str, str, str]], stage: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_vault(root, files)
        git_init(root)
        gone_before = set(git(root, "ls-files").split("\n"))
        before = run_check(Vault.open(root)).report
        apply(root, change)
        if stage:
            git(root, "add", "-A")
        full = run_check(Vault.open(root)).report
        scoped = run_check(Vault.open(root), changed=True, since="HEAD")
        checked = scoped.selected
        assert checked is not None
        assert findings(scoped.report) == findings(full.only(checked))
        new = sorted(f for f in bare(full) - bare(before) if f[0] not in checked)
        assert not new, f"new findings on notes the scoped check left out: {new}"
        if stage:  # what a commit would record: the same here (nothing untracked, nothing unstaged)
            staged = run_check(Vault.open(root), staged=True, changed=True)
            assert staged.selected == checked and findings(staged.report) == findings(scoped.report)
        now = {p.relative_to(root).as_posix() for p in root.rglob("*.md") if ".git" not in p.parts}
        gone = {Path(p).stem.lower() for p in gone_before - now if p.endswith(".md")}
        added = {Path(p).stem.lower() for p in now - gone_before}
        titles = [Path(p).stem.lower() for p in now]
        shared = {t for t in added if titles.count(t) > 1}
        for f in full.findings:
            name = target_key(f.target or "").rpartition("/")[2]
            if f.code == "broken-link" and name in gone or f.code == "ambiguous-link" and name in gone | shared:
                assert f.file in checked, f


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=vaults, data=st.data())
def test_paths_report_what_the_full_check_reports_on_them(files: dict[str, str], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_vault(root, files)
        git_init(root, commit=data.draw(st.booleans()))
        named = data.draw(st.lists(st.sampled_from(sorted(files)), min_size=1, max_size=3))
        full = run_check(Vault.open(root)).report
        scoped = run_check(Vault.open(root), [str(root / p) for p in named])
        assert scoped.selected == set(named)
        assert findings(scoped.report) == findings(full.only(set(named)))


def _added(now: list[object], before: list[object]) -> list[dict[str, object]]:
    """The findings of `now` that `before` lacks, counted, compared by file, code and target (else message)."""
    from collections import Counter

    def key(f: object) -> tuple[object, ...]:
        return (f.file, f.code, f.target if f.target is not None else f.message)  # type: ignore[attr-defined]

    had = Counter(key(f) for f in before)
    out = []
    for f in now:
        if had[key(f)]:
            had[key(f)] -= 1
        else:
            out.append(f.as_dict())  # type: ignore[attr-defined]
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=vaults, change=changes, stage=st.booleans())
def test_new_only_is_the_scoped_findings_less_those_a_checkout_of_the_base_reports(files: dict[str, str], change: list[tuple[str, str, str]], stage: bool) -> None:
    from codex_cli.ops.check_scope import at_commit

    with tempfile.TemporaryDirectory() as tmp:
        root, checkout = Path(tmp) / "head", Path(tmp) / "base"
        root.mkdir()
        write_vault(root, files)
        git_init(root)
        git(Path(tmp), "clone", "-q", str(root), str(checkout))  # the base's state, checked out
        apply(root, change)
        if stage:
            git(root, "add", "-A")
        scoped = run_check(Vault.open(root), changed=True, since="HEAD")
        checked = scoped.selected
        assert checked is not None
        base = run_check(Vault.open(checkout)).report.only(checked)  # a full check of the checkout, on the same notes
        # the base's findings read from the commit (its listing and blobs) are the checkout's, lines and all
        at_base = at_commit(Vault.open(root), git(root, "rev-parse", "HEAD").strip(), checked)
        assert sorted(bare(at_base)) == sorted(bare(base))
        new = run_check(Vault.open(root), changed=True, since="HEAD", new_only=True)
        assert findings(new.report) == _added(scoped.report.findings, base.findings)
        assert new.report.errors == sum(1 for f in _added(scoped.report.findings, base.findings) if f["severity"] == "error")
        if stage:  # the hook's question (against HEAD, what a commit records): the same here
            staged = run_check(Vault.open(root), changed=True, staged=True, new_only=True)
            assert findings(staged.report) == findings(new.report)
