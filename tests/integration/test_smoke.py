from pathlib import Path

from tests.helpers import claim, git_init, run, write_vault


def test_init_then_check_is_clean(tmp_path: Path) -> None:
    result = run(["init", str(tmp_path / "kb"), "--example"])
    assert result.code == 0, result.stderr
    check = run(["--json", "check"], cwd=tmp_path / "kb")
    assert check.code == 0, check.stdout + check.stderr
    doc = check.json()
    assert doc["notes"] >= 5
    assert doc["broken_links"] == []


def test_init_says_the_next_step_from_where_the_user_is(tmp_path: Path) -> None:
    """`next: codex check` from outside the new folder checked the folder the user was in."""
    (tmp_path / "here").mkdir()
    elsewhere = run(["init", "my kb", "--no-commit"], cwd=tmp_path)
    assert elsewhere.code == 0, elsewhere.stderr
    assert elsewhere.stderr.splitlines()[-1] == "next: cd 'my kb', then codex check, or codex new claim"
    inside = run(["init", "--example", "--no-commit"], cwd=tmp_path / "here")
    assert inside.stderr.splitlines()[-1] == "next: codex check"
    by_c = run(["-C", str(tmp_path), "init", "kb2", "--example", "--no-commit"], cwd=tmp_path / "here")
    assert by_c.stderr.splitlines()[-1] == f"next: codex -C {tmp_path / 'kb2'} check"


def test_init_on_a_knowledge_base_says_it_is_one(tmp_path: Path) -> None:
    """On the sample (schemas, no .codex.yaml) init said only `already exists: schemas/…`."""
    write_vault(tmp_path / "kb", {"schemas/claim.md": "# Claim Schema\n"})
    taken = run(["init", "kb"], cwd=tmp_path)
    assert taken.code == 3 and "already exists: schemas/claim.md" in taken.stderr
    assert f"codex works on an existing knowledge base as it is: codex -C {tmp_path / 'kb'} check" in taken.stderr
    assert run(["init", "other", "--no-commit"], cwd=tmp_path).code == 0
    again = run(["init", "other"], cwd=tmp_path)
    assert again.code == 3 and f"hint: {tmp_path / 'other'} is a knowledge base already" in again.stderr


def test_check_of_a_folder_with_no_notes_is_refused(tmp_path: Path) -> None:
    """CI started in the wrong folder ran `codex check` on nothing: `0 notes … 0 errors`, exit 0."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "code.py").write_text("print(1)\n")
    result = run(["check"], cwd=tmp_path / "src")
    assert result.code == 2 and f"no notes in {tmp_path / 'src'}: nothing to check" in result.stderr
    assert "-C DIR" in result.stderr and result.stdout == ""


def test_broken_link_exits_1_with_suggestion(vault: Path) -> None:
    write_vault(vault, {
        "domains/ai/_map.md": "# AI\n\n## Core\n- [[markets beat votes for information aggregation]] — x\n",
        "domains/ai/markets beat votes for information aggregation.md": claim("markets beat votes for information aggregation"),
        "domains/ai/b.md": claim("b", "see [[markets beat vote for information aggregation]]"),
    })
    git_init(vault)
    result = run(["check", "--json"], cwd=vault)
    assert result.code == 1
    broken = result.json()["broken_links"]
    assert broken == [{
        "file": "domains/ai/b.md", "line": 12,
        "target": "markets beat vote for information aggregation",
        "suggestions": ["markets beat votes for information aggregation"],
    }]


def test_init_refused_leaves_no_folder_behind(tmp_path: Path) -> None:
    for domain in ("Health Care", "a/b"):
        result = run(["init", str(tmp_path / "kb"), "--domain", domain])
        assert result.code == 2 and "lower-case letters" in result.stderr
        assert not (tmp_path / "kb").exists()
