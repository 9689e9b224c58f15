"""`codex extract SOURCE` at a terminal: the extraction asked item by item.

The source is shown first; then, until "done", a claim, an entity or an
enrichment is added with the same questions `codex new` asks
(ops.new_form.build_form: one validator per field, the title gate). Each
claim is then offered the links `codex new claim` proposes
(ops.new.choose_links: the matcher's ranking, tick and say how each
relates), and asked what it depends on (notes of the vault, or claims and
entities added before it). The answers become the same document a `--plan`
file gives, so ops.extract checks and builds them the one way; the links
proposed go with it (`Document.proposals`) into the result.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from codex_cli.adapters.prompts import Choice, Question
from codex_cli.core.extract_plan import Document
from codex_cli.core.titles import Title
from codex_cli.vault import Vault

SHOWN_LINES = 30
MENU = [
    Choice("claim", "add a claim"),
    Choice("entity", "add an entity"),
    Choice("enrichment", "enrich an existing claim with evidence from this source"),
    Choice("done", "done: review the whole change"),
]


def _show_source(vault: Vault, source: Any, say: Any) -> None:
    text = vault.read_text(source.path)
    lines = text.splitlines()
    say(f"── {source.path} ──")
    for line in lines[:SHOWN_LINES]:
        say("  " + line)
    if len(lines) > SHOWN_LINES:
        say(f"  … ({len(lines) - SHOWN_LINES} more lines)")


def _item(answers: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        value = answers.get(key)
        if isinstance(value, Title):
            value = value.text
        if value not in (None, "", []):
            out[key] = value
    return out


def _one_claim(vault: Vault, value: Any) -> str:
    """An answer naming exactly one claim (asked again otherwise, with the reason)."""
    from codex_cli.core.resolve import AMBIGUOUS, OK
    from codex_cli.errors import UsageError

    target = " ".join(str(value).split()).removesuffix(".md")
    res = vault.resolver.resolve(target, "")
    if res.status == AMBIGUOUS:
        raise UsageError("that title is shared by several notes: type its path, one of: " + "; ".join(sorted(n.path[:-3] for n in res.candidates)))
    if res.status != OK or res.note is None or res.note.type not in vault.config.claim_types:
        raise UsageError(f"no claim is called {target!r}")
    return target


def _depends_on(vault: Vault, data: dict[str, list[dict[str, Any]]], here: str) -> Any:
    """A validator of `a; b`: each names one note of the vault as seen from the new claim's path `here`
    (ops.new.resolve_titles: a title two folders share resolves from the claim's own), or a claim or entity added before."""
    from codex_cli.core.titles import same_title
    from codex_cli.ops.new import resolve_titles

    def check(value: Any) -> list[str]:
        earlier = [str(i.get("title") or i.get("name") or "") for s in ("claims", "entities") for i in data[s]]
        targets = [" ".join(t.split()).removeprefix("[[").removesuffix("]]") for t in str(value or "").split(";")]
        for target in targets:
            if target and not any(same_title(t, target) for t in earlier):
                resolve_titles(vault, "depends_on", [target], here)  # not found, or several: asked again
        return [t for t in targets if t]

    return check


def _source_domains(source: Any, data: dict[str, list[dict[str, Any]]]) -> tuple[str, ...]:
    """Evidence for the domain guess (ops.domain): the source's `domain:`, then the domains of the claims taken so far."""
    declared = (source.meta or {}).get("domain")
    earlier = [str(i["domain"]) for i in data["claims"] if i.get("domain")]
    return tuple(([declared] if isinstance(declared, str) and declared else []) + earlier)


def _count(n: int, section: str) -> str:
    singular = {"claims": "claim", "entities": "entity", "enrichments": "enrichment"}[section]
    return f"{n} {singular if n == 1 else section}"


def _links(vault: Vault, answers: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The links `codex new claim` would propose for these answers, as ticked at the terminal, and the proposals."""
    from codex_cli.ops.new import NewRequest, choose_links, note_path

    chosen, proposals = choose_links(vault, NewRequest(kind="claim"), answers, note_path(vault, "claim", answers), can_ask=True)
    return [{"title": c.target, "relation": c.relation} for c in chosen], proposals


def ask_plan(vault: Vault, request: Any, *, say: Any) -> Document:
    from codex_cli.adapters import prompts
    from codex_cli.ops.commit import author_for
    from codex_cli.ops.extract import _source_line
    from codex_cli.ops.new import note_path
    from codex_cli.ops.new_form import Gate, build_form, known_agents
    from codex_cli.ops.source import find_source

    source = find_source(vault, request.source)
    _show_source(vault, source, say)
    data: dict[str, list[dict[str, Any]]] = {"claims": [], "entities": [], "enrichments": []}
    proposals: dict[str, list[dict[str, Any]]] = {}
    agents = known_agents(vault)
    author = author_for(vault, request.options)
    acting = author.handle if author.is_agent else None
    claims = [n for n in vault.notes.values() if n.type in vault.config.claim_types]
    shared = {t for t, c in Counter(n.title.casefold() for n in claims).items() if c > 1}
    # a title two folders share is offered (and written in the plan) as its path
    claim_titles = sorted(n.path[:-3] if n.title.casefold() in shared else n.title for n in claims)
    while True:
        counts = ", ".join(_count(len(data[k]), k) for k in ("claims", "entities", "enrichments")) + " so far"
        what = prompts.ask_missing([Question("what", "--plan", f"Next ({counts}):", kind="select", choices=MENU, default="claim")], {}, can_ask=True)["what"]
        if what == "done":
            break
        if what == "claim":
            form = build_form(vault, "claim", Gate(vault, "claim", False), agents, agent=acting, source_domains=_source_domains(source, data))
            answers = prompts.ask_missing(form.questions, {"source": _source_line(source)}, can_ask=True)
            item = _item(answers, ["title", "domain", "description", "confidence", "source", "body"])
            links, proposals[f"claims[{len(data['claims'])}]"] = _links(vault, answers)
            here = note_path(vault, "claim", answers)
            depends = Question(
                "depends_on", "--plan", "Depends on (titles separated by ;, or enter for none):", required=False, validate=_depends_on(vault, data, here)
            )
            item |= _item({"links": links, **prompts.ask_missing([depends], {}, can_ask=True)}, ["links", "depends_on"])
            data["claims"].append(item)
        elif what == "entity":
            form = build_form(vault, "entity", Gate(vault, "entity", False), agents)
            answers = prompts.ask_missing(form.questions, {}, can_ask=True)
            item = _item(answers, ["title", "entity_type", "domain", "description", "website", "body"])
            item["name"] = item.pop("title")
            data["entities"].append(item)
        else:
            questions = [
                Question("claim", "--plan", "Claim to enrich:", kind="autocomplete", choices=[Choice(t) for t in claim_titles], validate=lambda v: _one_claim(vault, v)),
                Question("kind", "--plan", "The evidence:", kind="select", choices=[Choice(k) for k in ("extend", "confirm", "challenge")], default="extend"),
                Question("evidence", "--plan", "Evidence (prose citing the source):", kind="editor"),
            ]
            data["enrichments"].append(_item(prompts.ask_missing(questions, {}, can_ask=True), ["claim", "kind", "evidence"]))
    return Document({k: v for k, v in data.items() if v}, proposals=proposals)
