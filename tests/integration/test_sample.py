"""`codex check` on the real knowledge base, confirmed by an independent count."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import SAMPLE, run, snapshot

pytestmark = [pytest.mark.sample, pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/sample-codex is not here")]


def independent_broken_count(root: Path) -> tuple[int, int]:
    """Count wiki links and broken ones the simplest way: line by line, no shared code."""
    files = [p for p in root.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(root).parts)]
    norm = lambda s: unicodedata.normalize("NFC", s).strip().lower()  # noqa: E731
    paths = {norm(p.relative_to(root).as_posix()[:-3]) for p in files}
    titles = Counter(norm(p.name[:-3]) for p in files)
    total = broken = 0
    for p in files:
        in_fence = False
        fence = ""
        for line in p.read_text(encoding="utf-8").splitlines():
            stripped = line.lstrip()
            if not in_fence and (stripped.startswith("```") or stripped.startswith("~~~")):
                in_fence, fence = True, stripped[:3]
                continue
            if in_fence:
                if stripped.startswith(fence):
                    in_fence = False
                continue
            line = re.sub(r"`[^`]*`", "", line)
            for raw in re.findall(r"\[\[([^\[\]]*?)\]\]", line):
                target = re.split(r"[|#]", raw, maxsplit=1)[0].strip()
                if not target:
                    continue
                if target.lower().endswith(".md"):
                    target = target[:-3]
                total += 1
                if norm(target) not in paths and titles[norm(target)] == 0:
                    broken += 1
    return total, broken


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("sample") / "codex"
    shutil.copytree(SAMPLE, dest)
    for p in dest.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dest


def test_check_completes_and_counts_match_an_independent_count(sample_copy: Path) -> None:
    before = snapshot(sample_copy)
    result = run(["check", "--json"], cwd=sample_copy)
    assert result.code == 1
    doc = result.json()
    assert doc["notes"] == 435
    total, broken = independent_broken_count(sample_copy)
    body_and_fm_links = doc["links"]
    assert len(doc["broken_links"]) == broken
    assert body_and_fm_links == total
    # about a third of the links point nowhere, as DESIGN.md says
    assert 0.25 < broken / total < 0.40
    assert snapshot(sample_copy) == before


def test_sample_findings_are_the_expected_kinds(sample_copy: Path) -> None:
    doc = run(["check", "--json"], cwd=sample_copy).json()
    kinds = Counter(p["code"] for p in doc["problems"])
    assert set(kinds) <= {"ambiguous-link", "h1-mismatch", "unmapped", "malformed-link", "empty-link", "md-suffix", "bad-value", "missing-field", "unresolved-entry", "duplicate-entry", "empty-entry", "map-entry-broken"}
    assert kinds["ambiguous-link"] > 0
    # every broken link carries at most three suggestions, each a real title
    titles = {p.name[:-3] for p in sample_copy.rglob("*.md")}
    for b in doc["broken_links"]:
        assert len(b["suggestions"]) <= 3
        assert set(b["suggestions"]) <= titles
