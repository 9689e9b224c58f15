"""`codex link`: suggest related notes, insert links, repair broken ones.

Everything here builds a `Plan` of exact-offset text edits and lands it with
`ops.commit.land` (subject `<agent>: link <short title>`). Inserting links:

- in the body, `- [[title]] — relation` bullets go under `Relevant Notes:`
  (created, with its `---` separator, before `Topics:` when absent);
- with `as_field` (`depends_on`, `challenged_by`), the title is added to that
  frontmatter list, and no other byte of the frontmatter changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codex_cli.core import frontmatter
from codex_cli.core.links import Link, markdown_destination
from codex_cli.core.matcher import Draft, Suggestion, draft_of
from codex_cli.core.note import Note, decode
from codex_cli.core.plan import Plan
from codex_cli.core.resolve import BROKEN
from codex_cli.core.text import short_title, strip_md
from codex_cli.errors import Ambiguous, NotFound, Refused, UsageError
from codex_cli.ops.commit import CommitOptions, Landed, Message, land
from codex_cli.vault import Vault

if TYPE_CHECKING:
    from codex_cli.adapters.grep_rank import ColdIndex
    from codex_cli.adapters.search_index import SearchIndex

AS_FIELDS = ("depends_on", "challenged_by")
DASH = "—"
CLEAR_LEAD = 8.0  # points (0-100) the best fix must lead the runner-up by for --yes
CLEAR_MIN = 85.0  # and the least score it must reach


@dataclass
class Suggested:
    note: Note | None  # None for a draft (`--draft`)
    suggestions: list[Suggestion]

    def to_json(self) -> dict[str, object]:
        return {
            "note": self.note.path if self.note else None,
            "suggestions": [{"title": s.title, "path": s.path, "score": s.score, "why": s.why} for s in self.suggestions],
        }


def suggest(vault: Vault, query: str, limit: int = 10, types: list[str] | None = None) -> Suggested:
    """The ranking for an existing note (NOTE: a title or a path).

    Works from the search index alone (no full vault load), so that it stays
    fast on large vaults; NOTE is found with the same rules as everywhere.
    """
    from codex_cli.adapters import search_index
    from codex_cli.core.matcher import open_index, rank_in, text_reader

    if search_index.answer_cold(vault):
        from codex_cli.adapters.grep_rank import GrepUnavailable

        try:
            return _suggest_cold(vault, query, limit, types)
        except GrepUnavailable:
            pass  # not a git work tree: build the index now, as below
        finally:
            search_index.build_in_background(vault.root)
    index = open_index(vault, settle=False)
    try:
        try:
            path = _find_path(vault, index, query)
        except (NotFound, Ambiguous):
            if not index.settle():
                raise
            path = _find_path(vault, index, query)  # a note the index had not seen yet
        if not (vault.root / path).is_file() and index.settle():
            path = _find_path(vault, index, query)  # gone since the index saw it
        note = vault.reparse(path)
        wanted = frozenset(types) if types else vault.config.claim_types
        return Suggested(note, rank_in(index, draft_of(vault, note), limit, wanted, text_reader(vault)))
    finally:
        index.close()


def propose(vault: Vault, draft: Draft, limit: int = 10, types: list[str] | None = None) -> list[Suggestion]:
    """The ranking for text that is not (or not yet) a note: `new`'s proposals, `link --draft`.

    Like `suggest`: from the index when it is built, else from one `git grep`
    pass while the index is built in the background.
    """
    from codex_cli.adapters import search_index
    from codex_cli.core.matcher import rank

    wanted = frozenset(types) if types else vault.config.claim_types
    if search_index.answer_cold(vault):
        from codex_cli.adapters.grep_rank import GrepUnavailable
        from codex_cli.adapters.grep_rank import rank as cold_rank

        try:
            return cold_rank(vault, draft, limit, wanted)
        except GrepUnavailable:
            pass  # not a git work tree: build the index now
        finally:
            search_index.build_in_background(vault.root)
    return rank(vault, draft, limit, wanted)


def read_draft(vault: Vault, source: str, text: str) -> Draft:
    """A draft from a file's text (`-`: standard input): frontmatter, an H1 as the title, the body.

    Without an H1 the title is the file name (or, from standard input, the
    first line). Its links are left out of the query and used as seeds.
    """
    from codex_cli.core.note import parse_note

    note = parse_note("draft.md", text.encode("utf-8", "surrogateescape"), vault.context())
    body = text[note.body_start :]
    title = note.h1 or ""
    if not title:
        if source != "-":
            title = strip_md(source.replace("\\", "/").rpartition("/")[2])
        else:
            first = body.strip().splitlines()[:1]
            title = first[0].lstrip("# ").strip() if first else ""
    return Draft(title, note.description, body, None, frozenset(link.target for link in note.links if link.target.strip()), note.domain)


def _suggest_cold(vault: Vault, query: str, limit: int, types: list[str] | None) -> Suggested:
    """The ranking while there is no index yet: one `git grep` pass (adapters.grep_rank)."""
    from codex_cli.adapters.grep_rank import ColdIndex
    from codex_cli.core.matcher import rank_in, text_reader

    index = ColdIndex(vault.root, vault.context(), vault.config.is_map)
    try:
        path = _find_path(vault, index, query)
    except (NotFound, Ambiguous):
        if not index.add_untracked():
            raise
        path = _find_path(vault, index, query)  # an untracked note
    note = vault.reparse(path)
    index.about(note.title, path)
    wanted = frozenset(types) if types else vault.config.claim_types
    return Suggested(note, rank_in(index, draft_of(vault, note), limit, wanted, text_reader(vault)))


def _find_path(vault: Vault, index: SearchIndex | ColdIndex, query: str) -> str:
    """Vault.find_note's rules (a path, else a title; ambiguous and missing refused) over the index."""
    from codex_cli.core.resolve import target_key
    from codex_cli.core.suggest import closest_titles

    candidate = vault._as_path(query)
    if candidate is not None and index.by_path(candidate) is not None:
        return candidate
    found = index.find(target_key(query)) if target_key(query) else []
    if len(found) == 1:
        return found[0].path
    if len(found) > 1:
        raise Ambiguous(query, sorted(r.path for r in found))
    raise NotFound(query, closest_titles(query, index.titles()))


