"""`codex extract` at a terminal: the extraction asked item by item (not yet: pass --plan)."""

from __future__ import annotations

from typing import Any

from codex_cli.core.extract_plan import Document
from codex_cli.errors import UsageError


def ask_plan(vault: Any, request: Any, *, say: Any) -> Document:
    raise UsageError("interactive extraction is not available yet: pass --plan FILE (docs/extract.md)")
