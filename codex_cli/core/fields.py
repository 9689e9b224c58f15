"""Set top-level frontmatter fields by replacing or inserting their lines only.

No other byte of the frontmatter changes: a field that exists has its line
(and any indented continuation lines of a block list) replaced; a field that
does not is appended before the closing `---`. Used by `retire` (status and
reason), the source lifecycle and enrichments (status, processed_by,
claims_extracted, last_evaluated, confidence…).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from codex_cli.core import frontmatter
from codex_cli.core.plan import TextEdit
from codex_cli.errors import Refused


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def field_span(text: str, block: frontmatter.Block, name: str) -> tuple[int, int] | None:
    """Span of a top-level `name:` line (with any indented continuation lines), newline excluded."""
    m = re.compile(r"^" + re.escape(name) + r"[ \t]*:.*$", re.MULTILINE).search(text, block.start, block.end)
    if m is None:
        return None
    end = m.end()
    while True:  # block lists and folded scalars continue on indented lines
        nxt = end + 1
        if nxt >= block.end:
            break
        line_end = text.find("\n", nxt)
        line_end = block.end if line_end == -1 or line_end > block.end else line_end
        line = text[nxt:line_end]
        if line[:1] not in (" ", "\t", "-") or not line.strip():
            break
        end = line_end
    if text[end - 1 : end] == "\r":
        end -= 1
    return m.start(), end


def set_fields(text: str, lines: Mapping[str, str]) -> list[TextEdit]:
    """Edits that make each `name` of the frontmatter read `lines[name]` (the whole `name: value` text).

    A note without frontmatter gets one; an unclosed frontmatter is refused.
    """
    nl = newline_of(text)
    block = frontmatter.locate(text)
    if block is None:
        start = 1 if text.startswith("\ufeff") else 0
        body = f"---{nl}" + "".join(line + nl for line in lines.values()) + f"---{nl}"
        return [TextEdit(start, start, body + ("" if text[start:].startswith(("\n", "\r\n")) or not text[start:] else nl))]
    if not block.closed:
        raise Refused("the frontmatter is never closed with `---`: fix it first (codex check)")
    edits: list[TextEdit] = []
    inserts = ""
    for name, line in lines.items():
        span = field_span(text, block, name)
        if span is None:
            inserts += line + nl
        elif text[span[0] : span[1]] != line.replace("\n", nl):
            edits.append(TextEdit(span[0], span[1], line.replace("\n", nl)))
    if inserts:
        at = block.end
        if at > block.start and text[at - 1] != "\n":
            inserts = nl + inserts
        edits.append(TextEdit(at, at, inserts))
    return edits


def flow_list(values: list[str]) -> str:
    """`["a", "b"]`: a YAML flow list of double-quoted strings, as the knowledge base writes them."""
    return "[" + ", ".join(frontmatter.quote_for('"', v, True) for v in values) + "]"
