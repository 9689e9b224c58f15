"""Sources: the archive agents extract from, and its lifecycle.

`codex source add` files a source with `codex new source` (ops.new: the same
questions and template); this module adds what is particular to sources:

1. `duplicate_of`: a source already archived is refused (the same URL, or the
   same title and date), legacy sources (`type: evidence`, `source:` URL,
   `date_published:`) included;
2. `sources`: every archived source with its status (a legacy file without
   `status` is `unprocessed`), for `codex source list`;
3. `plan_status`: the lifecycle `unprocessed → processing → processed |
   null-result`, written as frontmatter lines only (core.fields), with
   `processed_by` and `processed_date`; `null-result` needs `notes`;
4. `move`: that change landed by ops.commit.land, on the extraction's branch
   (`extract/<source-stem>`, config `commit.extract_branch`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from codex_cli.core.fields import set_fields
from codex_cli.core.frontmatter import quote_for
from codex_cli.core.note import Note, decode
from codex_cli.core.plan import Plan
from codex_cli.core.text import loose_key
from codex_cli.errors import Exists, Refused, UsageError
from codex_cli.ops.commit import CommitOptions, Message
from codex_cli.vault import Vault

# `type:` values the archive holds: the schema's, and the legacy ones it still accepts.
SOURCE_TYPES = frozenset({"source", "evidence", "archive"})
UNPROCESSED, PROCESSING, PROCESSED, NULL = "unprocessed", "processing", "processed", "null-result"
STATUSES = (UNPROCESSED, PROCESSING, PROCESSED, NULL)
# What each move accepts as the current status (legacy `partial` counts as processing).
MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    "start": (PROCESSING, (UNPROCESSED,)),
    "done": (PROCESSED, (UNPROCESSED, PROCESSING)),
    "null": (NULL, (UNPROCESSED, PROCESSING)),
}
DEFAULT_EXTRACT_BRANCH = "extract/{stem}"


def source_folder(vault: Vault) -> str:
    spec = vault.config.types.get("source") or {}
    return str(spec.get("folder") or "inbox/archive").strip("/")


def is_source(vault: Vault, note: Note) -> bool:
    if note.type in SOURCE_TYPES:
        return True
    return note.type is None and note.path.startswith(source_folder(vault) + "/")


def status_of(note: Note) -> str:
    value = str((note.meta or {}).get("status") or UNPROCESSED)
    return PROCESSING if value == "partial" else value


def url_key(url: str) -> str:
    """A URL as compared for duplicates: no scheme, no `www.`, no trailing slash or fragment, lower-case host."""
    u = url.strip().split("#", 1)[0]
    u = re.sub(r"^[a-z]+://", "", u, flags=re.IGNORECASE)
    host, slash, rest = u.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + rest).rstrip("/")


def _url(meta: dict[str, Any]) -> str:
    for key in ("url", "source"):
        value = meta.get(key)
        if isinstance(value, str) and "://" in value:
            return value
    return ""


def _date(meta: dict[str, Any]) -> str:
    for key in ("date", "date_published", "date_archived"):
        if meta.get(key):
            return str(meta[key])
    return ""


def _title(note: Note) -> str:
    value = (note.meta or {}).get("title")
    return str(value) if value else (note.h1 or note.title)


def duplicate_of(vault: Vault, title: str, url: str, when: str) -> tuple[str, str] | None:
    """The archived source that is this one (its path and why), or None."""
    want_url = url_key(url) if url else ""
    want_title = loose_key(title)
    for note in vault.notes.values():
        if not is_source(vault, note):
            continue
        meta = note.meta or {}
        if want_url and _url(meta) and url_key(_url(meta)) == want_url:
            return note.path, f"the same URL, {url}"
        if want_title and when and _date(meta) == when and loose_key(_title(note)) == want_title:
            return note.path, f"the same title and date, {when}"
    return None


def refuse_duplicate(vault: Vault, answers: dict[str, Any]) -> None:
    title = answers.get("title")
    text = getattr(title, "text", title)
    found = duplicate_of(vault, str(text or ""), str(answers.get("url") or ""), str(answers.get("date") or ""))
    if found is not None:
        path, why = found
        error = Exists(path)
        error.message = f"already archived: {path}: {why}"
        error.hint = "extract from it (codex extract), or archive a different source"
        raise error


# --- listing ---------------------------------------------------------------------


@dataclass
class SourceRow:
    path: str
    title: str
    status: str
    domain: str
    date: str
    url: str
    processed_by: str = ""
    priority: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sources(vault: Vault, *, status: str | None = None, domain: str | None = None) -> list[SourceRow]:
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status {status!r} is not one of: {', '.join(STATUSES)}")
    rows = []
    for note in vault.notes.values():
        if not is_source(vault, note):
            continue
        meta = note.meta or {}
        row = SourceRow(
            path=note.path,
            title=_title(note),
            status=status_of(note),
            domain=str(meta.get("domain") or ""),
            date=_date(meta),
            url=_url(meta),
            processed_by=str(meta.get("processed_by") or ""),
            priority=str(meta.get("priority") or ""),
        )
        if status is not None and row.status != status:
            continue
        if domain is not None and row.domain != domain:
            continue
        rows.append(row)
    return sorted(rows, key=lambda r: (r.date, r.path))


# --- the lifecycle ---------------------------------------------------------------


def find_source(vault: Vault, query: str) -> Note:
    note = vault.find_note(query)
    if not is_source(vault, note):
        raise Refused(f"{note.path} is not a source (type: {note.type or 'none'})", hint=f"sources live in {source_folder(vault)}/")
    return note


def stem(note: Note) -> str:
    return note.path.rpartition("/")[2].removesuffix(".md")


def extract_branch(vault: Vault, note: Note) -> str:
    template = str(vault.config.commit.get("extract_branch") or DEFAULT_EXTRACT_BRANCH)
    return template.format(stem=stem(note))


def status_lines(move: str, agent: str, notes: str | None, today: str | None = None) -> dict[str, str]:
    """The frontmatter lines a move writes."""
    new_status = MOVES[move][0]
    lines = {"status": f"status: {new_status}"}
    if move in ("done", "null"):
        lines["processed_by"] = f"processed_by: {agent}"
        lines["processed_date"] = f"processed_date: {today or date.today().isoformat()}"
    if notes:
        lines["notes"] = f"notes: {quote_for('', ' '.join(notes.split()), False)}"
    return lines


def check_move(note: Note, move: str, notes: str | None) -> None:
    target, allowed = MOVES[move]
    current = status_of(note)
    if move == "null" and not (notes or "").strip():
        raise UsageError("a null result needs --notes: say why nothing was extracted")
    if current not in allowed:
        raise Refused(
            f"{note.path} is {current}; `{move}` moves a source from {' or '.join(allowed)} to {target}",
            hint="codex source list shows every source's status",
        )


def plan_status(vault: Vault, note: Note, move: str, agent: str, notes: str | None, plan: Plan | None = None) -> Plan:
    from codex_cli.adapters import fs

    check_move(note, move, notes)
    plan = plan if plan is not None else Plan()
    raw = fs.read_bytes(vault.root, note.path)
    text = plan.text_of(note.path)
    if text is not None:
        raise Refused(f"{note.path} is already changed by this plan")
    current, _ = decode(raw)
    for edit in set_fields(current, status_lines(move, agent, notes)):
        plan.edit(note.path, raw, edit.start, edit.end, edit.new)
    return plan


@dataclass
class Moved:
    path: str
    status: str
    branch: str | None = None
    commit: str | None = None
    previous_branch: str | None = None
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


VERBS = {"start": "start processing", "done": "processed", "null": "null result for"}


def move(vault: Vault, query: str, move_name: str, options: CommitOptions, *, notes: str | None = None) -> Moved:
    from codex_cli.ops.commit import author_for, land

    note = find_source(vault, query)
    author = author_for(vault, options)
    plan = plan_status(vault, note, move_name, author.handle, notes)
    if options.branch is None and not options.no_branch:
        options.branch = extract_branch(vault, note)
    file_name = note.path.rpartition("/")[2]
    msg = Message(action=f"{VERBS[move_name]} {file_name}", extra=[f"- Source: {note.path}"] + ([f"- Notes: {' '.join(notes.split())}"] if notes else []))
    landed = land(vault, plan, msg, options, branch_hint=f"source {stem(note)}")
    return Moved(
        note.path,
        MOVES[move_name][0],
        landed.branch,
        landed.commit,
        landed.previous_branch,
        [*landed.applied.written],
    )