# --- inserting links -------------------------------------------------------------


@dataclass
class Pick:
    """One link to add: the note to link to and an optional relation phrase."""

    target: Note
    relation: str = ""


@dataclass
class LinkResult:
    note: Note
    added: list[str] = field(default_factory=list)  # titles linked
    skipped: list[str] = field(default_factory=list)  # titles already linked
    reverse: list[str] = field(default_factory=list)  # paths that got the reverse link
    fixed: list[tuple[str, str]] = field(default_factory=list)  # (old target, new target)
    plan: Plan | None = None
    landed: Landed | None = None
    dry_run: bool = False

    def to_json(self) -> dict[str, object]:
        landed = self.landed
        files = self.plan.paths_touched() if self.plan else []
        return {
            "note": self.note.path,
            "added": self.added,
            "skipped": self.skipped,
            "reverse": self.reverse,
            "fixed": [{"from": a, "to": b} for a, b in self.fixed],
            "files": files,  # the key every committing command has
            "files_changed": files,
            "commit": landed.commit if landed else None,
            "branch": landed.branch if landed else None,
            "dry_run": self.dry_run,
        }


def resolve_targets(vault: Vault, titles: list[str], source: Note | None = None) -> list[Note]:
    """The notes `--to` names; the first that does not resolve is refused with the closest titles.

    A title several notes share names the one a link from `source` would
    reach (the one in its folder, by the link rules); with none there it is
    refused as ambiguous, with the candidates.
    """
    found = []
    for title in titles:
        try:
            found.append(vault.find_note(title))
        except Ambiguous:
            res = vault.resolver.resolve(title, source.path) if source is not None else None
            if res is None or res.note is None:
                raise
            found.append(vault.notes[res.note.path])
    return found


def written_target(vault: Vault, target: Note, source: Note) -> str:
    """What to write inside `[[...]]` so that it resolves to `target` from `source`."""
    res = vault.resolver.resolve(target.title, source.path)
    if res.note is not None and res.note.path == target.path:
        return target.title
    return strip_md(target.path)


def already_linked(vault: Vault, source: Note, target: Note, field_name: str | None = None) -> bool:
    for link in source.links:
        if field_name is not None and link.field != field_name:
            continue
        res = vault.resolver.resolve_link(link, source.path)
        if res.note is not None and res.note.path == target.path:
            return True
    return False


