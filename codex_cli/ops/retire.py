"""`codex retire NOTE --reason T`: retired claims are marked, never deleted.

The sample's schemas/claim.md: "Claims that are superseded or invalidated
get `status: retired` with explanation, not deleted". Retiring sets
`status: retired` and `retired_reason: T` in the frontmatter by replacing or
inserting those lines only (no other byte of the frontmatter changes), and
removes the note's entries from every map. The file stays where it is, so
every link to it keeps resolving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codex_cli.adapters import fs
from codex_cli.core import frontmatter
from codex_cli.core.maps import newline_of, one_line
from codex_cli.core.note import Note, decode
from codex_cli.core.plan import TextEdit
from codex_cli.errors import Refused, UsageError
from codex_cli.ops.maps import MapOutcome, MapPlan, land_change, plan_remove
from codex_cli.vault import Vault

STATUS = "status"
RETIRED = "retired"
REASON_FIELD = "retired_reason"


@dataclass
class RetirePlan:
    note: Note
    reason: str
    change: MapPlan  # the frontmatter edit and the map removals, in one Plan


def _field_line(text: str, block: frontmatter.Block, name: str) -> tuple[int, int] | None:
    """Span of a top-level `name:` line (with any indented continuation lines), newline excluded."""
    m = re.compile(r"^" + re.escape(name) + r"[ \t]*:.*$", re.MULTILINE).search(text, block.start, block.end)
    if m is None:
        return None
    end = m.end()
    while True:  # block lists and folded scalars continue on indented lines
        nxt = end + 1
        if nxt >= block.end:
            break
        line_end = text.find("\n", nxt)
        line_end = block.end if line_end == -1 or line_end > block.end else line_end
        line = text[nxt:line_end]
        if line[:1] not in (" ", "\t", "-") or not line.strip():
            break
        end = line_end
    if text[end - 1 : end] == "\r":
        end -= 1
    return m.start(), end


def frontmatter_edits(text: str, reason: str) -> list[TextEdit]:
    """Edits that make the note's frontmatter say `status: retired` and why."""
    nl = newline_of(text)
    lines = {STATUS: f"{STATUS}: {RETIRED}", REASON_FIELD: f"{REASON_FIELD}: {frontmatter.quote_for('', reason, False)}"}
    block = frontmatter.locate(text)
    if block is None:
        start = 1 if text.startswith("\ufeff") else 0
        body = f"---{nl}" + "".join(line + nl for line in lines.values()) + f"---{nl}"
        return [TextEdit(start, start, body + ("" if text[start:].startswith(("\n", "\r\n")) or not text[start:] else nl))]
    if not block.closed:
        raise Refused("the frontmatter is never closed with `---`: fix it first (codex check)")
    edits: list[TextEdit] = []
    inserts = ""
    for name, line in lines.items():
        span = _field_line(text, block, name)
        if span is None:
            inserts += line + nl
        elif text[span[0] : span[1]] != line:
            edits.append(TextEdit(span[0], span[1], line))
    if inserts:
        at = block.end
        if at > block.start and text[at - 1] != "\n":
            inserts = nl + inserts
        edits.append(TextEdit(at, at, inserts))
    return edits


def plan_retire(vault: Vault, note: Note, reason: str) -> RetirePlan:
    reason = one_line(reason)
    if not reason:
        raise UsageError("--reason must say why the note is retired")
    spec = vault.config.types.get(note.type or "") or {}
    rule = (spec.get("fields") or {}).get(STATUS) or {}
    allowed = rule.get("enum")
    if allowed and RETIRED not in allowed:
        raise Refused(f"a {note.type} cannot be retired: its status is one of {', '.join(map(str, allowed))}")
    if vault.config.is_map(note.path):
        raise Refused(f"{note.path} is a map; maps are not retired")
    meta = note.meta or {}
    said = meta.get(REASON_FIELD)
    if meta.get(STATUS) == RETIRED and said != reason:  # the same reason again changes nothing (exit 0)
        raise Refused(
            f"{note.title} is already retired" + (f" ({said})" if said else ""),
            hint=f"to change why, edit {REASON_FIELD} in its frontmatter",
        )
    raw = fs.read_bytes(vault.root, note.path)
    text, _ = decode(raw)
    change = MapPlan()
    for edit in frontmatter_edits(text, reason):
        change.plan.edit(note.path, raw, edit.start, edit.end, edit.new)
    plan_remove(vault, note, plan=change, required=False)
    return RetirePlan(note, reason, change)


def retire(
    vault: Vault, note: Note, reason: str, options: object, *, dry_run: bool = False, planned: RetirePlan | None = None
) -> tuple[RetirePlan, MapOutcome]:
    """Plan (unless `planned` is given), then preview (dry_run) or apply and commit the retirement."""
    from codex_cli.core.text import short_title

    if planned is None:
        planned = plan_retire(vault, note, reason)
    maps_touched = sorted({c.map for c in planned.change.removed})
    what = f"status: retired on {note.path}"
    if maps_touched:
        what += "; removed from " + ", ".join(maps_touched)
    outcome = land_change(
        vault,
        planned.change,
        options,
        why=planned.reason,
        dry_run=dry_run,
        action=f"retire {short_title(note.title)}",
        what=what,
    )
    return planned, outcome
