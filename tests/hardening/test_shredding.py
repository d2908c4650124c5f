"""Finding 4: a deactivated person's meetings cannot be recovered from the data directory, WAL included."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.faults.support import ALICE, BOB, create, event_body
from tests.hardening.procs import copy_data_dir
from tests.hardening.recover import recover
from tests.support.world import World


def _titles(data_dir: Path) -> set[str]:
    copy = copy_data_dir(data_dir)
    try:
        return {str(p["title"]) for p in recover(copy)} | {str(p["agenda"]) for p in recover(copy)}
    finally:
        shutil.rmtree(copy)


def test_the_recovery_script_finds_nothing_of_a_deactivated_person(world: World, tmp_path: Path) -> None:
    """Before deactivation the script reads Alice's meeting from main file + WAL; after it, only Bob's is left."""
    data_dir = tmp_path / "data"
    world.activate(ALICE)
    world.activate(BOB)
    create(world, ALICE, {**event_body("Alice-Secret-Title-7731", 2), "description": "Alice-Agenda-1187"})
    create(world, BOB, event_body("Bob-Still-Here-4410", 3))
    world.settle()
    before = _titles(data_dir)
    assert {"Alice-Secret-Title-7731", "Alice-Agenda-1187", "Bob-Still-Here-4410"} <= before  # the script works
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    after = _titles(data_dir)
    assert "Bob-Still-Here-4410" in after  # live data the key file opens is still read: the script still works
    assert not {t for t in after if t.startswith("Alice")}
    raw = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.name.startswith("hybrid-calendar.sqlite3"))
    assert b"Alice-Secret-Title-7731" not in raw and b"Alice-Agenda-1187" not in raw
