"""The one commit path, and the few other things the tool asks of git.

Everything goes through the git binary (a process per question, no library:
importing one and opening a repository cost more than the few processes a
command runs). A commit holds only the paths the operation wrote, even when
other changes are staged: those stay staged, and unstaged changes stay
unstaged.

The commit is `git commit` itself, so that hooks, signing (`commit.gpgSign`),
message clean-up and the reflog are git's, as the user configured them. It
does what `git commit -q --cleanup=strip -F FILE --only -- PATHS` does,
without pathspecs (git matches each pathspec against every index entry,
seconds for 1,000 paths in a 100,000-file tree): stage the paths, and when
other changes are staged, commit from a copy of the index in which they are
put back to HEAD, as `--only` does. A partial commit during a merge or a
cherry-pick is refused, as git refuses `--only` then.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codex_cli.errors import GitFailed, RepositoryBusy, StageFailed

# Above this many paths, commands avoid pathspecs: git matches every pathspec
# against every index entry (seconds for 1,000 paths in a 100,000-file tree).
MANY_PATHS = 64
# A partial commit (git commit --only) is refused in these states; so is ours.
PARTIAL_REFUSED = {"MERGE_HEAD": "a merge", "CHERRY_PICK_HEAD": "a cherry-pick"}
# While one of these is in progress codex writes nothing (the marker git keeps in its directory).
IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "git merge --continue, or git merge --abort"),
    "rebase-merge": ("a rebase", "git rebase --continue, or git rebase --abort"),
    "rebase-apply": ("a rebase (or git am)", "git rebase --continue or git am --continue, or --abort"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --continue, or git cherry-pick --abort"),
    "REVERT_HEAD": ("a revert", "git revert --continue, or git revert --abort"),
    "BISECT_LOG": ("a bisect", "git bisect reset"),
}


@dataclass
class Repository:
    top: Path  # the work tree's top level
    git_dir: Path
    _config: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)  # values read once

    @classmethod
    def find(cls, root: Path) -> Repository | None:
        """The work tree `root` is in; None outside one (or in a bare repository)."""
        try:
            proc = subprocess.run(
                ["git", "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--show-toplevel"],
                cwd=root,
                capture_output=True,
                check=False,
            )
        except OSError:
            return None
        lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
        if proc.returncode != 0 or len(lines) != 3 or lines[0] != "false" or not lines[2]:
            return None
        return cls(Path(lines[2]).resolve(), Path(lines[1]))

    @classmethod
    def init(cls, root: Path, branch: str = "main") -> Repository:
        try:
            _git(root, "init", "-q", "-b", branch)
        except GitFailed:
            _git(root, "init", "-q")  # a git without -b
        repo = cls.find(root)
        if repo is None:
            raise GitFailed(f"git init failed: {root} is not a work tree")
        return repo

    def _run(self, *args: str, env: Mapping[str, str] | None = None, strip_newline_in_stdout: bool = True) -> str:
        """git's standard output (one trailing newline dropped); GitFailed with its output when it fails."""
        out = _git(self.top, *args, env=env)
        return out[:-1] if strip_newline_in_stdout and out.endswith("\n") else out

    def rel(self, vault_root: Path, path: str) -> str:
        """A vault-relative path as a path relative to the repository top."""
        return _vault_prefix(vault_root, self.top) + path

    # --- reading ---
    def branch(self) -> str | None:
        try:
            return self._run("symbolic-ref", "--quiet", "--short", "HEAD") or None
        except GitFailed:
            return None  # detached HEAD

    def head(self) -> str | None:
        """The commit HEAD points at; None before the first commit."""
        try:
            return self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None
        except GitFailed:
            return None

    def has_commits(self) -> bool:
        return self.head() is not None

    def config_value(self, section: str, option: str) -> str | None:
        name = f"{section}.{option}"
        if name not in self._config:
            try:
                self._config[name] = self._run("config", "--get", name) or None
            except GitFailed:
                self._config[name] = None
        return self._config[name]

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
        hashed as git blobs and compared with the index (one `git cat-file`
        looks each path up), and the index with HEAD (`git diff-index
        --cached`); the few files that differ are confirmed by `dirty` (so
        that git's filters, such as line-ending conversion, have the last
        word).
        """
        if len(contents) <= MANY_PATHS or not self.has_commits() or any("\n" in p for p in contents):
            return self.dirty(list(contents))
        paths = list(contents)
        staged_proc = _start(self.top, ["diff-index", "--cached", "--name-only", "-z", "HEAD"])
        ids = self.index_ids(paths)
        staged = set(_finish(staged_proc, "diff-index").split("\0"))
        suspects = [
            path
            for path in paths
            if path in staged or ids.get(path) is None or blob_id(contents[path], len(ids[path] or "")) != ids[path]
        ]
        return self.dirty(suspects) if suspects else []

    def index_ids(self, paths: Sequence[str]) -> dict[str, str | None]:
        """The blob id the index holds for each path (None: not in the index), in one `git cat-file`."""
        data = "".join(f":0:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
        out = self._feed(["cat-file", "--batch-check=%(objectname)"], data)
        answers = out.split("\n")
        return {p: (a if " " not in a else None) for p, a in zip(paths, answers, strict=False)}

    def commit_of(self, ref: str) -> str | None:
        """The commit `ref` (a branch, tag or commit) names; None when it names none."""
        if not ref or ref.startswith("-"):
            return None
        try:
            return self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}") or None
        except GitFailed:
            return None

    def changed_tracked(self) -> list[str]:
        """Tracked files with uncommitted changes (staged or not), repository-relative."""
        out = self._run("status", "--porcelain=v1", "-z", "--untracked-files=no", "--ignore-submodules", strip_newline_in_stdout=False)
        entries, paths = iter(out.split("\0")), set()
        for entry in entries:
            if len(entry) > 3:
                paths.add(entry[3:])
                if entry[0] in "RC":
                    next(entries, None)  # a rename's or copy's old path follows
        return sorted(paths)

    def branch_exists(self, name: str) -> bool:
        try:
            self._run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}")
        except GitFailed:
            return False
        return True

    def operation_in_progress(self) -> tuple[str, str, str] | None:
        """(marker, what, how to end it) of a merge, rebase, cherry-pick, revert or bisect in progress."""
        for marker, (what, how) in IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                return marker, what, how
        return None

    def preflight(self) -> None:
        """Refuse, before anything is written, what would make the commit fail or land in the wrong place."""
        found = self.operation_in_progress()
        if found is not None:
            marker, what, how = found
            raise RepositoryBusy(
                f"{what} is in progress ({self._shown(marker)}); nothing was written",
                hint=f"finish it first ({how}), then run this again",
            )
        lock = self.git_dir / "index.lock"
        if lock.exists():
            raise RepositoryBusy(
                f"git's index is locked ({self._shown('index.lock')}): another git command is running; nothing was written",
                hint=f"wait for it and run this again; if no git command is running, one crashed: remove {lock}",
            )
        if not os.access(self.git_dir, os.W_OK):
            raise RepositoryBusy(f"cannot write to the git directory {self.git_dir}; nothing was written")

    def _shown(self, name: str) -> str:
        path = self.git_dir / name
        return path.relative_to(self.top).as_posix() if path.is_relative_to(self.top) else str(path)

    # --- writing ---
    def free_branch_name(self, name: str) -> str:
        """`name`, or `name-2`, … when it is taken."""
        candidate, n = name, 1
        while self.branch_exists(candidate):
            n += 1
            candidate = f"{name}-{n}"
        return candidate

    def create_branch(self, name: str) -> None:
        """Create `name` at HEAD and switch to it."""
        # A new branch at HEAD changes no file: point HEAD at it without the
        # index refresh `git switch -c` does (seconds on a 100,000-file tree).
        if self.has_commits():
            self._run("branch", "--", name)
        self._run("symbolic-ref", "HEAD", f"refs/heads/{name}")

    def switch(self, ref: str, *, detach: bool = False) -> None:
        """Check out a branch (or, detached, a commit); git refuses rather than overwrite uncommitted work."""
        self._run("switch", "-q", *(["--detach"] if detach else []), "--end-of-options", ref)

    def stage(self, paths: Sequence[str]) -> None:
        """Stage these repository-relative paths, all or none (git writes its index whole).

        Refused (nothing staged) if one leaves the work tree or goes through a
        symbolic link (git would stage the link itself); StageFailed when git
        cannot stage them.
        """
        if not paths:
            return
        from codex_cli.adapters.fs import refuse_unconfined

        for path in paths:
            refuse_unconfined(self.top, path, verb="commit")
        try:
            if len(paths) <= MANY_PATHS:
                self._run("add", "-A", "--", *paths)
                return
            # no pathspecs: git would match each one against every index entry
            self._feed(["update-index", "--add", "--remove", "-z", "--stdin"], _nul_list(paths))
        except GitFailed as exc:
            raise StageFailed(exc.message, output=exc.output) from None

    def _feed(self, args: list[str], data: bytes, env: Mapping[str, str] | None = None) -> str:
        """Run git with `data` on its standard input."""
        return _git(self.top, *args, env=env, input=data)

    def commit(self, paths: Sequence[str], message: str) -> str:
        """Commit exactly `paths` (repository-relative) with `message`; return the sha.

        Runs git's hooks. On failure the files stay written and staged.
        """
        try:
            return self._commit(paths, message)
        except StageFailed:
            raise
        except GitFailed as exc:
            shown = " ".join(_quote(p) for p in paths)
            where = self.branch()
            raise GitFailed(
                "git commit failed" + (": " + exc.output.splitlines()[-1] if exc.output else ""),
                output=exc.output,
                hint=f"the files are written and staged{f' on {where}' if where else ''}; fix what git reported, then: git commit -- {shown}",
            ) from None

    def _commit(self, paths: Sequence[str], message: str) -> str:
        head = self.head()
        others: list[str] = []
        if head is not None:
            # asked before staging, while the index still matches HEAD's trees (no compare of every entry)
            staged = self._run("diff-index", "--cached", "--name-only", "-z", "--no-renames", "HEAD", strip_newline_in_stdout=False)
            wanted = set(paths)
            others = [p for p in staged.split("\0") if p and p not in wanted]
        self.stage(paths)
        for name, what in PARTIAL_REFUSED.items():
            if (self.git_dir / name).exists():
                raise GitFailed("git commit failed", output=f"fatal: cannot do a partial commit during {what}.")
        env = dict(os.environ)
        index = self.top / self._run("rev-parse", "--git-path", "index")
        temporary: Path | None = None
        try:
            if others:
                # what --only does: the commit (and its hooks) see HEAD plus these paths only
                temporary = self.git_dir / f"codex-index-{os.getpid()}"
                shutil.copyfile(index, temporary)
                index = temporary
                self._run("reset", "-q", "HEAD", "--", *others, env={**env, "GIT_INDEX_FILE": str(index)})
            return self._commit_index(index, head, message, env)
        finally:
            if temporary is not None:
                for leftover in (temporary, temporary.with_name(temporary.name + ".lock")):
                    try:
                        os.unlink(leftover)
                    except OSError:
                        pass

    def _commit_index(self, index: Path, head: str | None, message: str, env: dict[str, str]) -> str:
        """Commit what `index` holds on top of `head` with `git commit` itself.

        git commit, not plumbing: its hooks, `commit.gpgSign`, its message
        clean-up and its reflog are git's own, whatever the user configured.
        """
        fd, msg_file = tempfile.mkstemp(prefix="codex-msg-", suffix=".txt")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_utf8(message if message.endswith("\n") else message + "\n"))
            # The vault lock goes to git commit too: a commit still running after codex was killed
            # holds it, so that no other command rolls back under it (and no automatic gc, which
            # git commit would leave running in the background, inherits it).
            from codex_cli.adapters.lock import held_descriptors

            keep = held_descriptors()
            quiet_gc = ("-c", "maintenance.auto=false", "-c", "gc.auto=0") if keep else ()
            _git(
                self.top,
                *quiet_gc,
                "commit",
                "-q",
                "--cleanup=strip",
                "-F",
                msg_file,
                env={**env, "GIT_INDEX_FILE": str(index)},
                pass_fds=keep,
            )
        finally:
            os.unlink(msg_file)
        sha = self.head()
        if sha is None or sha == head:
            raise GitFailed("git commit failed", output="no commit was made")
        return sha

def _git(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, input: bytes | None = None, pass_fds: Sequence[int] = ()
) -> str:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=env,
            check=False,
            pass_fds=tuple(pass_fds),
        )
    except OSError as exc:
        raise GitFailed(f"git {_verb(args)} failed: {exc.strerror}") from None
    if proc.returncode != 0:
        output = "\n".join(x for x in (_text(proc.stdout), _text(proc.stderr)) if x)
        first = output.splitlines()[-1] if output else f"exit status {proc.returncode}"
        raise GitFailed(f"git {_verb(args)} failed: {first}", output=output)
    return proc.stdout.decode("utf-8", "surrogateescape")


def _verb(args: Sequence[str]) -> str:
    """The git command of an argument list (past any `-c NAME=VALUE`)."""
    return next((a for a in args if not a.startswith("-") and "=" not in a), args[0] if args else "")


def _start(cwd: Path, args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes], name: str) -> str:
    out, err = proc.communicate()
    if proc.returncode != 0:
        output = "\n".join(x for x in (_text(out), _text(err)) if x)
        first = output.splitlines()[-1] if output else f"exit status {proc.returncode}"
        raise GitFailed(f"git {name} failed: {first}", output=output)
    return out.decode("utf-8", "surrogateescape")


def _nul_list(paths: Sequence[str]) -> bytes:
    return b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


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


IDENTITY_HINT = (
    "tell git who you are: git config user.name 'Your Name' && git config user.email you@example.org "
    "(or set GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL); "
    "codex never commits under a made-up name"
)


def require_identity(cwd: Path) -> None:
    """Refuse (GitFailed, exit 4) before anything is written when git cannot say who commits.

    `git var` applies git commit's own rules (user.name/user.email, the
    GIT_AUTHOR_*/GIT_COMMITTER_* variables, EMAIL), so what passes here is
    what the commit will record.
    """
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            _git(cwd, "var", ident)
        except GitFailed as exc:
            detail = exc.output.splitlines()[-1] if exc.output else ""
            raise GitFailed(
                "git has no identity to commit with (user.name and user.email); nothing was written"
                + (f" ({detail.removeprefix('fatal: ')})" if detail else ""),
                hint=IDENTITY_HINT,
            ) from None


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value.strip()


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)
