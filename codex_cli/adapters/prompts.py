"""Questions as data; questionary is called here and nowhere else.

A command declares the values it needs as `Question`s. `ask_missing` fills
those that flags did not give: at a terminal it asks each in turn (a bad
answer is asked again with the reason, using the same validator as the
flag); with no terminal, or with `--no-input`, it raises `MissingInput`
naming every flag still needed, at once, before anything is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codex_cli.errors import CodexError, Interrupted, MissingInput, Refused, UsageError

Validator = Callable[[Any], Any]  # returns the cleaned value or raises CodexError


@dataclass
class Choice:
    value: str
    title: str | None = None
    checked: bool = False
    description: str | None = None  # shown below the list while the choice is highlighted


@dataclass
class Question:
    name: str
    flag: str
    message: str
    kind: str = "text"  # text | select | checkbox | confirm | editor | autocomplete
    required: bool = True
    default: Any = None  # a value, or a function of the answers so far
    choices: Sequence[Choice] | Callable[[dict[str, Any]], Sequence[Choice]] = field(default_factory=list)
    validate: Validator | None = None
    instruction: str | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    # Soft checks: reasons to think twice about a valid answer. At a terminal
    # they are shown and the person keeps the answer or gives another.
    warn: Callable[[Any], list[str]] | None = None


def interactive(no_input: bool = False) -> bool:
    """Whether there is a person at a terminal to ask."""
    if no_input or os.environ.get("CODEX_NO_INPUT", "") not in ("", "0"):
        return False
    return sys.stdin.isatty() and sys.stderr.isatty() or _forced_tty()


def _terminal_session() -> Any:
    """Draw prompts on stderr, so stdout holds only data (`--json > file` works).

    A caller that set up its own prompt_toolkit session (the tests' pipe
    input) keeps it.
    """
    from contextlib import nullcontext

    from prompt_toolkit.application.current import create_app_session, get_app_session
    from prompt_toolkit.output import create_output

    if getattr(get_app_session(), "_output", None) is not None or _forced_tty():
        return nullcontext()
    return create_app_session(output=create_output(stdout=sys.stderr))


def _forced_tty() -> bool:
    # Tests drive prompt_toolkit through a pipe; they set this to say so.
    return os.environ.get("CODEX_FORCE_PROMPTS", "") == "1"


def check_headless(questions: Sequence[Question], answers: dict[str, Any]) -> None:
    missing = [
        q.flag
        for q in questions
        if q.required and answers.get(q.name) in (None, "", []) and (q.when is None or q.when(answers))
    ]
    if missing:
        raise MissingInput(missing)


def ask_missing(questions: Sequence[Question], answers: dict[str, Any], *, can_ask: bool) -> dict[str, Any]:
    """Fill `answers` (validated flag values) with what the questions ask."""
    if not can_ask:
        check_headless(questions, answers)
        return answers
    for q in questions:
        if q.when is not None and not q.when(answers):
            continue
        if answers.get(q.name) not in (None, "", []):
            continue
        answers[q.name] = _ask_one(q, answers)
    return answers


def _ask_one(q: Question, answers: dict[str, Any]) -> Any:
    with _terminal_session():
        return _ask_until_valid(q, answers)


def _ask_until_valid(q: Question, answers: dict[str, Any]) -> Any:
    import questionary

    choices = q.choices(answers) if callable(q.choices) else q.choices
    default = q.default(answers) if callable(q.default) else q.default
    while True:
        if q.kind == "select":
            prompt = questionary.select(
                q.message,
                choices=[questionary.Choice(c.title or c.value, value=c.value, description=c.description) for c in choices],
                default=default if default in [c.value for c in choices] else None,
                instruction=q.instruction,
            )
        elif q.kind == "checkbox":
            prompt = questionary.checkbox(
                q.message,
                choices=[
                    questionary.Choice(c.title or c.value, value=c.value, checked=c.checked, description=c.description)
                    for c in choices
                ],
                instruction=q.instruction,
            )
        elif q.kind == "confirm":
            prompt = questionary.confirm(q.message, default=bool(default))
        elif q.kind == "editor":
            return _edit(q, default)
        elif q.kind == "autocomplete":
            prompt = questionary.autocomplete(
                q.message,
                choices=[c.value for c in choices],
                default=default or "",
                match_middle=True,
            )
        else:
            prompt = questionary.text(q.message, default=default or "", instruction=q.instruction)
        value = prompt.unsafe_ask()
        if value is None:
            raise Interrupted()
        if isinstance(value, str):
            value = value.strip()
        if value in ("", []) and not q.required:
            return value
        if q.validate is None:
            if value in ("", []) and q.required:
                _say("an answer is needed")
                continue
            return value
        try:
            cleaned = q.validate(value)
        except CodexError as exc:
            _say(exc.message)
            continue
        if q.warn is not None and not _accept_warnings(q.warn(cleaned)):
            continue
        return cleaned


def _accept_warnings(warnings: list[str]) -> bool:
    if not warnings:
        return True
    for w in warnings:
        _say(w)
    return confirm("Keep this answer anyway?", default=False)


def _say(message: str) -> None:
    sys.stderr.write(f"  ! {message}\n")
    sys.stderr.flush()


def _edit(q: Question, default: Any = None) -> str:
    import questionary

    how = questionary.select(
        q.message,
        choices=[
            questionary.Choice("open $EDITOR", value="editor"),
            questionary.Choice("paste it here (end with an empty line twice)", value="paste"),
            questionary.Choice("skip", value="skip"),
        ],
    ).unsafe_ask()
    if how == "editor":
        return edit_text(default or "")
    if how == "paste":
        return _paste()
    return ""


def _paste() -> str:
    lines: list[str] = []
    blanks = 0
    while True:
        try:
            line = input()
        except EOFError:
            break
        if line == "":
            blanks += 1
            if blanks >= 2:
                break
        else:
            blanks = 0
        lines.append(line)
    return "\n".join(lines).strip("\n")


def chosen_editor() -> str | None:
    """The editor the user named ($VISUAL, else $EDITOR), or None: then `edit_text` runs vi."""
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or None


def edit_text(initial: str, suffix: str = ".md") -> str:
    """Open $VISUAL/$EDITOR on `initial` and return what was saved."""
    import shlex
    import subprocess
    import tempfile

    editor = chosen_editor() or "vi"
    fd, path = tempfile.mkstemp(prefix="codex-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        try:
            result = subprocess.run([*shlex.split(editor), path], check=False)
        except OSError as exc:
            raise UsageError(f"cannot run the editor {editor!r}: {exc.strerror}", hint="set VISUAL or EDITOR to an editor that is installed") from None
        if result.returncode != 0:
            raise Refused(f"the editor ({editor}) exited with status {result.returncode}; nothing was written")
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def confirm(message: str, *, default: bool = False) -> bool:
    import questionary

    with _terminal_session():
        value = questionary.confirm(message, default=default).unsafe_ask()
    return bool(value)
