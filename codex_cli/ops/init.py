"""`codex init`: a new knowledge base from scaffolds/.

Writes the skeleton (schemas, one domain folder with its `_map.md`,
`.codex.yaml`, a README), optionally a few linked example claims, then
commits it: in a new git repository, or in the enclosing one.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from codex_cli.adapters import templates
from codex_cli.core.frontmatter import load as load_frontmatter
from codex_cli.core.frontmatter import locate
from codex_cli.core.plan import Plan
from codex_cli.errors import Exists, UsageError

_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass
class InitResult:
    root: str
    files: list[str] = field(default_factory=list)
    commit: str | None = None
    branch: str | None = None
    new_repository: bool = False


def plan_init(root: Path, *, domain: str, example: bool, today: str | None = None) -> Plan:
    if not _DOMAIN.fullmatch(domain):
        raise UsageError(f"--domain {domain!r}: use lower-case letters, digits and hyphens")
    if (root / ".codex.yaml").exists():
        error = Exists(str(root / ".codex.yaml"))
        error.hint = f"{root} is a knowledge base already: codex -C {shlex.quote(str(root))} check"
        raise error
    today = today or date.today().isoformat()
    context = {
        "name": root.resolve().name or "knowledge base",
        "domain": domain,
        "domain_title": domain.replace("-", " ").capitalize(),
        "domain_agent": "agent",
        "today": today,
    }
    plan = Plan()
    for name in templates.list_templates("vault"):
        if name == "map.md.j2":
            continue
        target = name[:-3] if name.endswith(".j2") else name
        text = templates.render(name, context, sub="vault") if name.endswith(".j2") else (templates.builtin_dir() / "vault" / name).read_text(encoding="utf-8")
        plan.create(target, text)
    entries = []
    if example:
        for name in templates.list_templates("example"):
            text = templates.render(name, context, sub="example")
            title = name[:-6]  # drop ".md.j2"
            plan.create(f"domains/{domain}/{title}.md", text)
            block = locate(text)
            meta = load_frontmatter(text[block.start : block.end]) if block else {}
            entries.append({"title": title, "text": _short(str(meta.get("description", "")))})
    plan.create(f"domains/{domain}/_map.md", templates.render("map.md.j2", {**context, "entries": entries}, sub="vault"))
    taken = [c.path for c in plan.effective() if (root / c.path).exists()]
    if taken:  # a knowledge base without .codex.yaml (the sample's own form): nothing to initialise
        error = Exists(", ".join(taken))
        error.hint = f"init writes only where none of its files are; codex works on an existing knowledge base as it is: codex -C {shlex.quote(str(root))} check"
        raise error
    return plan


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def run_init(directory: Path, *, domain: str = "knowledge", example: bool = False, commit: bool = True) -> InitResult:
    from codex_cli.adapters.apply import apply
    from codex_cli.adapters.git import Repository, require_identity

    root = directory.resolve()
    plan = plan_init(root, domain=domain, example=example)  # refuses before any folder is made
    if commit:
        require_identity(next(p for p in (root, *root.parents) if p.is_dir()))
    root.mkdir(parents=True, exist_ok=True)
    repo = Repository.find(root)
    new_repo = repo is None
    if repo is None:
        repo = Repository.init(root)  # first: the write's journal and lock go in its git directory
    applied = apply(root, plan)
    result = InitResult(root=str(root), files=applied.written, new_repository=new_repo)
    result.branch = repo.branch()
    paths = [repo.rel(root, p) for p in applied.written]
    if not commit:
        repo.stage(paths)
        return result
    from codex_cli.config import load as load_config
    from codex_cli.core import commit as commit_mod

    author = commit_mod.Author.person(repo.user_name() or "codex-cli")
    message = commit_mod.message(
        load_config(root).commit,
        author,
        "initialise knowledge base",
        what=f"schemas, the {domain} domain and its map, .codex.yaml" + (", example claims" if example else ""),
        why="start a claim-based knowledge base with codex init",
    )
    result.commit = repo.commit(paths, message)
    return result
