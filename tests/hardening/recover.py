"""A recovery attempt on a copy of a data directory, as a thief with the disk and this code base would make it.

Usage: ``python -m tests.hardening.recover DATA_DIR`` prints every meeting payload it could decrypt.

It uses only the files: the key file, the database and its ``-wal``. Live rows give the org ids
and their data keys (which deactivation does not destroy); then every byte of both files is
searched for what deleted rows may have left behind: wrapped principal keys and meeting
ciphertext tokens. Associated data is guessed from every id-shaped string in the files, so a
leftover principal key and a leftover meeting are enough to read the meeting's title and agenda.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WRAPPED = re.compile(rb'"version":"(v\d+)","wrapped":"\\u0001b:([A-Za-z0-9+/=]+)"')
TOKEN = re.compile(rb"hc1:(v\d+):p:([A-Za-z0-9_=-]+)")
HEX_ID = re.compile(rb"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")


def _aad(org: str, collection: str, doc_id: str, field: str) -> bytes:
    return "\x1f".join(("hc", org, collection, doc_id, field)).encode()


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes | None:
    try:
        return AESGCM(key).decrypt(blob[:12], blob[12:], aad)
    except (InvalidTag, ValueError):
        return None


def _live_data_keys(database: Path, kek: bytes) -> dict[tuple[str, str], bytes]:
    """(org, version) → data key, from the live ``keys`` rows of a copy of the database and its WAL."""
    work = Path(tempfile.mkdtemp(prefix="recover-"))
    try:
        for suffix in ("", "-wal"):
            if Path(f"{database}{suffix}").exists():
                shutil.copy2(f"{database}{suffix}", work / f"db{suffix}")
        conn = sqlite3.connect(work / "db")
        rows = conn.execute("SELECT parent, id, data FROM docs WHERE coll = 'keys'").fetchall()
        conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keys = {}
    for parent, version, data in rows:
        org = parent.split("/")[1]
        wrapped = base64.b64decode(json.loads(data)["wrapped"][3:])
        plain = _open(kek, wrapped, _aad(org, "keys", version, "wrapped"))
        if plain is not None:
            keys[(org, version)] = plain
    return keys


def recover(data_dir: Path) -> list[dict[str, object]]:
    """Every meeting payload that can be decrypted from ``data_dir`` (main file, -wal and key file) alone."""
    kek = base64.b64decode((data_dir / "local-kek.key").read_text().strip())
    database = data_dir / "hybrid-calendar.sqlite3"
    data_keys = _live_data_keys(database, kek)
    raw = b"".join(Path(f"{database}{s}").read_bytes() for s in ("", "-wal") if Path(f"{database}{s}").exists())
    ids = sorted({m.group(0).decode() for m in HEX_ID.finditer(raw)})
    orgs = sorted({org for org, _ in data_keys})
    principal_keys: dict[tuple[str, str], bytes] = {}
    for match in WRAPPED.finditer(raw):
        version, blob = match.group(1).decode(), base64.b64decode(match.group(2))
        for org, pid in itertools.product(orgs, ids):
            key = data_keys.get((org, version))
            plain = _open(key, blob, _aad(org, "principalKeys", pid, "wrapped")) if key else None
            if plain is not None:
                principal_keys[(org, pid)] = plain
    found: list[dict[str, object]] = []
    for match in set(TOKEN.finditer(raw)):
        version, blob = match.group(1).decode(), base64.urlsafe_b64decode(match.group(2))
        for (org, pid), principal_key in principal_keys.items():
            data_key = data_keys.get((org, version))
            if data_key is None:
                continue
            info = f"hc1|{org}|{pid}".encode()
            field_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=principal_key, info=info).derive(data_key)
            for doc_id in ids:
                plain = _open(field_key, blob, _aad(org, "meetings", doc_id, "payload"))
                if plain is not None:
                    found.append(json.loads(plain))
    unique = {hashlib.sha256(json.dumps(f, sort_keys=True).encode()).hexdigest(): f for f in found}
    return list(unique.values())


if __name__ == "__main__":
    for payload in recover(Path(sys.argv[1])):
        print(json.dumps({"title": payload.get("title"), "agenda": payload.get("agenda")}))
