"""Start the slow part of a command before Python has imported the rest.

`codex rename` waits on `git grep` for most of its run (adapters.grep), while
importing typer and the command's modules takes a few tenths of a second.
The entry point (cli.app) calls `start` with the command line first thing:
for a rename it guesses the vault root and the title the NOTE argument
names, as ops.rename will, and starts the search, which ops.rename then
takes over (`grep.search`) if the guess was right. A wrong guess only costs
the search it started (stopped by `stop`); nothing else depends on it.

A scoped `codex check` (PATH arguments, `--changed`, `--since`,
`--staged`) and `codex review` start the listing of every note's path the
same way (adapters.listing), which ops.check_scope and ops.review then take; with `--changed`,
a thread also asks git what changed and starts the one `git grep` for the
titles the change added and deleted.

This module reads the command line by hand, without typer, so it only knows
which options of the commands it looks at take a value (a test compares
these with the commands' own).
"""

from __future__ import annotations

import os
from pathlib import Path

from codex_cli.roots import find_root  # light: config and fs pull in more than this needs

ROOT_OPTIONS = frozenset({"-C", "--directory"})  # the global options that take a value
RENAME_OPTIONS = frozenset({"--move-to", "--branch", "--base", "--agent", "--agent-id", "--why"})  # rename's options that take a value
CHECK_OPTIONS = frozenset({"--since", "--only", "--exclude", "--format", "--branch", "--agent", "--agent-id"})  # check's options that take a value
SCOPING = frozenset({"--changed", "--staged", "--since"})
HELP = frozenset({"-h", "--help", "--version"})


def start(args: list[str]) -> None:
    """Start the search a `codex ... rename NOTE ...` command line will ask for."""
    if os.environ.get("_CODEX_COMPLETE"):
        return  # shell completion: nothing runs
    scoped = scoped_check(args)
    review = _command(args, "review")
    if scoped is not None or review is not None:
        root = guess_root(scoped[0] if scoped is not None else review[0] if review is not None else None)
        if root is not None:
            from codex_cli.adapters import listing

            listing.start_early(root, scoped[1] if scoped is not None else None)
        return
    found = rename_note(args)
    if found is None:
        return
    directory, note = found
    root = guess_root(directory)
    if root is None:
        return
    from codex_cli.adapters import grep

    grep.start_early(root, grep.likely_title(note))


def stop() -> None:
    """Stop a search that was started and not taken (the command failed before it, or was another)."""
    import sys

    for name in ("codex_cli.adapters.grep", "codex_cli.adapters.listing"):
        module = sys.modules.get(name)  # a module never imported started nothing: not imported for this
        if module is not None:
            module.drop_early()


def rename_note(args: list[str]) -> tuple[str | None, str] | None:
    """(-C DIR or None, NOTE) of a rename command line; None for anything else."""
    found = _command(args, "rename")
    if found is None:
        return None
    directory, rest = found
    note = _first_word(rest, RENAME_OPTIONS, {})
    if note is None:
        return None
    return directory, rest[note]


def scoped_check(args: list[str]) -> tuple[str | None, tuple[str | None, bool] | None] | None:
    """(-C DIR or None, (--since REF or None, --staged) when it asks for changes) of a
    `check` command line that names notes or asks for changes; None for anything else.
    A guess: ops.check_scope takes what was started only for the same question."""
    found = _command(args, "check")
    if found is None:
        return None
    directory, rest = found
    scoping = SCOPING & {a.partition("=")[0] for a in rest}
    if not (scoping or _first_word(rest, CHECK_OPTIONS, {}) is not None):
        return None
    if not scoping or "--fix" in rest:
        return (directory, None)
    since = None
    for i, arg in enumerate(rest):
        if arg == "--since" and i + 1 < len(rest):
            since = rest[i + 1]
        elif arg.startswith("--since="):
            since = arg.partition("=")[2]
    return (directory, (since, "--staged" in rest))


def _command(args: list[str], name: str) -> tuple[str | None, list[str]] | None:
    """(-C DIR or None, the arguments after the command) when the command is `name` and no help is asked for."""
    if any(a in HELP for a in args):
        return None
    values: dict[str, str] = {}
    command = _first_word(args, ROOT_OPTIONS, values)
    if command is None or args[command] != name:
        return None
    return values.get("-C", values.get("--directory")), args[command + 1 :]


def _first_word(args: list[str], with_value: frozenset[str], values: dict[str, str]) -> int | None:
    """The index of the first argument that is not an option; option values go into `values`."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return i + 1 if i + 1 < len(args) else None
        if arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            values[name] = value
        elif arg in with_value:
            if i + 1 >= len(args):
                return None
            values[arg] = args[i + 1]
            i += 1
        elif arg.startswith("-C") and "-C" in with_value and len(arg) > 2:
            values["-C"] = arg[2:]
        elif not arg.startswith("-") or arg == "-":
            return i
        i += 1
    return None


def guess_root(directory: str | None) -> Path | None:
    """The vault root as Vault.open finds it (roots.find_root): None when it is no folder."""
    try:
        start = Path(directory).resolve() if directory is not None else Path.cwd().resolve()
    except OSError:
        return None
    if not start.is_dir():
        return None
    return find_root(start)
