"""The questions of each note type `codex new` writes, and the rules their answers pass.

Each field has one validator, used for its flag and for a typed answer alike
(a bad answer is asked again with the reason). `Gate` holds the title rules
(core.titles): what is refused, and what is only worth a second thought.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from codex_cli.adapters.prompts import Choice, Question
from codex_cli.core.text import slugify
from codex_cli.core.titles import Title
from codex_cli.errors import Exists, UsageError
from codex_cli.vault import Vault

KINDS = ("claim", "source", "musing", "position", "entity", "belief")
# Types whose title is a proposition: they pass the claim test.
PROPOSITIONS = frozenset({"claim", "position", "belief"})

CLAIM_CONFIDENCE = {
    "proven": "strong evidence, tested",
    "likely": "good evidence, broadly accepted",
    "experimental": "emerging evidence, still being evaluated",
    "speculative": "theoretical, limited evidence",
}


# schemas/source.md (the later one) files sources with a priority.
SOURCE_PRIORITIES = ("high", "medium", "low")
# schemas/belief.md: "Minimum 3 claims from the shared knowledge base".
BELIEF_MIN_CLAIMS = 3


# --- values: one validator per field, for flags and answers alike ----------------


def one_line(flag: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = " ".join(str(value).split())
        if not text:
            raise UsageError(f"{flag} is empty")
        return text

    return check


def choice_of(flag: str, allowed: list[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip()
        for a in allowed:
            if a.lower() == text.lower():
                return a
        from difflib import get_close_matches

        close = get_close_matches(text.lower(), [a.lower() for a in allowed], n=1, cutoff=0.75)
        maybe = f"; did you mean {next(a for a in allowed if a.lower() == close[0])}?" if close else ""
        raise UsageError(f"{flag} {text!r} is not one of: {', '.join(allowed)}{maybe}")

    return check


def a_date(flag: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise UsageError(f"{flag} {text!r} is not a date YYYY-MM-DD") from None

    return check


def title_list(flag: str, minimum: int = 1) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        items = value if isinstance(value, list) else str(value).split(";")
        out = [" ".join(str(i).split()) for i in items]
        out = list(dict.fromkeys(i for i in out if i))
        if len(out) < minimum:
            raise UsageError(f"{flag} needs at least {minimum} title{'s' if minimum != 1 else ''}" + (f" (got {len(out)})" if out else ""))
        return out

    return check


def word_list(flag: str) -> Callable[[Any], list[str]]:
    """Tags: `a, b` or a list; each one word as the knowledge base writes them (`multi-agent`)."""

    def check(value: Any) -> list[str]:
        items = [part for item in (value if isinstance(value, list) else [value]) for part in str(item).split(",")]
        out = list(dict.fromkeys(slugify(i, 8) for i in items if i.strip()))
        if not out:
            raise UsageError(f"{flag} is empty")
        return out

    return check


def domain_list(vault: Vault, flag: str) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        items = value if isinstance(value, list) else str(value).split(",")
        allowed = sorted(vault.config.domain_values)
        return list(dict.fromkeys(choice_of(flag, allowed)(i) for i in items if str(i).strip()))

    return check


class Gate:
    """The title rules for one vault and one note type (core.titles does the work)."""

    def __init__(self, vault: Vault, kind: str, allow_label: bool, allow_duplicate: bool = False) -> None:
        self.vault = vault
        self.kind = kind
        self.allow_label = allow_label
        self.allow_duplicate = allow_duplicate
        self._titles: list[str] | None = None
        self._claim_titles: list[str] | None = None

    @property
    def titles(self) -> list[str]:
        if self._titles is None:
            self._titles = [n.title for n in self.vault.notes.values()]
        return self._titles

    @property
    def claim_titles(self) -> list[str]:
        if self._claim_titles is None:
            wanted = self.vault.config.claim_types | {self.kind}
            self._claim_titles = [n.title for n in self.vault.notes.values() if n.type in wanted]
        return self._claim_titles

    def clean(self, raw: Any) -> Title:
        """Refuse what can never be a file name, or a title that exists."""
        from codex_cli.core.titles import clean_title, existing

        if self.kind == "source":  # the file name is made from the date, the author and a slug
            text = one_line("TITLE")(unicodedata.normalize("NFC", str(raw)))
            return Title(text, text)
        title = clean_title(str(raw))
        if self.kind != "source" and existing(title.name, self.titles):
            from codex_cli.core.titles import same_title

            path = next(p for p, n in self.vault.notes.items() if same_title(n.title, title.name))
            taken = Exists(path)
            taken.hint = "titles are unique (case-insensitively): say it differently"
            raise taken
        if self.kind in PROPOSITIONS and not self.allow_duplicate:
            self.refuse_same_claim(title)
        return title

    def refuse_same_claim(self, title: Title) -> None:
        """Refuse a title equal to an existing one after normalisation (case, punctuation, a final period)."""
        from codex_cli.core.titles import same_claim

        same = same_claim(self.titles, title.name)
        if same:
            path = next(p for p, n in self.vault.notes.items() if n.title == same[0])
            taken = Exists(path)
            taken.hint = "the same title but for case, punctuation or a final period: say it differently, or pass --allow-duplicate"
            raise taken

    def labels(self, title: Title) -> list[str]:
        from codex_cli.core.titles import label_warnings

        if self.kind not in PROPOSITIONS or self.allow_label:
            return []
        return [f"reads like a label, not a claim: {w}" for w in label_warnings(title.text)]

    def duplicates(self, title: Title) -> list[str]:
        from codex_cli.core.titles import near_duplicates

        if self.kind not in PROPOSITIONS:
            return []
        found = near_duplicates(title.name, self.claim_titles)
        return [f"likely the same claim as an existing {self.kind} ({score:.0f}/100): {t}" for t, score in found]

    def warnings(self, title: Title) -> list[str]:
        return self.labels(title) + self.duplicates(title)


# --- the questions of each type -------------------------------------------------


@dataclass
class Form:
    """The questions of one note type, in the order they are asked."""

    kind: str
    questions: list[Question]
    domain: Any = None  # the domain question's guesser (DomainQuestion), when the type asks a domain

    def guessed(self) -> Any:
        """The domain guess shown at the terminal, if one was made."""
        return self.domain.guess if self.domain is not None else None


def _domain_choices(vault: Vault, guess: Any = None) -> list[Choice]:
    scores = {c.domain: c.score for c in guess.choices[:3]} if guess is not None else {}
    out = []
    for name, folder in sorted(vault.config.domains.items(), key=lambda kv: (-scores.get(kv[0], -1.0), kv[0])):
        shown = "<0.01" if scores.get(name, 1.0) < 0.005 else f"{scores.get(name, 0.0):.2f}"
        label = f"{name}  ({folder})" + (f"  guessed {shown}" if name in scores else "")
        out.append(Choice(name, label))
    return out


def domain_draft(answers: dict[str, Any], agent: str | None = None, source_domains: tuple[str, ...] = ()) -> Any:
    """The evidence for ops.domain from the answers so far (a title, a description, a source, links)."""
    from codex_cli.ops.domain import DomainDraft

    links = answers.get("links") or []
    return DomainDraft(
        title=_title_text(answers),
        description=str(answers.get("description") or ""),
        body=str(answers.get("body") or ""),
        cites=str(answers.get("source") or ""),
        agent=agent,
        source_domains=source_domains,
        links=tuple(str(x) for x in links) if isinstance(links, list) else (),
    )


class DomainQuestion:
    """The domain question's guess (ops.domain), made once from the answers given before it is asked."""

    def __init__(self, vault: Vault, agent: str | None = None, source_domains: tuple[str, ...] = ()) -> None:
        self.vault = vault
        self.agent = agent
        self.source_domains = source_domains
        self.guess: Any = None

    def make(self, answers: dict[str, Any]) -> Any:
        from codex_cli.ops.domain import guess_domain

        if self.guess is None:
            self.guess = guess_domain(self.vault, domain_draft(answers, self.agent, self.source_domains))
        return self.guess

    def choices(self, answers: dict[str, Any]) -> list[Choice]:
        return _domain_choices(self.vault, self.make(answers) if _title_text(answers) else None)

    def default(self, answers: dict[str, Any]) -> str | None:
        domains = sorted(self.vault.config.domains)
        guess = self.make(answers) if _title_text(answers) else None
        return (guess.domain if guess is not None else None) or (domains[0] if domains else None)


