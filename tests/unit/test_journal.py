"""adapters.journal outside git: the record, the rollback from any point, and its guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_cli.adapters import journal
from codex_cli.adapters.apply import prepare, write
from codex_cli.core.plan import Plan
from tests.helpers import snapshot, write_vault


def _plan(root: Path) -> Plan:
    write_vault(root, {"a.md": "alpha\n", "dir/b.md": "beta\n"})
    plan = Plan()
    plan.edit("a.md", (root / "a.md").read_bytes(), 0, 5, "ALPHA")
    plan.move("dir/b.md", (root / "dir/b.md").read_bytes(), "new/folder/b.md")
    plan.create("c.md", "new\n")
    return plan


def _written(root: Path, plan: Plan) -> journal.Record:
    """Apply the plan and leave its journal behind, as a killed process would."""
    txn = journal.Transaction(root)
    prepared = prepare(root, plan)
    record = txn.begin(prepared.entries, prepared.folders)
    write(root, prepared)
    return record


def test_the_next_command_rolls_back_every_kind_of_change_and_says_so(vault: Path) -> None:
    plan = _plan(vault)
    before = snapshot(vault)
    _written(vault, plan)
    assert snapshot(vault) != before
    said = journal.recover(vault)
    assert said is not None and said.startswith("recovered an interrupted codex command (pid ")
    assert said.endswith("rolled back: 2 files restored, 2 new files removed")
    assert snapshot(vault) == before
    assert not (vault / "new").exists() and not (vault / ".codex").exists()
    assert journal.recover(vault) is None  # once


def test_a_rollback_interrupted_half_way_is_finished_by_the_next_one(vault: Path) -> None:
    plan = _plan(vault)
    before = snapshot(vault)
    record = _written(vault, plan)
    (vault / "a.md").write_bytes(b"alpha\n")  # the first rollback got this far
    (vault / f"{journal.temp_name(record.pid, 0, 'u')}").write_bytes(b"half")  # and died writing its next file
    assert journal.recover(vault) is not None
    assert snapshot(vault) == before


def test_a_missing_backup_never_empties_a_file(vault: Path) -> None:
    plan = _plan(vault)
    _written(vault, plan)
    (vault / ".codex" / journal.BACKUP).unlink()
    said = journal.recover(vault) or ""
    assert "left as they are" in said and "a.md" in said
    assert (vault / "a.md").read_text() == "ALPHA\n"  # not truncated to the empty backup


def test_a_file_created_and_then_changed_by_someone_is_kept(vault: Path) -> None:
    plan = _plan(vault)
    _written(vault, plan)
    (vault / "c.md").write_text("edited by hand after the crash\n")
    said = journal.recover(vault) or ""
    assert "c.md" in said
    assert (vault / "c.md").read_text() == "edited by hand after the crash\n"


def test_an_interrupt_after_the_end_undoes_nothing(vault: Path) -> None:
    plan = _plan(vault)
    with pytest.raises(KeyboardInterrupt), journal.Transaction(vault) as txn:
        prepared = prepare(vault, plan)
        txn.begin(prepared.entries, prepared.folders)
        write(vault, prepared)
        txn.end()
        raise KeyboardInterrupt
    assert (vault / "a.md").read_text() == "ALPHA\n" and (vault / "c.md").exists()
    assert journal.outcome() == "the change was written before the interrupt"


def test_a_commit_made_by_hand_after_a_kill_is_not_taken_for_the_change(vault: Path) -> None:
    from tests.helpers import git, git_init

    write_vault(vault, {"a.md": "alpha\n", "b.md": "beta\n"})
    git_init(vault)
    plan = Plan()
    plan.edit("a.md", (vault / "a.md").read_bytes(), 0, 5, "ALPHA")
    plan.edit("b.md", (vault / "b.md").read_bytes(), 0, 4, "BETA")
    head = git(vault, "rev-parse", "HEAD").strip()
    txn = journal.Transaction(vault)
    prepared = prepare(vault, plan)
    txn.begin(prepared.entries, prepared.folders, journal.GitIntent(head, "main", "main"))
    journal.write_file(vault, "a.md", b"ALPHA\n", 0o644, ".codex-test.tmp")  # killed after the first file
    git(vault, "commit", "-qam", "half of it, by hand")
    said = journal.recover(vault) or ""
    assert "nothing was undone" in said and "b.md" in said
    assert (vault / "a.md").read_text() == "ALPHA\n" and (vault / "b.md").read_text() == "beta\n"


def test_a_journal_naming_a_path_outside_the_vault_steers_no_write(tmp_path: Path) -> None:
    import json

    vault = tmp_path / "vault"
    vault.mkdir()
    victim = tmp_path / "victim.md"
    victim.write_text("not the vault's\n")
    plan = _plan(vault)
    _written(vault, plan)
    doc = json.loads((vault / ".codex" / journal.JOURNAL).read_text())
    doc["entries"][0]["old_path"] = "../victim.md"  # a tampered (or hostile) journal
    (vault / ".codex" / journal.JOURNAL).write_text(json.dumps(doc))
    said = journal.recover(vault) or ""
    assert "outside the vault" in said and "../victim.md" in said and "nothing was undone" in said
    assert victim.read_text() == "not the vault's\n"


def test_a_plan_made_without_the_lock_lands_only_where_it_was_made(vault: Path) -> None:
    from codex_cli.adapters import lock
    from codex_cli.errors import PlanOutdated
    from tests.helpers import git, git_init

    write_vault(vault, {"a.md": "alpha\n"})
    git_init(vault)
    lock.planning(vault)
    with lock.locked(vault):  # nothing moved: lands
        pass
    lock.planning(vault)
    (vault / "b.md").write_text("b\n")
    git(vault, "add", "b.md")
    git(vault, "commit", "-qm", "meanwhile, by someone else")
    with pytest.raises(PlanOutdated, match=r"HEAD was on main, now main, at another commit\); nothing was written"), lock.locked(vault):
        pytest.fail("landed on a moved HEAD")
    lock.planning(vault)
    git(vault, "switch", "-qc", "elsewhere")
    with pytest.raises(PlanOutdated, match=r"HEAD was on main, now elsewhere\)"), lock.locked(vault):
        pytest.fail("landed on a moved HEAD")
    lock.command_ended()
