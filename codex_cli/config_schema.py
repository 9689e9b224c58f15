"""The typed schema of `.codex.yaml`: every key's type, and every path confined to the vault.

`validate(data, lines)` walks the merged settings against `SCHEMA` and
returns every problem, each with the line it was written on. A key that has
a default but no entry here is checked against its default's type, so a
setting added to `config.DEFAULTS` is typed from the start. Paths (folders,
the map file name, folder patterns) must stay inside the vault
(core.paths); text that goes into commit messages and branch names is one
line; templates use only the fields they are given. A repository you cloned
is untrusted input: nothing here trusts it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from codex_cli.core.commit import agent_id_problem, agent_name_problem, display_name_problem
from codex_cli.core.paths import unconfined

SUPPORTED_VERSIONS = (1,)


@dataclass
class Problems:
    defaults: dict[str, Any] = field(default_factory=dict)
    found: list[tuple[str, str]] = field(default_factory=list)  # (dotted key, message)

    def add(self, key: str, message: str) -> None:
        self.found.append((key, message))

    def default_check(self, key: str) -> Check | None:
        """The check inferred from the default at `key`; a level the defaults name
        differently (a type, a field) matches any entry at that level."""
        nodes: list[Any] = [self.defaults]
        parts = key.split(".")
        for i, part in enumerate(parts):
            dicts = [n for n in nodes if isinstance(n, dict)]
            exact = [n[part] for n in dicts if part in n]
            if exact:
                nodes = exact
            elif i == len(parts) - 1:
                return None
            else:
                nodes = [v for n in dicts for v in n.values()]
        return _inferred(nodes[0]) if nodes else None


Check = Callable[[Any, str, Problems], None]


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _one_line(value: str) -> bool:
    return not any(c in value for c in "\r\n\x00\x85\u2028\u2029") and all(c >= " " or c == "\t" for c in value)


def text(*, what: str = "text", problem: Callable[[str], str | None] | None = None) -> Check:
    """One line of text; `problem` says what else is wrong with it."""

    def check(value: Any, key: str, out: Problems) -> None:
        if not isinstance(value, str):
            out.add(key, f"must be {what}, not {_kind(value)}")
        elif not _one_line(value):
            out.add(key, "must be one line without control characters")
        elif problem is not None and (why := problem(value)) is not None:
            out.add(key, f"{value!r} {why}")

    return check


def boolean(value: Any, key: str, out: Problems) -> None:
    if not isinstance(value, bool):
        out.add(key, f"must be true or false, not {_kind(value)}")


def anything(value: Any, key: str, out: Problems) -> None:
    return None


def nullable(inner: Check) -> Check:
    def check(value: Any, key: str, out: Problems) -> None:
        if value is not None:
            inner(value, key, out)

    return check


def one_of(choices: Iterable[Any]) -> Check:
    allowed = list(choices)

    def check(value: Any, key: str, out: Problems) -> None:
        if isinstance(value, bool) or value not in allowed:
            out.add(key, f"must be one of {', '.join(map(str, allowed))}, not {value!r}")

    return check


def list_of(item: Check, *, what: str = "must be a list") -> Check:
    def check(value: Any, key: str, out: Problems) -> None:
        if not isinstance(value, list):
            out.add(key, f"{what}, not {_kind(value)}")
            return
        for i, v in enumerate(value):
            item(v, f"{key}.{i}", out)

    return check


def mapping(
    keys: dict[str, Check] | None = None,
    *,
    values: Check | None = None,
    key_check: Callable[[str], str | None] | None = None,
    what: str = "must be a mapping",
) -> Check:
    """A mapping with these keys (others refused), or any keys whose values pass `values`."""

    def check(value: Any, key: str, out: Problems) -> None:
        if not isinstance(value, dict):
            out.add(key, f"{what}, not {_kind(value)}")
            return
        for k, v in value.items():
            sub = f"{key}.{k}" if key else str(k)
            if keys is not None and k in keys:
                keys[k](v, sub, out)
            elif values is not None:
                if key_check is not None and (why := key_check(str(k))) is not None:
                    out.add(sub, f"{str(k)!r}: {why}")
                    continue
                values(v, sub, out)
            elif (inferred := out.default_check(sub)) is not None:
                inferred(v, sub, out)
            else:
                known = ", ".join(sorted(keys or {}))
                out.add(sub, f"is not a known setting (known here: {known})")

    return check


def _fields_of(template: str) -> list[str] | None:
    """The `{field}` names a str.format template uses; None when it is not one."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        names.append(name)
    return names


def template(*allowed: str) -> Check:
    """One line with `{field}` placeholders drawn from `allowed` only."""

    def problem(value: str) -> str | None:
        names = _fields_of(value)
        if names is None:
            return "is not a template: write fields as {name}, with no format spec or attribute"
        unknown = sorted(set(names) - set(allowed))
        if unknown:
            return f"uses {{{unknown[0]}}}; the fields are {', '.join('{' + a + '}' for a in allowed)}"
        return None

    return text(problem=problem)


