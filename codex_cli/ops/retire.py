"""`codex retire NOTE --reason T`: retired claims are marked, never deleted.

The sample's schemas/claim.md: "Claims that are superseded or invalidated
get `status: retired` with explanation, not deleted". Retiring sets
`status: retired` and `retired_reason: T` in the frontmatter by replacing or
inserting those lines only (no other byte of the frontmatter changes), and
removes the note's entries from every map. The file stays where it is, so
every link to it keeps resolving.
"""

from __future__ import annotations

from dataclasses import dataclass

from codex_cli.adapters import fs
from codex_cli.core import frontmatter
from codex_cli.core.fields import set_fields
from codex_cli.core.maps import one_line
from codex_cli.core.note import RETIRED, Note, decode
from codex_cli.core.plan import TextEdit
from codex_cli.errors import Refused, UsageError
from codex_cli.ops.maps import MapOutcome, MapPlan, land_change, plan_remove
from codex_cli.vault import Vault

STATUS = "status"
REASON_FIELD = "retired_reason"


@dataclass
class RetirePlan:
    note: Note
    reason: str
    change: MapPlan  # the frontmatter edit and the map removals, in one Plan


def frontmatter_edits(text: str, reason: str) -> list[TextEdit]:
    """Edits that make the note's frontmatter say `status: retired` and why."""
    return set_fields(text, {STATUS: f"{STATUS}: {RETIRED}", REASON_FIELD: f"{REASON_FIELD}: {frontmatter.quote_for('', reason, False)}"})


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
