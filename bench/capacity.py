"""Capacity model: per-day Google calls, Firestore reads and writes, KMS calls and Pub/Sub messages.

``python -m bench.capacity`` measures each operation's cost on the emulator
(``bench.capacity_counts``), scales it by the workload assumptions below for 1k, 10k and 100k
users, sets the result against Google's default quotas and prices it. ``docs/capacity.md``
holds its output and explains every assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.capacity_counts import Cost, measure
from functions.registry import SCHEDULE_SECONDS
from shared.services.channels import CHANNEL_TTL, RENEW_BEFORE

# ---------------------------------------------------------------- workload assumptions
MEETINGS_PER_WEEK = 30  # meetings on each user's calendar
PARTICIPANTS = 3  # activated calendars per meeting: the organiser and two invitees (the measured scenario)
KEYWORD_SHARE = 0.5  # meetings that get a keyword
MOVES_PER_MEETING = 1.0  # edits after creation (time, title, guests); each costs what a creation costs
SERIES_SHARE = 0.2  # meetings that are a recurring series' change (+1 events.instances per calendar)
WINDOW_MEETINGS = MEETINGS_PER_WEEK / 7 * 38  # meetings stored per calendar (7 days back, 31 ahead)
MEETING_MINUTES = 30
LEAD_MINUTES = 5
WARM_INSTANCES = 10  # function instances that hold data keys (each unwraps on its own)
KEY_VERSIONS_READ = 3  # today's and yesterday's data key (reconcile rewrites daily) and the pinned one
KEY_CACHE_SECONDS = 300
USERS = (1_000, 10_000, 100_000)

# ---------------------------------------------------------------- quotas (defaults; check the console)
CALENDAR_PER_DAY = 1_000_000  # Calendar API queries per day per project (raise on request)
CALENDAR_PER_USER_MINUTE = 600
GMAIL_UNITS_PER_DAY = 1_000_000_000  # getVacation costs 1 unit
KMS_PER_MINUTE = 60_000  # cryptographic requests per minute per project
FIRESTORE_WRITES_PER_SECOND = 10_000  # sustained per database (ramp up by 500/50/5)

# ---------------------------------------------------------------- list prices (USD)
FIRESTORE_READ = 0.03 / 100_000  # us-central1
FIRESTORE_WRITE = 0.09 / 100_000
KMS_OPERATION = 0.03 / 10_000
PUBSUB_TIB = 40.0  # per TiB; every publish and every delivery bills at least 1,000 bytes
INVOCATION = 0.40 / 1_000_000  # Cloud Functions gen2 / Cloud Run requests


@dataclass(frozen=True, slots=True)
class Day:
    """One day's totals for one deployment size."""

    users: int
    google: float
    calendar: float
    gmail: float
    reads: float
    writes: float
    kms: float
    messages: float
    invocations: float


def model(costs: dict[str, Cost], users: int) -> Day:
    """Scale the measured costs to ``users`` for one day."""
    create, keyword, rsvp = (
        costs["create, 3 calendars"],
        costs["keyword added, 3 calendars"],
        costs["RSVP, 3 calendars"],
    )
    series, poll = costs["recurring series created, 1 calendar"], costs["vacation poll, 3 people"]
    dispatch, repeat, reconcile = (
        costs["join-button dispatch, 1 meeting, 3 invitees"],
        costs["dispatch run, nothing due"],
        costs["reconcile, 1 calendar (6 meetings)"],
    )
    meetings = users * MEETINGS_PER_WEEK / 7 / PARTICIPANTS  # distinct meetings per day
    changes = [(create, 1 + MOVES_PER_MEETING), (keyword, KEYWORD_SHARE), (rsvp, PARTICIPANTS - 1)]

    def service_calls(cost: Cost, by_user: int) -> float:
        """Calls the service made: the step's calls minus the user's own insert or patch."""
        return sum(cost.google.values()) - by_user

    user_calls = (1, 1, 1)  # the user's events.insert, events.patch (location), events.patch (RSVP)
    calendar = sum(service_calls(c, u) * n * meetings for (c, n), u in zip(changes, user_calls, strict=True))
    calendar += meetings * SERIES_SHARE * PARTICIPANTS * series.google["calendar.events.instances"]
    polls = 86_400 / SCHEDULE_SECONDS["poll_vacations"]
    gmail = users * polls * poll.google["gmail.users.settings.getVacation"] / 3
    instances_per_series = reconcile.google.get("calendar.events.instances", 0)
    calendar += users * (1 + instances_per_series * SERIES_SHARE * 5)  # daily reconcile: list + series' instances
    calendar += users * 2 / (CHANNEL_TTL - RENEW_BEFORE).days  # watch + channels.stop per renewal
    runs = 86_400 / SCHEDULE_SECONDS["dispatch_join_buttons"]
    due_runs = LEAD_MINUTES + MEETING_MINUTES  # runs that find a meeting eligible and try its notice again
    reads = sum((c.reads * n) * meetings for c, n in changes)
    writes = sum((c.writes * n) * meetings for c, n in changes)
    reads += users * polls * poll.reads / 3
    reads += runs * (repeat.reads - 3 + users)  # each run lists the active principals
    writes += meetings * PARTICIPANTS * (dispatch.writes / 3 + (due_runs - 1) * repeat.writes / 3)
    reads += meetings * PARTICIPANTS * due_runs * dispatch.reads / 3
    scale = WINDOW_MEETINGS / 6  # the measured reconcile held 6 meetings
    reads += users * reconcile.reads * scale
    writes += users * reconcile.writes * scale
    kms = 1 + WARM_INSTANCES * KEY_VERSIONS_READ * 86_400 / KEY_CACHE_SECONDS  # one org
    messages = sum(sum(c.published.values()) * n * meetings for c, n in changes)
    messages += users / 100 * polls + meetings * PARTICIPANTS * dispatch.published["join-buttons"] / 3
    invocations = messages + runs + polls + 24 + sum(c.pushes * n * meetings for c, n in changes)
    return Day(users, calendar + gmail, calendar, gmail, reads, writes, kms, messages, invocations)


