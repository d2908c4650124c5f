"""Findings 6 and 8: start-up refuses a data dir it cannot trust, in one line; /healthz sees an unreadable store."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.test import Client

from shared.bootstrap import build
from shared.clock import ManualClock
from shared.config import Settings
from shared.domain.principals import CredentialRef, Org
from shared.runtime.server import LocalRuntime
from tests.hardening.procs import ADMIN_TOKEN, CLI, answers, spawn
from tests.support.gcp_emulators import free_port
from tests.support.instant import T0, z

DB, KEY = "hybrid-calendar.sqlite3", "local-kek.key"


def _seeded(tmp_path: Path) -> Path:
    """A data dir as a running service leaves it: a database with an org (so data keys) and its key file."""
    data = tmp_path / "data"
    app = build(Settings(data_dir=data, scheduler=False), clock=ManualClock(T0))
    try:
        org = Org(id="example-com", domain="example.com", credential=CredentialRef("keyless", "sa@p.iam", "1"))
        app.provisioning.create_org(org, None)
        app.stores.orgs.put_org_secret("example-com", "webex_access_token", "a-secret-token")
    finally:
        app.close()
    return data


def _missing(data: Path) -> None:
    (data / KEY).unlink()


def _unreadable(data: Path) -> None:
    (data / KEY).unlink()
    (data / KEY).mkdir()


def _malformed(data: Path) -> None:
    (data / KEY).write_text("not a key at all\n")


def _readable_by_others(data: Path) -> None:
    (data / KEY).chmod(0o644)


def _foreign_key(data: Path) -> None:
    (data / KEY).write_text(base64.b64encode(os.urandom(32)).decode() + "\n")


def _not_a_database(data: Path) -> None:
    (data / DB).write_bytes(b"this is a text file, not SQLite " * 100)
    for suffix in ("-wal", "-shm"):
        (data / (DB + suffix)).unlink(missing_ok=True)


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing": (_missing, "is missing but the database"),
    "unreadable": (_unreadable, "cannot be read"),
    "malformed": (_malformed, "is not a base64 AES-256 key"),
    "readable_by_others": (_readable_by_others, "must not be readable by others"),
    "foreign": (_foreign_key, "does not open this database's keys"),
    "not_a_database": (_not_a_database, "is not a Hybrid Calendar database"),
}


def _serve_env(data: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
    return {**keep, "HYBRIDCAL_DATA_DIR": str(data), "HYBRIDCAL_SCHEDULER": "off", "HYBRIDCAL_CLOCK_START": z(T0)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_serve_refuses_a_data_dir_it_cannot_trust_in_one_line(tmp_path: Path, case: str) -> None:
    """A missing, unreadable, malformed, world-readable or foreign key, or no database: one line, exit 2."""
    data = _seeded(tmp_path)
    damage, expected = CASES[case]
    damage(data)
    before = sorted(p.name for p in data.iterdir())
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(free_port())],
        env=_serve_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"serve started on a data dir with a {case} key or database")
    lines = err.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert b"Traceback" not in out + err
    assert sorted(p.name for p in data.iterdir()) == before  # no new key was made, nothing was replaced


def test_a_second_serve_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    """While one `serve` owns a data dir, another one says so in one line and exits 2."""
    data = _seeded(tmp_path)
    first = spawn(
        "first",
        ["serve", "--port", str(free_port())],
        {**_serve_env(data), "HYBRIDCAL_ADMIN_TOKEN": ADMIN_TOKEN},
        tmp_path,
    )
    try:
        assert answers(first), first.output()
        second = subprocess.run(
            [CLI, "serve", "--port", str(free_port())], env=_serve_env(data), capture_output=True, timeout=60
        )
        lines = second.stderr.decode().strip().splitlines()
        assert second.returncode == 2 and len(lines) == 1 and "in use by another" in lines[0], lines
    finally:
        first.stop()


def test_healthz_is_503_and_reads_are_not_500_when_the_store_is_corrupt(tmp_path: Path) -> None:
    """A database with a damaged page: /healthz answers 503 naming the store, and reads answer 503, never 500."""
    data = _seeded(tmp_path)
    app = build(Settings(data_dir=data, scheduler=False), clock=ManualClock(T0))
    for n in range(200):  # enough rows for the documents to span many pages
        app.stores.orgs.put_org_secret("example-com", f"padding{n}", "x" * 400)
    app.close()
    raw = bytearray((data / DB).read_bytes())
    page = 4096
    pages = len(raw) // page
    assert pages > 30
    for number in range(pages * 2 // 3, pages):  # the pages written last: the org document's, not the keys'
        raw[number * page : (number + 1) * page] = os.urandom(page)
    (data / DB).write_bytes(bytes(raw))
    runtime = LocalRuntime(
        build(Settings(data_dir=data, scheduler=False, admin_token=ADMIN_TOKEN), clock=ManualClock(T0)),
        scheduler=False,
    )
    try:
        client = Client(runtime)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
        assert health.get_json()["store"]
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        statuses = []
        for path in ("/admin/v1/orgs", "/admin/v1/orgs/example-com"):
            response = client.get(path, headers=headers)
            statuses.append(response.status_code)
            assert response.get_json()["error"]["code"] == "unavailable", (path, response.status_code)
        assert statuses == [503, 503]
    finally:
        runtime.close()


def test_data_dir_files_are_private(tmp_path: Path) -> None:
    """The data dir is 0700 and every file in it 0600, also when an older release left 0755 and 0644 behind."""
    data = _seeded(tmp_path)
    data.chmod(0o755)
    (data / DB).chmod(0o644)
    app = build(Settings(data_dir=data, scheduler=False), clock=ManualClock(T0))
    try:
        app.stores.orgs.put_org_secret("example-com", "webex_access_token", "another-secret")
        names = sorted(p.name for p in data.iterdir())
        assert {DB, DB + "-wal", DB + "-shm", KEY} <= set(names)
        assert data.stat().st_mode & 0o777 == 0o700
        assert {n: (data / n).stat().st_mode & 0o777 for n in names} == dict.fromkeys(names, 0o600)
    finally:
        app.close()
    fresh = tmp_path / "fresh" / "data"
    build(Settings(data_dir=fresh, scheduler=False), clock=ManualClock(T0)).close()
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in fresh.iterdir())
    shutil.rmtree(tmp_path / "fresh")
