"""A vault's own schemas (`schemas/<type>.md`) read as field rules.

The knowledge base documents each note type in a markdown file: a fenced
YAML example of the frontmatter (`entity_type: company | person | …`,
`created: YYYY-MM-DD`, `tags: []`) and tables of required and optional
fields (`| name | enum | … |`). `parse_schema` turns one such file into the
same `{"fields": {name: rule}}` shape the configuration uses, so that the
vault's schemas, not the built-in ones, decide what `check` accepts and
what `new` offers. Every fenced YAML block counts: the entity schema lists
`status: active | passed | failed` for decision markets in a later block,
and those values are accepted too. A `## Legacy Fields` section's
"`status: partial` instead of `processing`" lines become the rule's
`legacy` values: accepted by check, never offered.
"""

from __future__ import annotations

import re
from typing import Any

_FENCE = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_FIELD = re.compile(r"^([A-Za-z_][\w]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_WORD = re.compile(r"^[\w][\w.-]*$")
_ROW = re.compile(r"^\|\s*`?([A-Za-z_]\w*)`?\s*\|\s*([A-Za-z]+)\s*\|")
_HEADING = re.compile(r"^#{2,}\s+(.*?)\s*$", re.MULTILINE)
_LEGACY = re.compile(r"`([A-Za-z_]\w*):[ \t]*([\w][\w.-]*)`[ \t]+instead of")
# Fields whose values name domains: their listed values widen the known domains
# instead of becoming the only ones allowed (a schema lists a few; folders add more).
DOMAIN_FIELDS = frozenset({"domain", "secondary_domains"})
# Fields whose listed values are only examples: the agents grow (`agents/` is the truth).
OPEN_FIELDS = frozenset({"agent", "tracked_by"})
_TABLE_KINDS = {"enum": None, "string": "text", "text": "text", "date": "date", "list": "list"}


def _strip_comment(value: str) -> str:
    """`a | b  # note` -> `a | b` (a `#` inside quotes stays)."""
    if value.startswith(("\"", "'")):
        return value
    cut = re.search(r"(^|\s)#", value)
    return value[: cut.start()].rstrip() if cut else value


def _enum_of(value: str) -> list[str] | None:
    if "|" not in value:
        return None
    parts = [p.strip() for p in value.split("|")]
    if len(parts) < 2 or not all(_WORD.match(p) for p in parts):
        return None
    return parts


def _kind_of(value: str) -> str | None:
    if value.startswith("YYYY-MM-DD"):
        return "date"
    if value.startswith("["):
        return "list"
    if value.startswith(("\"", "'")):
        return "text"
    return None


def parse_schema(text: str, type_name: str) -> tuple[dict[str, Any], set[str]]:
    """The field rules one schema file states, and the domain names it lists.

    Returns ({"fields": {...}}, domains). A file with no fenced YAML block
    about `type: <type_name>` gives no rules.
    """
    fields: dict[str, dict[str, Any]] = {}
    domains: set[str] = set()
    blocks = [b.group(1) for b in _FENCE.finditer(text)]
    if not any(re.search(rf"^type:\s*{re.escape(type_name)}\s*$", b, re.MULTILINE) for b in blocks):
        return {}, domains
    for i, block in enumerate(blocks):
        for line in block.splitlines():
            if line.startswith((" ", "\t", "-", "#")):
                continue
            m = _FIELD.match(line)
            if m is None:
                continue
            name, raw = m.group(1), m.group(2)
            if name == "type":
                continue
            value = _strip_comment(raw)
            rule = fields.setdefault(name, {}) if i == 0 or name in fields else None
            if rule is None:
                continue  # a later block's own fields (say, decision-market attributes) are not checked
            enum = None if name in OPEN_FIELDS else _enum_of(value)
            if enum is not None and name in DOMAIN_FIELDS:
                domains.update(enum)
                rule["enum"] = "domains"
            elif enum is not None:
                old = rule.get("enum")
                merged = list(old) if isinstance(old, list) else []
                merged += [v for v in enum if v not in merged]
                rule["enum"] = merged
            elif i == 0 and "kind" not in rule:
                kind = _kind_of(value)
                if kind is not None:
                    rule["kind"] = kind
    _read_tables(text, fields)
    _read_legacy(text, fields)
    for name in DOMAIN_FIELDS & fields.keys():
        fields[name]["enum"] = "domains"
        if name == "secondary_domains":
            fields[name]["kind"] = "list"
    out_fields: dict[str, Any] = {"type": {"required": True}, **fields}
    return {"fields": out_fields}, domains


def _read_legacy(text: str, fields: dict[str, dict[str, Any]]) -> None:
    """A `## Legacy …` section's "`status: partial` instead of …" lines: older values still accepted (rule `legacy`)."""
    headings = list(_HEADING.finditer(text))
    for n, h in enumerate(headings):
        if "legacy" not in h.group(1).lower():
            continue
        end = headings[n + 1].start() if n + 1 < len(headings) else len(text)
        for m in _LEGACY.finditer(text, h.end(), end):
            rule = fields.get(m.group(1))
            if rule is not None and isinstance(rule.get("enum"), list):
                legacy = rule.setdefault("legacy", [])
                if m.group(2) not in legacy and m.group(2) not in rule["enum"]:
                    legacy.append(m.group(2))


def _read_tables(text: str, fields: dict[str, dict[str, Any]]) -> None:
    """`## Required Fields` / `## Optional Fields` tables: required-ness and kinds."""
    headings = list(_HEADING.finditer(text))
    for n, h in enumerate(headings):
        title = h.group(1).lower()
        if "field" not in title or not ("required" in title or "optional" in title):
            continue
        required = "required" in title
        end = headings[n + 1].start() if n + 1 < len(headings) else len(text)
        for line in text[h.end() : end].splitlines():
            m = _ROW.match(line.strip())
            if m is None or m.group(1).lower() in ("field", "type"):
                continue
            name, kind = m.group(1), m.group(2).lower()
            if kind not in _TABLE_KINDS:
                continue  # `object`, or a header row
            rule = fields.setdefault(name, {})
            if required:
                rule["required"] = True
            table_kind = _TABLE_KINDS[kind]
            if table_kind is not None and "enum" not in rule:
                rule["kind"] = table_kind