def monthly_cost(day: Day) -> dict[str, float]:
    """List-price cost of 30 such days, by service."""
    pubsub_bytes = day.messages * 2 * 1000  # one publish and one delivery, 1,000 bytes minimum each
    return {
        "Firestore": 30 * (day.reads * FIRESTORE_READ + day.writes * FIRESTORE_WRITE),
        "Cloud KMS": 30 * day.kms * KMS_OPERATION,
        "Pub/Sub": 30 * pubsub_bytes / 2**40 * PUBSUB_TIB,
        "Function requests": 30 * day.invocations * INVOCATION,
    }


def table(costs: dict[str, Cost]) -> str:
    """The Markdown tables for docs/capacity.md."""
    lines = ["| measured step | Google calls by the service | store reads | store writes | bus messages |"]
    lines.append("|---|---|---|---|---|")
    for name, c in costs.items():
        calls = ", ".join(f"{op.split('.', 1)[1]} {n}" for op, n in sorted(c.google.items()))
        msgs = ", ".join(f"{t} {n}" for t, n in sorted(c.published.items()))
        lines.append(f"| {name} | {calls or '-'} | {c.reads} | {c.writes} | {msgs or '-'} |")
    lines += ["", "| per day | " + " | ".join(f"{u:,} users" for u in USERS) + " |", "|---|---|---|---|"]
    days = [model(costs, u) for u in USERS]
    rows = [
        ("Calendar API calls", "calendar", CALENDAR_PER_DAY, "of 1M/day default"),
        ("Gmail getVacation (units)", "gmail", GMAIL_UNITS_PER_DAY, "of 1B units/day"),
        ("Firestore reads", "reads", None, ""),
        ("Firestore writes", "writes", FIRESTORE_WRITES_PER_SECOND * 86_400, "of 10k/s sustained"),
        ("KMS calls (one org)", "kms", KMS_PER_MINUTE * 1440, "of 60k/min"),
        ("Pub/Sub messages", "messages", None, ""),
    ]
    for label, attr, quota, what in rows:
        cells = []
        for d in days:
            value = getattr(d, attr)
            share = f" ({value / quota:.1%} {what})" if quota else ""
            cells.append(f"{value:,.0f}{share}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    peak = [d.calendar / 86_400 * 3 for d in days]  # three times the mean in working hours
    lines.append("| Calendar calls/s at peak (3x mean) | " + " | ".join(f"{p:,.1f}" for p in peak) + " |")
    lines += ["", "| monthly cost (USD, list prices) | " + " | ".join(f"{u:,} users" for u in USERS) + " |"]
    lines.append("|---|---|---|---|")
    costs_by = [monthly_cost(d) for d in days]
    for service in costs_by[0]:
        lines.append(f"| {service} | " + " | ".join(f"{c[service]:,.2f}" for c in costs_by) + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(c.values()):,.2f}**" for c in costs_by) + " |")
    return "\n".join(lines)


def main() -> None:
    """Measure and print the tables."""
    print(table(measure()))


if __name__ == "__main__":
    main()
