"""The one commit path, and the few other things the tool asks of git.

Everything goes through git itself (GitPython runs the git binary), so the
repository's hooks run as they would for `git commit`. A commit holds only
the paths the operation wrote, even when other changes are staged: those
stay staged, and unstaged changes stay unstaged.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_cli.errors import GitFailed

FALLBACK_NAME = "codex-cli"
# Above this many paths, commands avoid pathspecs: git matches every pathspec
# against every index entry (seconds for 1,000 paths in a 100,000-file tree).
MANY_PATHS = 64
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
        return _vault_prefix(vault_root, self.top) + path

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
        args = ["status", "--porcelain", "-z", "--untracked-files=all"]
        many = len(paths) > MANY_PATHS
        if not many:
            args += ["--", *paths]
        out = self._run(*args, strip_newline_in_stdout=False)
        dirty = []
        fields = iter(out.split("\0"))
        for entry in fields:
            if len(entry) > 3:
                dirty.append(entry[3:])
                if entry[0] in "RC":
                    dirty.append(next(fields, ""))  # the path it was renamed or copied from
        if many:
            wanted = set(paths)
            dirty = [p for p in dirty if p in wanted]
        return [p for p in dirty if p]

    def dirty_contents(self, contents: Mapping[str, bytes]) -> list[str]:
        """Which of these files (repository-relative path -> the bytes just read) differ from HEAD.

        Same answer as `dirty`, without stat'ing a large tree: the bytes are
        hashed as git blobs and compared with the index (`git ls-files -s`),
        and the index with HEAD (`git diff-index --cached`); the few files
        that differ are confirmed by `dirty` (so that git's filters, such as
        line-ending conversion, have the last word).
        """
        if len(contents) <= MANY_PATHS or not self.has_commits():
            return self.dirty(list(contents))
        listing = self._run("ls-files", "-s", "-z", strip_newline_in_stdout=False)
        blobs: dict[str, str] = {}
        for entry in listing.split("\0"):
            meta, _, path = entry.partition("\t")
            if path in contents:
                blobs[path] = meta.split()[1]
        staged = set(self._run("diff-index", "--cached", "--name-only", "-z", "HEAD", strip_newline_in_stdout=False).split("\0"))
        suspects = [
            path
            for path, data in contents.items()
            if path in staged or path not in blobs or blob_id(data, len(blobs[path])) != blobs[path]
        ]
        return self.dirty(suspects) if suspects else []

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
        # A new branch at HEAD changes no file: point HEAD at it without the
        # index refresh `git switch -c` does (seconds on a 100,000-file tree).
        if self.has_commits():
            self._run("branch", "--", candidate)
        self._run("symbolic-ref", "HEAD", f"refs/heads/{candidate}")
        return candidate

    def stage(self, paths: Sequence[str]) -> None:
        if not paths:
            return
        if len(paths) <= MANY_PATHS:
            self._run("add", "-A", "--", *paths)
            return
        # no pathspecs: git would match each one against every index entry
        self._feed(["update-index", "--add", "--remove", "-z", "--stdin"], paths)

    def _feed(self, args: list[str], paths: Sequence[str], env: dict[str, str] | None = None) -> str:
        """Run git with NUL-separated paths on its standard input."""
        import subprocess

        data = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
        proc = subprocess.run(["git", *args], cwd=self.top, input=data, capture_output=True, env=env, check=False)
        if proc.returncode != 0:
            output = (_text(proc.stdout) + "\n" + _text(proc.stderr)).strip()
            first = output.splitlines()[-1] if output else f"exit status {proc.returncode}"
            raise GitFailed(f"git {args[0]} failed: {first}", output=output)
        return proc.stdout.decode("utf-8", "surrogateescape")

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
            many = len(paths) > MANY_PATHS and self.has_commits()
            if self.has_commits() and not many:
                args += ["--only", "--", *paths]
            try:
                if many:
                    self._commit_only(args, paths, env)
                else:
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


    def _commit_only(self, args: list[str], paths: Sequence[str], env: dict[str, str] | None) -> None:
        """`git commit --only -- paths` for many paths, without pathspecs.

        What `--only` does, done by hand: commit from a temporary copy of the
        index in which every staged change outside `paths` is put back to
        HEAD, so that only `paths` are committed and other staged changes stay
        staged. Hooks run against that index, as they do for `--only`.
        """
        import shutil

        real = Path(self.repo.index.path)
        fd, tmp_index = tempfile.mkstemp(prefix="codex-index-", dir=real.parent)
        os.close(fd)
        try:
            shutil.copyfile(real, tmp_index)
            tmp_env = dict(env if env is not None else os.environ)
            tmp_env["GIT_INDEX_FILE"] = tmp_index
            staged = self._run("diff", "--cached", "--name-only", "-z", "--no-renames", env=tmp_env, strip_newline_in_stdout=False)
            wanted = set(paths)
            others = [p for p in staged.split("\0") if p and p not in wanted]
            if others:
                self._run("reset", "-q", "HEAD", "--", *others, env=tmp_env)
            self._run(*args, env=tmp_env)
        finally:
            for leftover in (tmp_index, tmp_index + ".lock"):
                try:
                    os.unlink(leftover)
                except OSError:
                    pass


@functools.lru_cache(maxsize=16)
def _vault_prefix(vault_root: Path, top: Path) -> str:
    """Where the vault sits in the repository: '' at the top, else 'folder/'."""
    inside = vault_root.resolve().relative_to(top).as_posix()
    return "" if inside == "." else inside + "/"


def blob_id(data: bytes, hex_length: int = 40) -> str:
    """The id git gives a file with these bytes (SHA-1, or SHA-256 in a 64-hex repository)."""
    import hashlib

    algorithm = hashlib.sha256 if hex_length == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data).hexdigest()


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
