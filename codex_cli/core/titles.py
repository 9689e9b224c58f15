"""The one title validator: what `codex new`, `codex rename` and `codex check` agree on.

The title is the file name. `clean_title` returns the text for the H1 (the
author's words, trimmed and NFC) and the file-name title (the same, without
the characters the knowledge base's file names avoid), or raises
`InvalidTitle` with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from codex_cli.core.text import loose_key
from codex_cli.errors import InvalidTitle

MAX_NAME_BYTES = 255
SUFFIX = ".md"
# Characters the sample's file names avoid: shell- and OS-hostile, or quotes.
AVOIDED = ':?"*<>|\'\u2019\u2018\u201c\u201d'
# Of those, the ones that stand between words (`pass|fail`, `a<b`): a space, not nothing
BETWEEN_WORDS = "<>|"
# Characters a [[link]] cannot carry in its target: `#` starts a heading,
# `^` a block reference, brackets end the link.
UNLINKABLE = "#[]^"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a byte of the command line that is not UTF-8 (surrogateescape)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
_SPACES = re.compile(r"\s+")

# Words that make a title read as a proposition rather than a label.
_VERBS = frozenset(
    """
    is are was were be been being am isn't aren't wasn't weren't
    can cannot could will would shall should must may might do does did doesn't don't didn't
    has have had makes make made creates create created requires require required
    enables enable drives drive causes cause produces produce leads lead becomes become
    shows show reveals reveal means mean needs need beats beat wins win fails fail
    outperforms outperform depends depend emerges emerge grows grow turns turn compresses
    replaces replace accelerates accelerate reduces reduce increases increase solves solve
    """.split()
)


@dataclass(frozen=True)
class Title:
    text: str  # the author's words, trimmed and NFC: the H1
    name: str  # the file-name title (without `.md`)
    notes: tuple[str, ...] = field(default=())  # what was changed, for the user

    @property
    def filename(self) -> str:
        return self.name + SUFFIX


def clean_title(raw: str) -> Title:
    """Validate and normalise a title; raise InvalidTitle with the reason."""
    if _SURROGATE.search(raw):
        raise InvalidTitle(_shown(raw), "the title is not valid UTF-8 (a byte such as \\xff that is no character)")
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        raise InvalidTitle(raw, "the title is empty")
    if "/" in text or "\\" in text:
        raise InvalidTitle(raw, "a title cannot contain `/` or `\\` (it is a file name)")
    if _CONTROL.search(text) or any(unicodedata.category(c) in ("Zl", "Zp") for c in text):
        raise InvalidTitle(raw, "the title contains control characters (a line break or tab, say)")
    invisible = [c for c in text if unicodedata.category(c) == "Cf"]
    if invisible:
        code = f"U+{ord(invisible[0]):04X}"
        if invisible[0] in _BIDI:
            raise InvalidTitle(raw, f"the title contains a bidirectional control ({code}): it would make the file name read differently from its bytes")
        raise InvalidTitle(raw, f"the title contains an invisible character ({code}, zero-width or format): two titles would look the same")
    notes: list[str] = []
    name = text
    removed = sorted({c for c in name if c in AVOIDED})
    if removed:
        name = "".join(" " if c in BETWEEN_WORDS else c for c in name if c not in AVOIDED or c in BETWEEN_WORDS)
        name = _SPACES.sub(" ", name).strip()
        shown = " ".join(removed)
        notes.append(f"left {shown} out of the file name (the H1 keeps {'it' if len(removed) == 1 else 'them'})")
    if name.startswith("."):
        raise InvalidTitle(raw, "a title cannot start with `.` (the file would be hidden)")
    if name.lower().endswith(SUFFIX):
        raise InvalidTitle(raw, "a title cannot end in `.md` (links to the note would name another file); leave it out")
    if name.endswith("."):
        raise InvalidTitle(raw, "a title cannot end with `.` (the file would be `….md` with two dots; Windows drops it)")
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED_NAMES:
        raise InvalidTitle(raw, f"{name.split('.', 1)[0]!r} is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9)")
    unlinkable = sorted({c for c in name if c in UNLINKABLE})
    if unlinkable:
        raise InvalidTitle(raw, f"{' '.join(unlinkable)} cannot be written in a [[link]] to the note")
    if not name:
        raise InvalidTitle(raw, "nothing is left of the title once : ? \" * < > | and quotes are left out")
    size = len((name + SUFFIX).encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise InvalidTitle(
            raw,
            f"the file name would be {size} bytes with `.md`; the limit is {MAX_NAME_BYTES}: cut {size - MAX_NAME_BYTES} bytes",
        )
    return Title(text, name, tuple(notes))


def _shown(raw: str) -> str:
    """A title that may hold stray bytes, printable in any encoding."""
    return raw.encode("utf-8", "backslashreplace").decode("utf-8")


def label_warnings(title: str) -> list[str]:
    """Why a title may read like a label rather than a claim (the claim test)."""
    words = [w for w in re.split(r"[^\w'-]+", title.lower()) if w]
    out = []
    if len(words) < 4:
        out.append(f"the title has {len(words)} word{'s' if len(words) != 1 else ''}; a claim is usually a full sentence")
    if not any(w in _VERBS or _looks_verbal(w, i) for i, w in enumerate(words)):
        out.append('no verb found: "This note argues that <title>" should read as a sentence')
    return out


def _looks_verbal(word: str, index: int) -> bool:
    if index == 0 or len(word) < 4 or not word.isalpha():
        return False
    return word.endswith(("ed", "es", "izes", "ises")) or (
        word.endswith("s") and not word.endswith(("ss", "us", "is", "ics", "ous"))
    )


def same_title(a: str, b: str) -> bool:
    """Whether two titles name the same file (case-insensitively, NFC)."""
    fold = lambda s: unicodedata.normalize("NFC", s).casefold()  # noqa: E731
    return fold(a) == fold(b)


def existing(name: str, titles: Iterable[str]) -> list[str]:
    return [t for t in titles if same_title(t, name)]


# A title scoring at least this against an existing one (paraphrase_score) is likely the same claim.
# Calibrated on benchmarks/eval_judgement.py's duplicate pairs (dev part): see docs/link.md.
PARAPHRASE_THRESHOLD = 70.0


def normal_title(title: str) -> str:
    """A title with case, punctuation, runs of spaces and a trailing period ignored: equal means the same title."""
    return loose_key(title.strip().rstrip("."))


def same_claim(titles: Iterable[str], title: str) -> list[str]:
    """The existing titles equal to `title` after normalisation (normal_title)."""
    key = normal_title(title)
    return [t for t in titles if normal_title(t) == key] if key else []


def paraphrase_score(a: str, b: str) -> float:
    """0-100: how likely two titles state the same claim.

    The better of the word-order-free edit ratio (rapidfuzz token sort) and
    the overlap of their content words after stemming (Dice, x100), so that
    a reordered, re-punctuated or lightly reworded title scores high.
    """
    from rapidfuzz import fuzz

    from codex_cli.core.matcher import tokens

    ka, kb = normal_title(a), normal_title(b)
    if not ka or not kb:
        return 0.0
    wa = {t for t in tokens(ka) if t}
    wb = {t for t in tokens(kb) if t}
    dice = 2 * len(wa & wb) / (len(wa) + len(wb)) if wa and wb else 0.0
    score = max(float(fuzz.token_sort_ratio(ka, kb)), 100.0 * dice)
    return score if ka == kb else min(score, 99.0)  # 100 only for the same title


def near_duplicates(title: str, titles: Sequence[str], *, limit: int = 3, cutoff: float = PARAPHRASE_THRESHOLD) -> list[tuple[str, float]]:
    """Existing titles that likely state the same claim (paraphrase_score >= cutoff), best first."""
    from rapidfuzz import fuzz, process

    query = normal_title(title)
    if not query:
        return []
    choices = {i: normal_title(t) for i, t in enumerate(titles)}
    # a cheap first pass in C (shared words), then the full score on the few that pass
    pool = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=max(20, limit * 5), score_cutoff=40)
    scored = [(titles[i], round(paraphrase_score(title, titles[i]), 1)) for _, _, i in pool if not same_title(titles[i], title)]
    scored = [(t, sc) for t, sc in scored if sc >= cutoff]
    scored.sort(key=lambda ts: -ts[1])
    return scored[:limit]
