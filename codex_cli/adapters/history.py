"""Reading history: the commits of a range, their trailers, what they change.

The one place GitPython is imported (lazily, inside the functions that use
it: `codex --help` never loads it). The write path keeps using the git
binary through adapters.git.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_cli.errors import GitFailed, UsageError

ADDED = "added"
MODIFIED = "modified"
RENAMED = "renamed"
DELETED = "deleted"
_KINDS = {"A": ADDED, "C": ADDED, "M": MODIFIED, "T": MODIFIED, "R": RENAMED, "D": DELETED}


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    subject: str
    author: str  # Name <email>
    trailers: tuple[tuple[str, str], ...]
    parents: int


@dataclass(frozen=True)
class Change:
    kind: str  # added, modified, renamed, deleted
    path: str  # repository-relative, as it is at the head (the old path for a deletion)
    old_path: str | None = None  # the path at the base, for a rename


@dataclass
class Range:
    """What `base..head` holds: `base` is the merge base, `head` the commit reviewed."""

    spec: str
    base: str
    head: str
    commits: list[CommitInfo]
    changes: list[Change]
    top: Path  # the repository's top level
    _repo: Any = None

    def text_at_base(self, path: str) -> str | None:
        """A file's text at the base (repository-relative path); None if it was not there."""
        try:
            blob = self._repo.commit(self.base).tree / path
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data.decode("utf-8", "surrogateescape")


def open_range(root: Path, spec: str | None, base_branches: Sequence[str]) -> Range:
    """The range to review: `spec` (`A..B`, `A...B` or `A`: A..HEAD), or the merge base of
    the first of `base_branches` that exists (or its origin/ twin) and HEAD up to HEAD."""
    try:
        import git
    except ImportError:  # pragma: no cover - GitPython is a dependency
        raise UsageError("codex review needs GitPython: pip install GitPython") from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{root} is not in a git repository: codex review reads a branch's commits") from None
    if repo.bare or repo.working_tree_dir is None:
        raise UsageError("codex review needs a work tree, not a bare repository")
    try:
        head_commit = repo.head.commit
    except ValueError:
        raise UsageError("the repository has no commits yet") from None
    start, end = _split(spec) if spec else (None, None)
    try:
        if end is not None and repo.commit(end) != head_commit:
            raise UsageError(
                f"{spec}: the range must end at the commit checked out ({head_commit.hexsha[:10]})",
                hint=f"check it out first (git switch --detach {end}), or review `{start}..HEAD`",
            )
        if start is None:
            start = _base_ref(repo, base_branches)
        base = repo.merge_base(start, head_commit)
    except git.BadName as exc:
        raise UsageError(f"unknown revision: {exc}") from None
    except git.GitCommandError as exc:
        raise GitFailed("git failed reading history", output=str(exc)) from None
    if not base:
        shallow = Path(repo.git_dir, "shallow").exists()
        raise UsageError(
            f"{start} and HEAD have no common history" + (" in this shallow clone" if shallow else ""),
            hint="fetch the history back to the merge base (git fetch --unshallow; in GitHub Actions, fetch-depth: 0)" if shallow else None,
        )
    base_commit = base[0]
    shown = spec or f"{start}..HEAD"
    commits = [
        CommitInfo(c.hexsha, c.summary if isinstance(c.summary, str) else c.summary.decode(), f"{c.author.name} <{c.author.email}>", tuple(c.trailers_list), len(c.parents))
        for c in repo.iter_commits(f"{base_commit.hexsha}..{head_commit.hexsha}")
    ]
    changes = []
    for d in base_commit.diff(head_commit, M=True):
        kind = _KINDS.get(d.change_type or "M", MODIFIED)
        old, new = str(d.a_path or d.b_path), str(d.b_path or d.a_path)
        if kind == DELETED:
            changes.append(Change(kind, old))
        elif kind == RENAMED:
            changes.append(Change(kind, new, old))
        else:
            changes.append(Change(kind, new))
    changes.sort(key=lambda c: c.path)
    return Range(shown, base_commit.hexsha, head_commit.hexsha, commits, changes, Path(repo.working_tree_dir), repo)


def _split(spec: str) -> tuple[str, str | None]:
    for sep in ("...", ".."):
        if sep in spec:
            a, b = spec.split(sep, 1)
            return a or "HEAD", (b or None)
    return spec, None


def _base_ref(repo: Any, branches: Sequence[str]) -> str:
    """The first base branch that exists, else its remote-tracking branch (a CI clone has only that)."""
    import git

    for branch in branches:
        for ref in (branch, f"origin/{branch}", f"refs/remotes/origin/{branch}"):
            try:
                repo.commit(ref)
                return ref
            except (git.BadName, ValueError):
                continue
    names = " or ".join(repr(b) for b in branches)
    raise UsageError(
        f"no base branch {names} (nor origin/ of it) to compare with",
        hint="pass a RANGE (codex review BASE..HEAD) or --base BRANCH; CI clones may need `git fetch origin " + branches[0] + "`",
    )
