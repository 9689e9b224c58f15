"""The one commit path, and the few other things the tool asks of git.

Everything goes through git itself (GitPython runs the git binary), so the
repository's hooks run as they would for `git commit`. A commit holds only
the paths the operation wrote, even when other changes are staged: those
stay staged, and unstaged changes stay unstaged.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_cli.errors import GitFailed

FALLBACK_NAME = "codex-cli"
FALLBACK_EMAIL = "codex-cli@localhost"


def _git() -> Any:
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


@dataclass
class Repository:
    repo: Any  # git.Repo
    top: Path

    @classmethod
    def find(cls, root: Path) -> Repository | None:
        git = _git()
        try:
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        if repo.bare or repo.working_tree_dir is None:
            return None
        return cls(repo, Path(repo.working_tree_dir).resolve())

    @classmethod
    def init(cls, root: Path, branch: str = "main") -> Repository:
        git = _git()
        try:
            repo = git.Repo.init(root, initial_branch=branch)
        except git.GitCommandError:
            repo = git.Repo.init(root)
        return cls(repo, Path(repo.working_tree_dir).resolve())

    def _run(self, *args: str, **kwargs: Any) -> str:
        git = _git()
        try:
            out: str = self.repo.git.execute(["git", *args], **kwargs)
            return out
        except git.GitCommandError as exc:
            output = "\n".join(x for x in (_text(exc.stdout), _text(exc.stderr)) if x).strip()
            first = output.splitlines()[-1] if output else str(exc)
            raise GitFailed(f"git {args[0]} failed: {first}", output=output) from None

    def rel(self, vault_root: Path, path: str) -> str:
        """A vault-relative path as a path relative to the repository top."""
        return (vault_root.resolve() / path).relative_to(self.top).as_posix()

    # --- reading ---
    def branch(self) -> str | None:
        try:
            return str(self.repo.active_branch.name)
        except (TypeError, ValueError):
            return None  # detached HEAD

    def has_commits(self) -> bool:
        try:
            return self.repo.head.commit is not None
        except ValueError:
            return False

    def config_value(self, section: str, option: str) -> str | None:
        try:
            value = self.repo.config_reader().get_value(section, option, default=None)
        except Exception:
            return None
        return str(value) if value not in (None, "") else None

    def user_name(self) -> str | None:
        return os.environ.get("GIT_AUTHOR_NAME") or self.config_value("user", "name")

    def dirty(self, paths: Sequence[str]) -> list[str]:
        """Which of these (repository-relative) paths differ from HEAD or are untracked."""
        if not paths:
            return []
        out = self._run("status", "--porcelain", "-z", "--untracked-files=all", "--", *paths, strip_newline_in_stdout=False)
        dirty = []
        for entry in out.split("\0"):
            if len(entry) > 3:
                dirty.append(entry[3:])
        return dirty

    def branch_exists(self, name: str) -> bool:
        try:
            self._run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}")
        except GitFailed:
            return False
        return True

    # --- writing ---
    def switch_new_branch(self, name: str) -> str:
        """Create and switch to `name` (or `name-2`, … when taken); return the name used."""
        candidate, n = name, 1
        while self.branch_exists(candidate):
            n += 1
            candidate = f"{name}-{n}"
        if self.has_commits():
            self._run("switch", "-c", candidate)
        else:
            self._run("symbolic-ref", "HEAD", f"refs/heads/{candidate}")
        return candidate

    def stage(self, paths: Sequence[str]) -> None:
        if paths:
            self._run("add", "-A", "--", *paths)

    def commit(self, paths: Sequence[str], message: str) -> str:
        """Commit exactly `paths` (repository-relative) with `message`; return the sha.

        Runs git's hooks. On failure the files stay written and staged.
        """
        self.stage(paths)
        env = _identity_env(self)
        fd, msg_file = tempfile.mkstemp(prefix="codex-msg-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(message if message.endswith("\n") else message + "\n")
            args = ["commit", "-q", "--cleanup=strip", "-F", msg_file]
            if self.has_commits():
                args += ["--only", "--", *paths]
            try:
                self._run(*args, env=env)
            except GitFailed as exc:
                shown = " ".join(_quote(p) for p in paths)
                raise GitFailed(
                    "git commit failed" + (": " + exc.output.splitlines()[-1] if exc.output else ""),
                    output=exc.output,
                    hint=f"the files are written and staged; fix what git reported, then: git commit -- {shown}",
                ) from None
        finally:
            os.unlink(msg_file)
        return str(self.repo.head.commit.hexsha)


def _identity_env(repository: Repository) -> dict[str, str] | None:
    """Git's identity, or a stand-in so a fresh machine can still commit."""
    has_name = repository.user_name() or os.environ.get("GIT_COMMITTER_NAME")
    has_email = os.environ.get("GIT_AUTHOR_EMAIL") or repository.config_value("user", "email") or os.environ.get("EMAIL")
    if has_name and has_email:
        return None
    env = dict(os.environ)
    env.setdefault("GIT_AUTHOR_NAME", FALLBACK_NAME)
    env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
    env.setdefault("GIT_AUTHOR_EMAIL", FALLBACK_EMAIL)
    env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
    return env


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = str(value).strip()
    for prefix in ("stdout: ", "stderr: "):
        if value.startswith(prefix):
            value = value[len(prefix) :].strip("'")
    return value


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)