def plan_links(
    vault: Vault,
    note: Note,
    picks: list[Pick],
    *,
    as_field: str | None = None,
    both: bool = False,
    plan: Plan | None = None,
) -> LinkResult:
    """The plan that adds `picks` to `note` (and the reverse links with `both`)."""
    if as_field is not None and as_field not in AS_FIELDS:
        raise UsageError(f"--as {as_field}: expected one of {', '.join(AS_FIELDS)}")
    plan = plan if plan is not None else Plan()
    result = LinkResult(note, plan=plan)
    todo: list[Pick] = []
    seen: set[str] = set()
    for pick in picks:
        if pick.target.path == note.path:
            raise Refused(f"a note cannot link to itself: {note.title}")
        if pick.target.path in seen or already_linked(vault, note, pick.target, as_field):
            result.skipped.append(pick.target.title)
            continue
        seen.add(pick.target.path)
        todo.append(pick)
    if todo:
        raw = _raw(vault, note.path)
        text = raw.decode("utf-8", "surrogateescape")
        if as_field is None:
            lines = [_bullet(written_target(vault, p.target, note), p.relation) for p in todo]
            offset, insert = relevant_notes_insertion(text, lines)
        else:
            offset, insert = frontmatter_insertion(text, as_field, [written_target(vault, p.target, note) for p in todo])
        plan.edit(note.path, raw, offset, offset, insert)
        result.added.extend(p.target.title for p in todo)
    if both:
        for pick in picks:
            target = pick.target
            if target.path == note.path or already_linked(vault, target, note):
                continue
            raw = _raw(vault, target.path)
            text = raw.decode("utf-8", "surrogateescape")
            offset, insert = relevant_notes_insertion(text, [_bullet(written_target(vault, note, target), "")])
            plan.edit(target.path, raw, offset, offset, insert)
            result.reverse.append(target.path)
    return result


def _raw(vault: Vault, path: str) -> bytes:
    from codex_cli.adapters import fs

    return fs.read_bytes(vault.root, path)


def _bullet(target: str, relation: str) -> str:
    relation = " ".join(relation.split())
    return f"- [[{target}]] {DASH} {relation}" if relation else f"- [[{target}]]"


