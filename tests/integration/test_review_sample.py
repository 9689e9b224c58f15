"""`codex review` on branches of a git copy of the real knowledge base, made as an agent would.

Planted: an extraction with one duplicate of an existing claim, a `likely`
claim without challenged_by, a claim with "always" in its title; a retired
claim that a belief depends on. Each is found, and a clean branch is
flagged for nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SAMPLE, copy_sample, git, run, write_vault

pytestmark = [pytest.mark.sample, pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/sample-codex is not here")]

TRAILER = "\n\nPentagon-Agent: Vida <HEADLESS>"
MAP = "domains/health/_map.md"
ORIGINAL = "AI middleware bridges consumer wearable data to clinical utility because continuous data is too voluminous for direct clinician review"
DUPLICATE = "an AI processing layer must sit between wearables and clinicians because continuous wearable data overwhelms clinical review"
UNCHALLENGED = "remote patient monitoring reimbursement codes expanded in 2026 to cover as few as two days of data"
ALWAYS = "continuous glucose monitors always change food choices in non-diabetic users"
CLEAN = "hospital-at-home programs cut readmissions when remote monitoring feeds a staffed command center"
SOURCE = "inbox/archive/2026-03-01-example-wearables-report.md"
RETIRED = "foundations/teleological-economics/industries are need-satisfaction systems and the attractor state is the configuration that most efficiently satisfies underlying human needs given available technology.md"


def health_claim(title: str, description: str, body: str, *, confidence: str = "experimental", challenged: bool = True) -> str:
    challenge = '\nchallenged_by:\n  - "small pilot cohorts may not generalise"' if challenged else ""
    return (
        f"---\ntype: claim\ndomain: health\ndescription: \"{description}\"\nconfidence: {confidence}\n"
        f"source: \"Example Health Report (2026)\"\ncreated: 2026-03-01{challenge}\n---\n\n# {title}\n\n{body}\n\n---\n\n"
        f"Relevant Notes:\n- [[continuous health monitoring is converging on a multi-layer sensor stack of ambient wearables periodic patches and environmental sensors processed through AI middleware]] -- context\n\n"
        f"Topics:\n- [[domains/health/_map]]\n"
    )


def list_in_map(root: Path, *titles: str) -> None:
    path = root / MAP
    path.write_text(path.read_text() + "\n## New\n" + "".join(f"- [[{t}]] — added on this branch\n" for t in titles))


def source(*titles: str) -> str:
    listed = ", ".join(f'"{t}.md"' for t in titles)
    return (
        f'---\ntype: source\ntitle: "Wearables report"\nauthor: "Example Health"\ndate: 2026-03-01\ndomain: health\n'
        f"status: processed\nprocessed_by: vida\nclaims_extracted: [{listed}]\n---\n\n## Content\n\nThe report.\n"
    )


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("review-sample") / "codex")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "snapshot")
    return root


def branch(root: Path, name: str) -> None:
    git(root, "switch", "-q", "main")
    git(root, "switch", "-q", "-c", name)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def by_path(doc: dict) -> dict[str, dict]:
    return {n["path"]: n for n in doc["notes"]}


def codes(note: dict) -> set[str]:
    return {f["code"] for f in note["findings"]}


def test_an_extraction_with_planted_problems(sample_repo: Path) -> None:
    root = sample_repo
    branch(root, "vida/extract-wearables-report")
    write_vault(root, {
        f"domains/health/{DUPLICATE}.md": health_claim(
            DUPLICATE,
            "Mayo Clinic's Apple Watch ECG work shows raw wearable streams need AI filtering before they reach an EHR",
            "Consumer wearables generate continuous HR, HRV, SpO2 and sleep data, while clinical workflows expect point-in-time readings. "
            "The Mayo Clinic Apple Watch ECG integration (2025) ran AI over the data to flag left ventricular dysfunction and pushed processed trends into the EHR. "
            "Without an AI middleware layer, more wearable data only adds alert fatigue for clinicians.",
        ),
        f"domains/health/{UNCHALLENGED}.md": health_claim(
            UNCHALLENGED,
            "new CPT codes 99445 and 99470 let providers bill for short monitoring windows, widening who can be paid for RPM",
            "CMS added CPT 99445 and 99470 in 2026 (Federal Register, November 2025), allowing billing for 2 to 15 days of device data.",
            confidence="likely", challenged=False,
        ),
        f"domains/health/{ALWAYS}.md": health_claim(
            ALWAYS,
            "OTC CGM users in a 2025 Stelo cohort reported cutting refined carbohydrates within two weeks",
            "Dexcom's Stelo launch data (2025) found most non-diabetic users changed their meals after seeing glucose spikes.",
        ),
        SOURCE: source(DUPLICATE, UNCHALLENGED, ALWAYS),
    })
    list_in_map(root, DUPLICATE, UNCHALLENGED, ALWAYS)
    commit(root, "vida: extract 3 claims from the wearables report" + TRAILER)
    result = run(["review", "--json"], cwd=root)
    assert result.code == 0, result.stderr  # item 11 and the quantifier are warnings
    assert run(["review", "--json", "--strict"], cwd=root).code == 1
    notes = by_path(result.json())
    assert codes(notes[f"domains/health/{UNCHALLENGED}.md"]) == {"unchallenged"}
    assert codes(notes[f"domains/health/{ALWAYS}.md"]) == {"universal-quantifier"}
    assert codes(notes[f"domains/health/{DUPLICATE}.md"]) == set()
    assert notes[f"domains/health/{DUPLICATE}.md"]["duplicates"][0]["title"] == ORIGINAL
    assert codes(notes[SOURCE]) == set() and codes(notes[MAP]) == set()


def test_retiring_a_claim_a_belief_depends_on(sample_repo: Path) -> None:
    root = sample_repo
    branch(root, "vida/retire-need-satisfaction")
    result = run(["retire", RETIRED, "--reason", "superseded by a sharper claim", "--agent", "vida", "--no-branch"], cwd=root)
    assert result.code == 0, result.stderr
    doc = run(["review", "--json"], cwd=root).json()
    note = by_path(doc)[RETIRED]
    assert note["change"] == "retired"
    assert ("agents/vida/beliefs.md", "Healthcare's fundamental misalignment is structural, not moral") in {
        (d["path"], d.get("section")) for d in note["cascade"]
    }
    md = run(["review", "--markdown"], cwd=root).stdout
    assert "Beliefs and positions that depend on it reviewed" in md and "agents/vida/beliefs.md#Healthcare" in md


def test_a_clean_branch_is_flagged_for_nothing(sample_repo: Path) -> None:
    root = sample_repo
    branch(root, "vida/hospital-at-home")
    write_vault(root, {
        f"domains/health/{CLEAN}.md": health_claim(
            CLEAN,
            "Mass General Brigham's program saw 70 percent fewer readmissions with nurses watching vitals around the clock",
            "Mass General Brigham's hospital-at-home program (2024) reported readmissions 70 percent below matched inpatients; "
            "a staffed command center reviewed continuous vitals and dispatched nurses.",
        ),
        SOURCE.replace("wearables", "hospital-at-home"): source(CLEAN),
    })
    list_in_map(root, CLEAN)
    commit(root, "vida: extract hospital-at-home claim" + TRAILER)
    result = run(["review", "--json"], cwd=root)
    doc = result.json()
    assert result.code == 0 and doc["errors"] == 0 and doc["warnings"] == 0, [n["findings"] for n in doc["notes"]] + [c["findings"] for c in doc["commits"]]
    assert run(["review", "--strict"], cwd=root).code == 0