def folder(*fields: str) -> Check:
    """A vault-relative folder, possibly a pattern with these `{fields}` filled in at run time."""
    pattern = template(*fields)

    def check(value: Any, key: str, out: Problems) -> None:
        before = len(out.found)
        pattern(value, key, out)
        if len(out.found) > before:
            return
        filled = value.strip("/") if value.endswith("/") else value
        filled = filled.format(**{f: "x" for f in fields})
        why = unconfined(filled)
        if why is not None:
            out.add(key, f"{value!r} {why}")

    return check


def _map_file_name(value: str) -> str | None:
    if "/" in value or "\\" in value:
        return "must be a file name, not a path"
    if not value.endswith(".md"):
        return "must end in .md"
    return unconfined(value)


def _glob(value: str) -> str | None:
    return unconfined(value.replace("*", "x").replace("?", "x"))


def _pattern(value: str) -> str | None:
    from codex_cli.core.review import compile_pattern

    try:
        compile_pattern(value)
    except ValueError as exc:
        return str(exc)
    return None


_EXEMPTION = mapping({"subject": text(problem=_pattern), "author": text(problem=_pattern), "why": text()})


def exemption(value: Any, key: str, out: Problems) -> None:
    """A `review.trailer_exempt` rule: `subject` and/or `author` (RE2 patterns), and `why`."""
    before = len(out.found)
    _EXEMPTION(value, key, out)
    if len(out.found) == before and not (value.get("subject") or value.get("author")):
        out.add(key, "must name a `subject` or an `author` pattern (an empty rule would exempt every commit)")


RULE = mapping(
    {
        "required": boolean,
        "kind": one_of(["text", "date", "list"]),
        "enum": lambda v, k, out: (one_of(["domains"]) if isinstance(v, str) else list_of(text(), what="must be a list or `domains`"))(v, k, out),
        "legacy": list_of(text(), what="must be a list"),
    }
)

TYPE = mapping(
    {
        "folder": folder("domain", "agent"),
        "fields": mapping(values=nullable(RULE), what="must map field names to rules"),
        "title_h1": boolean,
    },
)

SCHEMA: dict[str, Check] = {
    "version": one_of(SUPPORTED_VERSIONS),
    "domain_roots": list_of(folder(), what="must be a list of folders"),
    "domains": mapping(values=folder(), key_check=lambda k: None if _one_line(k) and k else "not a domain name", what="must map names to folders"),
    "domain_values": list_of(text()),
    "maps": mapping({"file_name": text(problem=_map_file_name), "extra": list_of(text(problem=_glob))}),
    "title_fields": list_of(text(), what="must be a list"),
    "links": mapping({"aliases": boolean, "frontmatter": boolean, "markdown": boolean, "case_drift": one_of(["warning", "error", "off"])}),
    "claim_types": list_of(text(), what="must be a list"),
    "ignore": list_of(text(what="a glob"), what="must be a list of globs"),
    "belief_files": list_of(text(problem=_glob), what="must be a list of globs"),
    "review": mapping(
        {
            "base": text(problem=lambda v: None if v else "must name a branch"),
            "agents_folder": folder(),
            "restatement": lambda v, k, out: None
            if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1
            else out.add(k, f"must be a number above 0, at most 1, not {_kind(v)}"),
            "trailer_exempt": list_of(exemption, what="must be a list of {subject, author, why} rules"),
        }
    ),
    "schemas": nullable(text(problem=lambda v: None if v == "" else unconfined(v))),
    "types": mapping(values=TYPE, what="must map type names to schemas"),
    "commit": mapping(
        {
            "subject": template("agent", "action"),
            "agent_trailer": template("name", "id"),
            "headless_id": text(problem=agent_id_problem),
            "contributor_trailer": template("name"),
            "protected_branches": list_of(text(), what="must be a list"),
            "branch": template("agent", "slug"),
            "extract_branch": template("stem"),
        }
    ),
    "agents": mapping(
        values=mapping({"name": text(problem=display_name_problem), "id": nullable(text(problem=agent_id_problem))}),
        key_check=agent_name_problem,
        what="must map handles to {name, id}",
    ),
    "agent": nullable(text(problem=agent_name_problem)),
}


def _inferred(default: Any) -> Check:
    """The check for a setting known only by its default value."""
    if isinstance(default, bool):
        return boolean
    if isinstance(default, dict):
        return mapping({k: _inferred(v) for k, v in default.items()}) if default else mapping(values=anything)
    if isinstance(default, list):
        return list_of(anything)
    if isinstance(default, str):
        return text()
    if isinstance(default, (int, float)):
        return lambda v, k, out: None if isinstance(v, (int, float)) and not isinstance(v, bool) else out.add(k, f"must be a number, not {_kind(v)}")
    return anything


def validate(data: dict[str, Any], defaults: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of the merged settings, as (dotted key, message)."""
    out = Problems(defaults)
    for key, value in data.items():
        check = SCHEMA.get(key)
        if check is None:
            check = _inferred(defaults[key]) if key in defaults else None
        if check is None:
            out.add(key, "is not a known setting (see docs/configuration.md)")
        else:
            check(value, key, out)
    return out.found
