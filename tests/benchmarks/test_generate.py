"""The benchmark vault generator keeps its promises (shape, not speed)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from codex_cli.core.resolve import BROKEN, OK
from codex_cli.vault import Vault
from tests.helpers import run

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench") / "vault"
    manifest = _generator().generate(200, out, seed=7, hub_backlinks=60)
    return out, manifest


def test_counts_and_shape(generated: tuple[Path, dict]) -> None:
    out, manifest = generated
    notes = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md") if ".git" not in p.parts)
    maps = [p for p in notes if p.endswith("/_map.md")]
    assert len(notes) == manifest["notes"] == 200 + manifest["maps"] + 1  # claims, maps, README
    assert len(maps) == manifest["maps"] >= 4
    vault = Vault.open(out)
    claims = [n for n in vault.notes.values() if n.type == "claim"]
    assert len(claims) == 200
    assert len({n.title.lower() for n in claims}) == 200
    for note in claims:
        assert 8 <= len(note.title.split()) <= 25
        assert note.problems == [], (note.path, note.problems)  # well-formed frontmatter
        assert note.h1 == note.title
    assert sum(1 for n in claims if (n.meta or {}).get("depends_on")) > 10


def test_links_resolve_where_intended(generated: tuple[Path, dict]) -> None:
    out, manifest = generated
    vault = Vault.open(out)
    statuses: Counter[str] = Counter()
    for note in vault.notes.values():
        for link in note.links:
            statuses[vault.resolve(link, note).status] += 1
    facts = manifest["links"]
    total = facts["written"] + facts["frontmatter_refs"]
    assert sum(statuses.values()) == total  # links inside code are not links
    assert statuses[BROKEN] == facts["broken"] > 0
    assert statuses[OK] == facts["resolving"] + facts["frontmatter_refs"]
    assert 5 <= facts["written"] / 200 <= 12  # about six body links per claim, plus maps
    assert facts["aliases"] > 0 and facts["headings"] > 0 and facts["in_code"] >= 0


def test_hub_has_exactly_its_backlinks(generated: tuple[Path, dict]) -> None:
    out, manifest = generated
    vault = Vault.open(out)
    hub = vault.find_note(manifest["hub"]["title"])
    assert hub.path == manifest["hub"]["path"]
    linking = {
        note.path
        for note in vault.notes.values()
        for link in note.links
        if (res := vault.resolve(link, note)).status == OK and res.note is hub
    }
    assert len(linking) == manifest["hub"]["backlinks"] == 60
    for item in manifest["ordinary"]:
        assert vault.find_note(item["title"]).path == item["path"]
        assert item["path"] not in linking


def test_check_agrees_and_git_is_clean(generated: tuple[Path, dict]) -> None:
    out, manifest = generated
    result = run(["-C", str(out), "check", "--json"])
    assert result.code == 1  # the broken links are errors
    doc = result.json()
    assert doc["notes"] == manifest["notes"]
    assert len(doc["broken_links"]) == manifest["links"]["broken"]
    assert {p["code"] for p in doc["problems"]} <= {"unmapped"}
    log = subprocess.run(["git", "-C", str(out), "log", "--oneline"], capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(["git", "-C", str(out), "status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_same_seed_same_vault(tmp_path: Path) -> None:
    gen = _generator()
    a = gen.generate(40, tmp_path / "a", seed=3, hub_backlinks=10, commit=False)
    b = gen.generate(40, tmp_path / "b", seed=3, hub_backlinks=10, commit=False)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert files_a == files_b
