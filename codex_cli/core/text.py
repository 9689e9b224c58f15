"""Small text helpers shared by every part of the core: keys, lines, slugs."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def key(text: str) -> str:
    """The lookup key of a title or path: NFC, case-folded, stripped."""
    if text.isascii():
        return text.strip().lower()
    return unicodedata.normalize("NFC", text.strip()).casefold()


# `_PUNCT` for ASCII text, as one C-level translation: every ASCII character
# that is not a letter or a digit becomes a space.
_ASCII_PUNCT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def loose_key(text: str) -> str:
    """A key that also ignores punctuation, hyphens and runs of white space."""
    k = key(text)
    if k.isascii():
        return " ".join(k.translate(_ASCII_PUNCT).split())
    return " ".join(_PUNCT.sub(" ", k).split())


def strip_md(target: str) -> str:
    """Drop one trailing `.md` (any case) from a link target or title."""
    if target[-3:].lower() == ".md":
        return target[:-3]
    return target


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (lines end at `\n` only)."""
    starts = [0]
    starts.extend(accumulate(map((1).__add__, map(len, text.split("\n")))))  # all in C
    starts.pop()  # the offset past the end
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset, given `line_starts`."""
    return bisect_right(starts, offset)


def slugify(text: str, max_words: int = 6) -> str:
    """A short ASCII slug for branch names and source file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text.lower()) if w]
    return "-".join(words[:max_words]) or "note"


def short_title(title: str, limit: int = 60) -> str:
    """A title cut at a word boundary for commit subjects."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"
