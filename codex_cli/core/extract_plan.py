"""An extraction plan (`codex extract --plan FILE`): read, and checked for shape.

The document (YAML or JSON; docs/extract-plan.schema.json describes it)
lists new claims, new entities and enrichments of existing claims.
`read_plan` parses it keeping the line of every key and list item;
`check_shape` reports every problem of shape at once — unknown or missing
keys, wrong types, values outside an enum, titles the one title validator
(core.titles) refuses, titles used twice in the plan — each with its place
(`claims[2].title`) and line. What needs the vault (titles that exist, links
that resolve, the claims to enrich) is checked by ops.extract, into the
same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codex_cli.core.titles import Title, clean_title, same_title
from codex_cli.errors import InvalidTitle

MAX_PLAN_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000

TOP_KEYS = {"source", "extracted_by", "extractor", "notes", "claims", "entities", "enrichments"}
CLAIM_KEYS = {
    "title": "text", "domain": "text", "confidence": "text", "description": "text", "body": "body",
    "source": "text", "links": "links", "depends_on": "titles", "challenged_by": "titles",
    "secondary_domains": "titles", "map_section": "text", "allow_label": "bool",
}
CLAIM_REQUIRED = ("title", "domain", "confidence", "description")
ENTITY_KEYS = {
    "name": "text", "entity_type": "text", "domain": "text", "description": "text", "website": "text",
    "status": "text", "body": "body", "links": "links",
}
ENTITY_REQUIRED = ("name", "entity_type", "domain")
ENRICHMENT_KEYS = {"claim": "text", "evidence": "body", "kind": "text", "confidence": "text", "reason": "text"}
ENRICHMENT_REQUIRED = ("claim", "evidence")
ENRICHMENT_KINDS = ("extend", "confirm", "challenge")
SECTIONS = {"claims": (CLAIM_KEYS, CLAIM_REQUIRED), "entities": (ENTITY_KEYS, ENTITY_REQUIRED), "enrichments": (ENRICHMENT_KEYS, ENRICHMENT_REQUIRED)}


@dataclass(frozen=True)
class Problem:
    place: str  # `claims[2].title`, or "" for the document
    message: str
    line: int | None = None

    def render(self, name: str) -> str:
        at = f"{name}:{self.line}" if self.line else name
        return f"{at}: {self.place}: {self.message}" if self.place else f"{at}: {self.message}"


@dataclass
class Document:
    """The plan as plain data, with the line of each place (`claims[0]`, `claims[0].title`)."""

    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    # asked at a terminal: the links proposed for each claim (`claims[0]` -> ops.new.choose_links' proposals)
    proposals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def line(self, place: str) -> int | None:
        while place:
            if place in self.lines:
                return self.lines[place]
            place = place.rpartition(".")[0] if "." in place else place.rpartition("[")[0]
        return None


class PlanUnreadable(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_plan(text: str) -> Document:
    """Parse YAML (JSON is YAML too) into plain data and the lines of each place."""
    from ruamel.yaml.error import YAMLError

    from codex_cli.core import yaml_rt

    if len(text.encode("utf-8", "surrogateescape")) > MAX_PLAN_BYTES:
        raise PlanUnreadable(f"the plan is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB")
    try:
        node = yaml_rt.reader().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanUnreadable(f"invalid YAML or JSON: {problem}", mark.line + 1 if mark is not None else None) from None
    if node is None:
        node = {}
    doc = Document({})
    counter = [0]
    plain = _plain(node, "", doc.lines, counter)
    if not isinstance(plain, dict):
        raise PlanUnreadable("the plan must be a mapping with `claims`, `entities` and `enrichments`", 1)
    doc.data = plain
    return doc


def _plain(node: Any, place: str, lines: dict[str, int], counter: list[int]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise PlanUnreadable(f"the plan has more than {MAX_NODES} values")
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            key = str(k)
            sub = f"{place}.{key}" if place else key
            if lc is not None:
                try:
                    lines[sub] = lc.key(k)[0] + 1
                except (KeyError, TypeError, AttributeError):
                    pass
            out[key] = _plain(v, sub, lines, counter)
        return out
    if isinstance(node, list):
        items = []
        for i, v in enumerate(node):
            sub = f"{place}[{i}]"
            if lc is not None:
                try:
                    lines[sub] = lc.item(i)[0] + 1
                except (KeyError, TypeError, AttributeError, IndexError):
                    pass
            items.append(_plain(v, sub, lines, counter))
        return items
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, (int, float)):
        return node
    return str(node)


@dataclass
class Limits:
    """What the vault allows: the enums of its schemas, its domains."""

    confidence: list[str]
    entity_types: list[str]
    claim_domains: list[str]  # domains with a folder (a claim is filed there)
    domains: list[str]  # every accepted domain value


class Checker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message, self.doc.line(place)))


def items(doc: Document, section: str) -> list[tuple[str, dict[str, Any]]]:
    """(place, item) of each well-formed item of a section."""
    value = doc.data.get(section)
    if not isinstance(value, list):
        return []
    return [(f"{section}[{i}]", v) for i, v in enumerate(value) if isinstance(v, dict)]


def check_shape(doc: Document, limits: Limits) -> tuple[list[Problem], dict[str, Title]]:
    """Every problem of shape, and the cleaned title of each new note by place (`claims[0]`)."""
    c = Checker(doc)
    data = doc.data
    for key in data:
        if key not in TOP_KEYS:
            c.add(key, f"unknown key; the plan takes: {', '.join(sorted(TOP_KEYS))}")
    for key in ("source", "extracted_by", "extractor", "notes"):
        if key in data and not isinstance(data[key], str):
            c.add(key, "should be text")
    if not any(data.get(s) for s in SECTIONS):
        c.add("", "the plan has no claims, entities or enrichments")
    for section, (keys, required) in SECTIONS.items():
        value = data.get(section)
        if value is None:
            continue
        if not isinstance(value, list):
            c.add(section, "should be a list")
            continue
        for i, item in enumerate(value):
            place = f"{section}[{i}]"
            if not isinstance(item, dict):
                c.add(place, "should be a mapping of keys")
                continue
            _check_item(c, place, item, keys, required)
    titles: dict[str, Title] = {}
    for place, item in items(doc, "claims"):
        _enum(c, f"{place}.confidence", item.get("confidence"), limits.confidence)
        _enum(c, f"{place}.domain", item.get("domain"), limits.claim_domains, "a domain with a folder")
        for j, d in enumerate(item.get("secondary_domains") or [] if isinstance(item.get("secondary_domains"), list) else []):
            _enum(c, f"{place}.secondary_domains[{j}]", d, limits.domains, "a domain")
        title = _title(c, f"{place}.title", item.get("title"))
        if title is not None:
            titles[place] = title
    for place, item in items(doc, "entities"):
        _enum(c, f"{place}.entity_type", item.get("entity_type"), limits.entity_types)
        _enum(c, f"{place}.domain", item.get("domain"), limits.domains, "a domain")
        title = _title(c, f"{place}.name", item.get("name"))
        if title is not None:
            titles[place] = title
    for place, item in items(doc, "enrichments"):
        _enum(c, f"{place}.kind", item.get("kind"), list(ENRICHMENT_KINDS))
        _enum(c, f"{place}.confidence", item.get("confidence"), limits.confidence)
        if item.get("confidence") and not item.get("reason"):
            c.add(f"{place}.reason", "a confidence change needs a reason")
    seen: list[tuple[str, Title]] = []
    for place, title in titles.items():
        first = next((p for p, t in seen if same_title(t.name, title.name)), None)
        if first is not None:
            c.add(f"{place}.{'title' if place.startswith('claims') else 'name'}", f"the same title as {first}")
        seen.append((place, title))
    return c.problems, titles


def _check_item(c: Checker, place: str, item: dict[str, Any], keys: dict[str, str], required: tuple[str, ...]) -> None:
    for key, value in item.items():
        kind = keys.get(key)
        where = f"{place}.{key}"
        if kind is None:
            c.add(where, f"unknown key; one of: {', '.join(keys)}")
        elif kind in ("text", "body") and value is not None and not isinstance(value, str):
            c.add(where, "should be text")
        elif kind == "text" and isinstance(value, str) and "\n" in value.strip():
            c.add(where, "should be one line")
        elif kind == "bool" and not isinstance(value, bool):
            c.add(where, "should be true or false")
        elif kind == "titles" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            c.add(where, "should be a list of titles")
        elif kind == "links" and not (isinstance(value, list) and all(_is_link(v) for v in value)):
            c.add(where, "should be a list of titles, or of {title, relation}")
    for key in required:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            c.add(f"{place}.{key}", "is required")


def _is_link(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and isinstance(value.get("title"), str) and set(value) <= {"title", "relation"} and isinstance(value.get("relation", ""), str)


def links_of(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(place suffix, target, relation) of each link of an item; `TITLE|relation` strings too."""
    out = []
    for j, v in enumerate(item.get("links") or []):
        if isinstance(v, dict):
            out.append((f"links[{j}]", str(v.get("title") or ""), str(v.get("relation") or "")))
        elif isinstance(v, str):
            target, _, relation = v.partition("|")
            out.append((f"links[{j}]", target, relation))
    return out


def _enum(c: Checker, place: str, value: Any, allowed: list[str], what: str = "") -> None:
    if value is None or not isinstance(value, str) or not allowed:
        return
    if value not in allowed:
        shown = ", ".join(allowed[:12]) + (", …" if len(allowed) > 12 else "")
        c.add(place, f"{value!r} is not {what}; one of: {shown}" if what else f"{value!r} is not one of: {shown}")


def _title(c: Checker, place: str, value: Any) -> Title | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return clean_title(value)
    except InvalidTitle as exc:
        c.add(place, exc.message)
        return None
