"""Edits as data: a plan of creates, moves and text edits, shown as a diff.

A `Plan` is pure: it records what each file looked like when it was planned
(a digest of its bytes) and what it should become. `adapters.apply.apply`
carries it out as one step that either completes or restores every file.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field

from codex_cli.core.note import decode, encode


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass(frozen=True)
class TextEdit:
    start: int
    end: int
    new: str


class PlanConflict(ValueError):
    """Two edits of one plan overlap, or a path is used twice."""


@dataclass
class FileChange:
    """What happens to one file. `old_path` None means the file is created."""

    path: str  # path after the plan
    old_path: str | None
    before: str | None  # text at planning time (None for a new file)
    base_digest: str | None
    edits: list[TextEdit] = field(default_factory=list)
    replacement: str | None = None  # whole new text (creates, or a full rewrite)

    @property
    def is_create(self) -> bool:
        return self.old_path is None

    @property
    def is_move(self) -> bool:
        return self.old_path is not None and self.old_path != self.path

    def after(self) -> str:
        if self.replacement is not None:
            return self.replacement
        assert self.before is not None
        text = self.before
        for edit in sorted(self.edits, key=lambda e: e.start, reverse=True):
            text = text[: edit.start] + edit.new + text[edit.end :]
        return text

    @property
    def changed(self) -> bool:
        return self.is_create or self.is_move or self.after() != self.before


class Plan:
    """Creates, moves and edits, keyed by each file's path before the plan."""

    def __init__(self) -> None:
        self.changes: dict[str, FileChange] = {}  # key: original path (or new path for creates)

    # --- building ---
    def create(self, path: str, text: str) -> None:
        if path in self.changes or any(c.path == path for c in self.changes.values()):
            raise PlanConflict(f"{path} is already part of this plan")
        self.changes[path] = FileChange(path, None, None, None, replacement=text)

    def _existing(self, path: str, raw: bytes) -> FileChange:
        change = self.changes.get(path)
        if change is None:
            text, _ = decode(raw)
            change = FileChange(path, path, text, digest(raw))
            self.changes[path] = change
        return change

    def edit(self, path: str, raw: bytes, start: int, end: int, new: str) -> None:
        """Replace text[start:end] of the file whose bytes were `raw` at planning."""
        change = self._existing(path, raw)
        if change.is_create or change.replacement is not None:
            raise PlanConflict(f"{path}: cannot edit a file this plan rewrites whole")
        for other in change.edits:
            if start < other.end and other.start < end or (start == end == other.start):
                raise PlanConflict(f"{path}: overlapping edits at {start}-{end}")
        change.edits.append(TextEdit(start, end, new))

    def rewrite(self, path: str, raw: bytes, new_text: str) -> None:
        change = self._existing(path, raw)
        if change.edits:
            raise PlanConflict(f"{path}: cannot rewrite a file this plan edits")
        change.replacement = new_text

    def move(self, path: str, raw: bytes, new_path: str) -> None:
        change = self._existing(path, raw)
        if any(c.path == new_path and k != path for k, c in self.changes.items()):
            raise PlanConflict(f"{new_path} is already part of this plan")
        change.path = new_path

    def text_of(self, path: str) -> str | None:
        """The planned text of a file (by original path), if this plan touches it."""
        change = self.changes.get(path)
        return change.after() if change else None

    # --- reading ---
    def effective(self) -> list[FileChange]:
        return [c for c in self.changes.values() if c.changed]

    def __bool__(self) -> bool:
        return bool(self.effective())

    def paths_written(self) -> list[str]:
        return sorted(c.path for c in self.effective())

    def paths_removed(self) -> list[str]:
        return sorted(c.old_path for c in self.effective() if c.is_move and c.old_path)

    def paths_touched(self) -> list[str]:
        return sorted(set(self.paths_written()) | set(self.paths_removed()))

    def summary(self) -> dict[str, int]:
        eff = self.effective()
        return {
            "files": len(eff),
            "created": sum(1 for c in eff if c.is_create),
            "moved": sum(1 for c in eff if c.is_move),
            "edited": sum(1 for c in eff if not c.is_create and c.after() != c.before),
            "edits": sum(len(c.edits) for c in eff),
        }

    def diff(self, context: int = 3) -> str:
        """The whole plan as a git-style unified diff."""
        out: list[str] = []
        for change in sorted(self.effective(), key=lambda c: c.old_path or c.path):
            old = change.old_path or change.path
            new = change.path
            before = (change.before or "").splitlines(keepends=True)
            after = change.after().splitlines(keepends=True)
            out.append(f"diff --git a/{old} b/{new}\n")
            if change.is_create:
                out.append("new file\n")
            elif change.is_move:
                out.append(f"rename from {old}\nrename to {new}\n")
            lines = list(
                difflib.unified_diff(
                    before,
                    after,
                    fromfile="/dev/null" if change.is_create else f"a/{old}",
                    tofile=f"b/{new}",
                    n=context,
                )
            )
            for line in lines:
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def final_bytes(self) -> dict[str, bytes]:
        return {c.path: encode(c.after()) for c in self.effective()}