_RELEVANT = re.compile(r"^Relevant Notes\s*:[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_TOPICS = re.compile(r"^Topics\s*:[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_SEPARATOR_BEFORE = re.compile(r"(?:^|\n)---[ \t]*\r?\n(?:[ \t]*\r?\n)*$")
_BULLET = re.compile(r"[ \t]*[-*+] ")


def relevant_notes_insertion(text: str, bullets: list[str]) -> tuple[int, str]:
    """Where and what to insert so that `bullets` end the `Relevant Notes:` list."""
    nl = "\r\n" if "\r\n" in text else "\n"
    block = "".join(b + nl for b in bullets)
    fm = frontmatter.locate(text)
    body_start = fm.body_start if fm is not None and fm.closed else 0
    m = _RELEVANT.search(text, body_start)
    if m is not None:
        pos = m.end()
        if text.startswith(nl, pos):
            pos += len(nl)
        last_end = pos
        i = pos
        while i < len(text):
            j = text.find("\n", i)
            line_end = len(text) if j == -1 else j + 1
            line = text[i:line_end]
            if _BULLET.match(line) or (line.startswith(("  ", "\t")) and line.strip() and last_end > pos):
                last_end = line_end
            elif line.strip() and not _BULLET.match(line):
                break
            elif not line.strip() and last_end == pos:
                pass  # blank lines between the heading and the first bullet
            elif not line.strip():
                break
            i = line_end
        if last_end == len(text) and not text.endswith("\n"):
            return last_end, nl + block.rstrip("\r\n")
        return last_end, block
    section = f"Relevant Notes:{nl}{block}{nl}"
    t = _TOPICS.search(text, body_start)
    if t is not None:
        if _SEPARATOR_BEFORE.search(text[body_start : t.start()]):
            return t.start(), section
        return t.start(), f"---{nl}{nl}{section}"
    ending = "" if text.endswith("\n") else nl
    return len(text), f"{ending}{nl}---{nl}{nl}Relevant Notes:{nl}{block}"


def frontmatter_insertion(text: str, field_name: str, titles: list[str]) -> tuple[int, str]:
    """Where and what to insert so that `titles` end the frontmatter list `field_name`."""
    block = frontmatter.locate(text)
    if block is None or not block.closed:
        raise Refused(f"--as {field_name}: the note has no (closed) frontmatter to record it in")
    try:
        frontmatter.load(text[block.start : block.end])
    except frontmatter.FrontmatterError as exc:
        raise Refused(f"--as {field_name}: the frontmatter is not valid YAML ({exc.message}); fix it first or link in the body") from None
    nl = "\r\n" if "\r\n" in text else "\n"
    key_line = re.compile(r"^" + re.escape(field_name) + r"[ \t]*:(?P<rest>[^\r\n]*)", re.MULTILINE).search(text, block.start, block.end)
    if key_line is None:
        items = "".join(f'  - {_quoted(t, "", False)}{nl}' for t in titles)
        return block.end, f"{field_name}:{nl}{items}"
    rest = key_line.group("rest").strip()
    spans = [s for s in frontmatter.value_spans(text, block, {field_name}) if s.field == field_name]
    if rest.startswith("["):
        close = text.rfind("]", key_line.start(), key_line.end())
        if close == -1:
            raise Refused(f"--as {field_name}: cannot find the end of its flow list; edit it by hand")
        style = spans[-1].style if spans else '"'
        values = ", ".join(_quoted(t, style, True) for t in titles)
        return close, (", " + values if spans else values)
    if spans and not spans[0].flow:
        last = spans[-1]
        line_start = text.rfind("\n", 0, last.start) + 1
        indent = re.match(r"[ \t]*-[ \t]*", text[line_start:]).group()  # type: ignore[union-attr]
        quote_end = last.end + (1 if last.exact and last.style else 0)
        line_end = text.find("\n", quote_end)
        line_end = block.end if line_end == -1 or line_end >= block.end else line_end + 1
        wiki = "[[" in last.value
        items = "".join(f"{indent}{_quoted(f'[[{t}]]' if wiki else t, last.style, False)}{nl}" for t in titles)
        return line_end, items
    if rest:
        raise Refused(f"--as {field_name}: the field holds a single value, not a list; edit it by hand")
    items = "".join(f'{nl}  - {_quoted(t, "", False)}' for t in titles)
    return key_line.end(), items


def _bare_value(raw: bytes, link: Link, new: str) -> str:
    """A frontmatter title written over an exact value span, quoted only when it must be."""
    text = raw.decode("utf-8", "surrogateescape")
    quoted = link.target_start > 0 and text[link.target_start - 1] in "\"'"
    if quoted:
        return new
    return frontmatter.quote_for("", new, text[: link.target_start].rstrip().endswith(("[", ",")))


def _quoted(value: str, style: str, flow: bool) -> str:
    return frontmatter.quote_for(style or '"', value, flow)


# --- repairing broken links ------------------------------------------------------


@dataclass
class BrokenLink:
    link: Link
    candidates: list[tuple[str, float]]  # (title, 0-100), best first

    @property
    def clear_best(self) -> str | None:
        """The best candidate when it is clearly ahead of the rest, else None."""
        if not self.candidates:
            return None
        best, score = self.candidates[0]
        runner = self.candidates[1][1] if len(self.candidates) > 1 else 0.0
        if score >= CLEAR_MIN and score - runner >= CLEAR_LEAD:
            return best
        return None


def broken_links(vault: Vault, note: Note, limit: int = 5) -> list[BrokenLink]:
    """The note's broken links that can be rewritten in place, with candidates (did_you_mean), never itself."""
    out = []
    for link in note.links:
        if link.target_start < 0 or not link.target.strip():
            continue
        if vault.resolver.resolve_link(link, note.path).status != BROKEN:
            continue
        found = did_you_mean(vault, link.target, note.path, limit)
        out.append(BrokenLink(link, [(_written_form(vault, p, note), sc) for p, sc in found]))
    return out


def _written_form(vault: Vault, path: str, source: Note) -> str:
    """The title, or the path (without .md) when the title alone would not lead to this note."""
    return written_target(vault, vault.notes[path], source) if path in vault.notes else strip_md(path)


FUZZY_SURE = 90.0  # a title this close by edit distance needs no ranker


def did_you_mean(vault: Vault, target: str, source_path: str | None, limit: int = 3) -> list[tuple[str, float]]:
    """The notes a broken `[[target]]` most likely meant, as (path, 0-100), best first.

    Edit distance first (core.suggest); where it is not sure (a truncated or
    reworded title) the link ranker is asked with the target as a title, and
    its order decides, the edit score breaking ties. Never the linking note.
    """
    from codex_cli.core.suggest import Suggester, combined_score
    from codex_cli.core.text import loose_key

    by_title: dict[str, list[str]] = {}
    for n in vault.notes.values():
        if n.path != source_path:
            by_title.setdefault(n.title, []).append(n.path)
    query = strip_md(target.rpartition("/")[2])
    qkey = loose_key(query)
    if not qkey:
        return []
    fuzzy = [(t, combined_score(qkey, loose_key(t))) for t in Suggester(list(by_title)).suggest(query, limit + 2)]
    scores: dict[str, float] = {}
    for t, sc in fuzzy:
        for p in _prefer_path(by_title[t], target):
            scores.setdefault(p, sc)
    if fuzzy and fuzzy[0][1] >= FUZZY_SURE:
        return sorted(scores.items(), key=lambda ps: -ps[1])[:limit]
    types = list({n.type for n in vault.notes.values() if n.type})
    ranked = propose(vault, Draft(title=query, path=source_path), limit + 2, types) if types else []
    order = {s.path: k for k, s in enumerate(ranked)}
    for s in ranked:
        if s.path != source_path:
            scores.setdefault(s.path, round(combined_score(qkey, loose_key(vault.notes[s.path].title if s.path in vault.notes else s.title)), 1))
    best = sorted(scores, key=lambda p: (order.get(p, len(order)), -scores[p]))
    return [(p, scores[p]) for p in best[:limit]]


def _prefer_path(paths: list[str], target: str) -> list[str]:
    """Of several notes sharing a title, those whose path ends like the target's (`ai-alignment/_map`)."""
    if len(paths) <= 1 or "/" not in target:
        return paths
    from codex_cli.core.text import loose_key

    tail = loose_key(strip_md(target))
    fitting = [p for p in paths if loose_key(strip_md(p)).endswith(tail)]
    return fitting or paths


def plan_fixes(vault: Vault, note: Note, choices: list[tuple[Link, str]], plan: Plan | None = None) -> LinkResult:
    """Rewrite each chosen link's target (alias and heading stay as they are)."""
    plan = plan if plan is not None else Plan()
    result = LinkResult(note, plan=plan)
    if not choices:
        return result
    raw = _raw(vault, note.path)
    for link, title in choices:
        target = vault.find_note(title)
        if target.path == note.path:
            raise Refused(f"a note cannot link to itself: [[{link.target}]] in {note.path}")
        new = written_target(vault, target, note)
        if link.markdown:  # the path from this note, encoded as the link was
            written = decode(raw)[0][link.target_start - 1 : link.target_end]
            new = markdown_destination(target.path, note.path, written[1:], angle=written[:1] == "<")
        if link.bare:
            new = _bare_value(raw, link, new)
        plan.edit(note.path, raw, link.target_start, link.target_end, new)
        result.fixed.append((link.target, new))
    return result


# --- landing ---------------------------------------------------------------------


def land_links(vault: Vault, result: LinkResult, options: CommitOptions, *, relation_note: str = "") -> LinkResult:
    """Apply and commit the plan of `plan_links` / `plan_fixes` (nothing to do: no commit)."""
    plan = result.plan
    if plan is None or not plan:
        return result
    what_parts = []
    if result.added:
        what_parts.append("linked " + "; ".join(f"[[{t}]]" for t in result.added))
    if result.fixed:
        what_parts.append("repaired " + "; ".join(f"[[{a}]] -> [[{b}]]" for a, b in result.fixed))
    if result.reverse:
        what_parts.append(f"reverse links in {len(result.reverse)} note{'s' if len(result.reverse) != 1 else ''}")
    msg = Message(
        action=f"link {short_title(result.note.title)}",
        what="; ".join(what_parts) or None,
        why=relation_note or None,
    )
    result.landed = land(vault, plan, msg, options, branch_hint=f"link {result.note.title}")
    return result
