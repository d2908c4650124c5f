"""Tables of the durable embedded bus, in the service's own SQLite database, and their row helpers.

``bus_subscriptions`` names every subscription and its topic (they outlive the process, as
Pub/Sub's do); ``bus_messages`` holds each published message once; ``bus_deliveries`` holds one
row per message and subscription until it is acknowledged or dead-lettered, with the delivery
attempts made so far and how often a held lease deferred it; ``bus_dead_letters`` keeps every
dead-lettered message with its last error.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime

import orjson

from shared.ports import BusMessage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bus_subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS bus_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        topic TEXT NOT NULL,
        data BLOB NOT NULL,
        attributes TEXT NOT NULL,
        ordering_key TEXT,
        published TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bus_deliveries (
        subscription TEXT NOT NULL,
        seq INTEGER NOT NULL,
        okey TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        deferrals INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        PRIMARY KEY (subscription, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS bus_dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subscription TEXT NOT NULL,
        topic TEXT NOT NULL,
        message_id TEXT NOT NULL,
        data BLOB NOT NULL,
        attributes TEXT NOT NULL,
        ordering_key TEXT,
        published TEXT,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ix_bus_messages_published ON bus_messages (published)",
)


def create(conn: sqlite3.Connection) -> None:
    """Create the bus tables where they are missing."""
    for statement in SCHEMA:
        conn.execute(statement)


def subscriptions(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Topic → the names of its stored subscriptions."""
    found: dict[str, list[str]] = {}
    for name, topic in conn.execute("SELECT name, topic FROM bus_subscriptions ORDER BY name"):
        found.setdefault(topic, []).append(name)
    return found


def open_subscription(conn: sqlite3.Connection, name: str, topic: str) -> list[tuple[str, int]]:
    """Store a subscription (when new) and return its backlog: (ordering key, sequence number) in order."""
    conn.execute("INSERT OR IGNORE INTO bus_subscriptions (name, topic) VALUES (?, ?)", (name, topic))
    rows = conn.execute("SELECT okey, seq FROM bus_deliveries WHERE subscription = ? ORDER BY seq", (name,))
    return [(str(okey), int(seq)) for okey, seq in rows]


def insert_deliveries(conn: sqlite3.Connection, names: list[str], seq: int, okey: str) -> None:
    """One delivery row per subscription for a stored message."""
    conn.executemany(
        "INSERT INTO bus_deliveries (subscription, seq, okey) VALUES (?, ?, ?)", [(n, seq, okey) for n in names]
    )


def start_delivery(conn: sqlite3.Connection, subscription: str, seq: int) -> tuple[int, int] | None:
    """Count a delivery attempt as it starts; (attempts, deferrals), or None when the row is gone."""
    row = conn.execute(
        "UPDATE bus_deliveries SET attempts = attempts + 1 WHERE subscription = ? AND seq = ? "
        "RETURNING attempts, deferrals",
        (subscription, seq),
    ).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def fail_delivery(conn: sqlite3.Connection, subscription: str, seq: int, error: str, *, deferred: bool) -> None:
    """Keep a failed delivery's error; a deferral (a held lease) gives its attempt back."""
    change = "attempts = attempts - 1, deferrals = deferrals + 1, error = ?" if deferred else "error = ?"
    conn.execute(f"UPDATE bus_deliveries SET {change} WHERE subscription = ? AND seq = ?", (error, subscription, seq))


def stamp(when: datetime) -> str:
    """A sortable UTC text form of ``when``."""
    return when.astimezone(UTC).isoformat()


def insert_message(
    conn: sqlite3.Connection,
    message_id: str,
    topic: str,
    data: bytes,
    ordering_key: str | None,
    attributes: Mapping[str, str],
    published: datetime,
) -> int:
    """Store one message and return its sequence number (publish order)."""
    row = conn.execute(
        "INSERT INTO bus_messages (id, topic, data, attributes, ordering_key, published) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        (message_id, topic, bytes(data), orjson.dumps(dict(attributes)).decode(), ordering_key, stamp(published)),
    ).fetchone()
    return int(row[0])


def load_message(conn: sqlite3.Connection, seq: int, attempt: int) -> BusMessage | None:
    """The message with sequence number ``seq`` as a handler receives it, or None when it is gone."""
    row = conn.execute(
        "SELECT id, topic, data, attributes, ordering_key, published FROM bus_messages WHERE seq = ?", (seq,)
    ).fetchone()
    if row is None:
        return None
    message_id, topic, data, attributes, ordering_key, published = row
    return BusMessage(
        topic=topic,
        data=bytes(data),
        attributes=json.loads(attributes),
        ordering_key=ordering_key,
        message_id=message_id,
        publish_time=datetime.fromisoformat(published),
        delivery_attempt=attempt,
    )


def forget_delivery(conn: sqlite3.Connection, subscription: str, seq: int) -> None:
    """Drop one delivery, and the message once no subscription still has it."""
    conn.execute("DELETE FROM bus_deliveries WHERE subscription = ? AND seq = ?", (subscription, seq))
    conn.execute(
        "DELETE FROM bus_messages WHERE seq = ? AND NOT EXISTS (SELECT 1 FROM bus_deliveries WHERE seq = ?)",
        (seq, seq),
    )


def record_dead_letter(
    conn: sqlite3.Connection, subscription: str, message: BusMessage, error: str, at: datetime
) -> None:
    """Keep a dead-lettered message with its last error."""
    conn.execute(
        "INSERT INTO bus_dead_letters "
        "(subscription, topic, message_id, data, attributes, ordering_key, published, attempts, error, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            subscription,
            message.topic,
            message.message_id,
            message.data,
            json.dumps(dict(message.attributes)),
            message.ordering_key,
            stamp(message.publish_time) if message.publish_time else None,
            message.delivery_attempt,
            error,
            stamp(at),
        ),
    )


def dead_letter_rows(conn: sqlite3.Connection) -> list[tuple[str, BusMessage, int, str]]:
    """Every dead letter, oldest first: (subscription, message, attempts, error)."""
    rows = conn.execute(
        "SELECT subscription, topic, message_id, data, attributes, ordering_key, published, attempts, error "
        "FROM bus_dead_letters ORDER BY id"
    ).fetchall()
    out = []
    for sub, topic, mid, data, attributes, key, published, attempts, error in rows:
        message = BusMessage(
            topic=topic,
            data=bytes(data),
            attributes=json.loads(attributes),
            ordering_key=key,
            message_id=mid,
            publish_time=datetime.fromisoformat(published) if published else None,
            delivery_attempt=int(attempts),
        )
        out.append((sub, message, int(attempts), error))
    return out


def purge_before(conn: sqlite3.Connection, cutoff: datetime) -> int:
    """Drop messages (and their deliveries) published before ``cutoff``; return how many."""
    old = "SELECT seq FROM bus_messages WHERE published < ?"
    conn.execute(f"DELETE FROM bus_deliveries WHERE seq IN ({old})", (stamp(cutoff),))
    return int(conn.execute("DELETE FROM bus_messages WHERE published < ?", (stamp(cutoff),)).rowcount)


def note_failure(conn: sqlite3.Connection, subscription: str, seq: int, error: str, *, deferred: bool) -> None:
    """Keep a failed delivery's error; a deferred one (a held lease) gives its attempt back and counts a deferral."""
    change = "attempts = attempts - 1, deferrals = deferrals + 1, error = ?" if deferred else "error = ?"
    conn.execute(f"UPDATE bus_deliveries SET {change} WHERE subscription = ? AND seq = ?", (error, subscription, seq))