def _enum(vault: Vault, kind: str, name: str) -> list[str]:
    fields = (vault.config.types.get(kind) or {}).get("fields") or {}
    enum = (fields.get(name) or {}).get("enum") or []
    return [str(v) for v in enum] if isinstance(enum, list) else []


def _required(vault: Vault, kind: str, name: str) -> bool:
    fields = (vault.config.types.get(kind) or {}).get("fields") or {}
    return bool((fields.get(name) or {}).get("required"))


def _title_text(answers: dict[str, Any]) -> str:
    """The title answered (a Title), or given as a flag and not yet checked (a string)."""
    t = answers.get("title")
    return t.text if isinstance(t, Title) else " ".join(t.split()) if isinstance(t, str) else ""


def build_form(vault: Vault, kind: str, gate: Gate, agents: list[str], agent: str | None = None, source_domains: tuple[str, ...] = ()) -> Form:
    """The questions of `kind`; `agent` (who writes) and `source_domains` (extracting) inform the domain's guess."""
    domains = sorted(vault.config.domains)
    guesser = DomainQuestion(vault, agent, source_domains)
    domain_q = Question(
        "domain",
        "--domain",
        "Domain:",
        kind="select",
        choices=guesser.choices,
        default=guesser.default,
        validate=choice_of("--domain", domains) if domains else one_line("--domain"),
    )
    title_q = Question(
        "title",
        "TITLE",
        {
            "claim": "Title (the claim itself, as a sentence):",
            "position": "Title (the position, as a sentence):",
            "entity": "Name of the entity:",
        }.get(kind, "Title:"),
        validate=gate.clean,
        warn=gate.warnings,
    )
    body_q = Question("body", "--body", "Body (the argument, with its evidence):", kind="editor", required=False)
    agent_q = Question(
        "agent",
        "--agent",
        "Agent:",
        kind="select" if agents else "text",
        choices=[Choice(a) for a in agents],
        validate=_agent_name,
    )
    description_q = Question(
        "description",
        "--description",
        "Description (one sentence that adds context beyond the title):",
        validate=one_line("--description"),
    )
    secondary_q = Question(  # a flag only: asked for nowhere, checked like `--domain`
        "secondary_domains",
        "--secondary-domain",
        "Secondary domains:",
        required=False,
        validate=domain_list(vault, "--secondary-domain"),
        when=lambda _a: False,
    )
    moderate_q = Question(  # a position's and a belief's confidence
        "confidence",
        "--confidence",
        "Confidence:",
        kind="select",
        choices=[Choice(c) for c in _enum(vault, kind, "confidence")],
        default="moderate",
        validate=choice_of("--confidence", _enum(vault, kind, "confidence")),
    )
    q: list[Question]
    if kind == "claim":
        q = [  # the domain after what it is guessed from (ops.domain: the description and the source tell most)
            title_q,
            description_q,
            Question(
                "confidence",
                "--confidence",
                "Confidence:",
                kind="select",
                choices=[Choice(c, f"{c:<13} {CLAIM_CONFIDENCE.get(c, '')}") for c in _enum(vault, kind, "confidence")],
                default="experimental",
                validate=choice_of("--confidence", _enum(vault, kind, "confidence")),
            ),
            Question("source", "--source", "Source (who proposed it, and the primary evidence):", validate=one_line("--source")),
            domain_q,
            body_q,
        ]
    elif kind == "source":
        q = [
            title_q,
            Question("author", "--author", "Author (name or @handle):", validate=one_line("--author")),
            Question("url", "--url", "URL:", required=_required(vault, kind, "url"), validate=one_line("--url")),
            Question("date", "--date", "Date published (YYYY-MM-DD):", default=date.today().isoformat(), validate=a_date("--date")),
            domain_q,
            Question(
                "format",
                "--format",
                "Format:",
                kind="select",
                required=False,
                choices=[Choice(c) for c in _enum(vault, kind, "format")],
                default="article",
                validate=choice_of("--format", _enum(vault, kind, "format")),
            ),
            Question("body", "--body", "Content (a summary or excerpt of the source):", kind="editor", required=False),
            Question(
                "priority",
                "--priority",
                "Priority:",
                kind="select",
                required=False,
                choices=[Choice(c) for c in SOURCE_PRIORITIES],
                default="medium",
                validate=choice_of("--priority", list(SOURCE_PRIORITIES)),
            ),
            Question("tags", "--tag", "Tags (separate with ,):", required=False, validate=word_list("--tag")),
            Question("notes", "--notes", "Agent notes: why this matters (one line):", required=False, validate=one_line("--notes")),
            secondary_q,
        ]
    elif kind == "musing":
        q = [title_q, agent_q, Question("body", "--body", "Body:", kind="editor", required=False)]
    elif kind == "position":
        q = [
            title_q,
            agent_q,
            domain_q,
            Question("description", "--description", "Description (the actionable stance, one sentence):", validate=one_line("--description")),
            moderate_q,
            Question("depends_on", "--depends-on", "Beliefs it depends on (separate with ;):", validate=title_list("--depends-on")),
            Question("time_horizon", "--time-horizon", "Time horizon (when to evaluate it):", validate=one_line("--time-horizon")),
            Question(
                "performance_criteria",
                "--performance-criteria",
                "Performance criteria (what validates or invalidates it):",
                validate=one_line("--performance-criteria"),
            ),
            body_q,
        ]
    elif kind == "belief":
        levels = _enum(vault, kind, "level")  # the later schema's belief hierarchy, when the vault has it
        q = [
            title_q,
            agent_q,
            domain_q,
            Question("description", "--description", "Description (this belief's role in the worldview, one sentence):", validate=one_line("--description")),
            moderate_q,
            Question(
                "level",
                "--level",
                "Level:",
                kind="select",
                choices=[Choice(c) for c in levels],
                default="belief" if "belief" in levels else None,
                validate=choice_of("--level", levels),
                when=lambda _a: bool(levels),
            ),
            Question(
                "depends_on",
                "--depends-on",
                "Claims it rests on (at least 3, separate with ;):",
                validate=title_list("--depends-on", BELIEF_MIN_CLAIMS),
            ),
            body_q,
        ]
    elif kind == "entity":
        q = [
            title_q,
            Question(
                "entity_type",
                "--entity-type",
                "Kind of entity:",
                kind="select",
                choices=[Choice(c) for c in _enum(vault, kind, "entity_type")],
                validate=choice_of("--entity-type", _enum(vault, kind, "entity_type")),
            ),
            domain_q,
            Question("description", "--description", "Description (one sentence):", required=False, validate=one_line("--description")),
            Question("website", "--website", "Website:", required=False, validate=one_line("--website")),
            Question("body", "--body", "Body:", kind="editor", required=False),
        ]
    else:
        raise UsageError(f"unknown note type {kind!r}: one of {', '.join(KINDS)}")
    return Form(kind, q, guesser if any(x is domain_q for x in q) else None)


def _agent_name(value: Any) -> str:
    name = slugify(str(value), 4)
    if not str(value).strip() or name == "note":
        raise UsageError("--agent is empty")
    return name


def known_agents(vault: Vault) -> list[str]:
    """The agents to choose from: adapters.identity's (the agents folder and the `agents` table)."""
    from codex_cli.adapters.identity import known_agents as known

    return sorted(known(vault.root, vault.config) or ())
