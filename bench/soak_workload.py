"""The soak's workload: seeded random Calendar and Gmail operations by users acting by hand.

Every operation goes through the emulator's Google API as the user would make it (create,
move, delete, recurring series and their exceptions, keyword add/change/remove, RSVP) or its
control plane (vacation on/off). The model remembers what the workload last wrote, so the
checks know the expected user text, keywords, RSVPs and vacation state.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench import soak_status
from bench.soak_world import ROOMS, SoakWorld

KEYWORD_LOCATIONS = ("@webex", "Room 2 @webex", "@webex:space", "HQ @webex:space")
MEET = "https://meet.google.com/abc-defg-hij"
WORDS = ("budget", "roadmap", "hiring", "launch", "retro", "design", "pricing", "support", "quarterly", "offsite")
RSVP = ("accepted", "declined", "tentative")


@dataclass
class Ev:
    """One organiser event the workload made, as the workload last wrote it."""

    id: str
    organiser: str
    attendees: list[str]
    title: str
    description: str
    location: str
    recurring: bool
    deleted: bool = False


@dataclass
class Model:
    """What the workload wrote: events, sensitive values, vacation state."""

    events: dict[str, Ev] = field(default_factory=dict)
    vacation: dict[str, bool] = field(default_factory=dict)
    sensitive: set[str] = field(default_factory=set)
    ops: Counter[str] = field(default_factory=Counter)
    failed_calls: Counter[str] = field(default_factory=Counter)

    def live(self, *, recurring: bool | None = None) -> list[Ev]:
        """Events not deleted (optionally only series or only single events), in creation order."""
        return [e for e in self.events.values() if not e.deleted and (recurring is None or e.recurring == recurring)]


class Workload:
    """Seeded random operations against the emulator."""

    def __init__(self, world: SoakWorld, rng: random.Random, horizon_days: int = 4) -> None:
        self.world, self.rng, self.model = world, rng, Model()
        self.horizon = horizon_days
        self._n = 0

    # ------------------------------------------------------------ building blocks

    def _uid(self) -> str:
        self._n += 1
        return f"{self._n:05d}{self.rng.randrange(16**6):06x}"

    def _start(self) -> datetime:
        """A start time: mostly the coming days on a 30-minute grid; sometimes outside the window."""
        roll = self.rng.random()
        base = self.world.clock.now().replace(minute=0, second=0, microsecond=0)
        if roll < 0.05:
            return base + timedelta(days=self.rng.randint(40, 50))  # beyond the 31-day window
        if roll < 0.08:
            return base - timedelta(days=self.rng.randint(12, 20))  # before the 7-day window
        return base + timedelta(minutes=30 * self.rng.randint(3, self.horizon * 48))

    def _times(self, start: datetime) -> dict[str, Any]:
        end = start + timedelta(minutes=self.rng.choice((30, 30, 60)))
        return {
            "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
        }

    def _location(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return self.rng.choice(KEYWORD_LOCATIONS)
        if roll < 0.55:
            return MEET
        if roll < 0.75:
            value = f"Building {self.rng.randint(1, 9)} room {self._uid()}"
            self.model.sensitive.add(value)
            return value
        return ""

    def _description(self, uid: str) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(2, 8)))
        if self.rng.random() < 0.1:
            text = f"<p>Memo {uid}: <b>{words}</b></p><ul><li>item {uid}</li></ul>"
        elif self.rng.random() < 0.15:
            text = ""
        else:
            text = f"Memo {uid}\n1. {words}\n2. follow-up for {uid}  \n"
        if text:
            self.model.sensitive.add(f"Memo {uid}")
        return text

    def _call(self, who: str, method: str, path: str, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self.world.call(who, method, path, **kwargs)
        if response.status_code not in ok:
            self.model.failed_calls[f"{method} {response.status_code}"] += 1
            return None
        return response.json() if response.content else {}

    def _path(self, who: str, event_id: str = "") -> str:
        return f"/calendar/v3/calendars/{who}/events" + (f"/{event_id}" if event_id else "")

    # ------------------------------------------------------------ operations

    def step(self) -> str:
        """Run one random operation; return its name."""
        live, series = self.model.live(), self.model.live(recurring=True)
        choices: list[tuple[str, float]] = [("create", 0.24), ("recurring", 0.07), ("vacation", 0.05)]
        choices += [("focus", 0.04), ("working_location", 0.03)]
        if live:
            choices += [("move", 0.14), ("delete", 0.08), ("keyword", 0.2), ("rsvp", 0.14)]
        if series:
            choices.append(("exception", 0.08))
        names, weights = zip(*choices, strict=True)
        name = str(self.rng.choices(names, weights)[0])
        getattr(self, f"op_{name}")()
        self.model.ops[name] += 1
        return name

    def op_create(self, recurrence: str | None = None) -> None:
        """Create an event with 0-4 guests (sometimes a room) on a random organiser's calendar."""
        emails = self.world.emails
        organiser = self.rng.choice(emails)
        others = [e for e in emails if e != organiser]
        guests = self.rng.sample(others, self.rng.randint(0, min(3, len(others))))
        if self.rng.random() < 0.2:
            guests.append(self.rng.choice(ROOMS))
        uid = self._uid()
        title = f"Soak {self.rng.choice(WORDS)} {uid}"
        body: dict[str, Any] = {
            "summary": title,
            "location": self._location(),
            "description": self._description(uid),
            "attendees": [{"email": g} for g in guests],
            **self._times(self._start()),
        }
        if recurrence:
            body["recurrence"] = [recurrence]
        created = self._call(organiser, "POST", self._path(organiser), json=body)
        if created is None:
            return
        self.model.sensitive.update([title, *guests, organiser])
        self.model.events[created["id"]] = Ev(
            created["id"], organiser, guests, title, body["description"], body["location"], bool(recurrence)
        )

    def op_recurring(self) -> None:
        """Create a daily or weekly series."""
        rule = self.rng.choice(
            (f"RRULE:FREQ=DAILY;COUNT={self.rng.randint(2, 5)}", f"RRULE:FREQ=WEEKLY;COUNT={self.rng.randint(2, 3)}")
        )
        self.op_create(rule)

    def op_exception(self) -> None:
        """Move or cancel one instance of a series (an exception)."""
        ev = self.rng.choice(self.model.live(recurring=True))
        page = self._call(ev.organiser, "GET", self._path(ev.organiser, ev.id) + "/instances")
        items = [i for i in (page or {}).get("items", []) if i.get("status") != "cancelled"]
        if not items:
            return
        instance = self.rng.choice(items)
        path = self._path(ev.organiser, instance["id"])
        if self.rng.random() < 0.5:
            self._call(ev.organiser, "DELETE", path, ok=(204,))
            return
        start = datetime.fromisoformat(instance["start"]["dateTime"]) + timedelta(minutes=90)
        self._call(ev.organiser, "PATCH", path, json=self._times(start))

    def op_move(self) -> None:
        """Move an event (sometimes out of the window and back)."""
        ev = self.rng.choice(self.model.live(recurring=False))
        self._call(ev.organiser, "PATCH", self._path(ev.organiser, ev.id), json=self._times(self._start()))

    def op_delete(self) -> None:
        """Delete an event or a whole series."""
        ev = self.rng.choice(self.model.live())
        if self._call(ev.organiser, "DELETE", self._path(ev.organiser, ev.id), ok=(204, 410)) is not None:
            ev.deleted = True

    def op_keyword(self) -> None:
        """Add, change or remove a keyword in the location (of a single event or a series)."""
        ev = self.rng.choice(self.model.live())
        location = self._location()
        if self._call(ev.organiser, "PATCH", self._path(ev.organiser, ev.id), json={"location": location}) is not None:
            ev.location = location

    def op_rsvp(self) -> None:
        """A guest accepts, declines or answers tentatively on their own copy."""
        candidates = [e for e in self.model.live() if any(g not in ROOMS for g in e.attendees)]
        if not candidates:
            return
        ev = self.rng.choice(candidates)
        guest = self.rng.choice([g for g in ev.attendees if g not in ROOMS])
        copy = self._call(guest, "GET", self._path(guest, ev.id), ok=(200, 404))
        if not copy or "attendees" not in copy:
            return
        answer = self.rng.choice(RSVP)
        attendees = [
            {**a, "responseStatus": answer} if a.get("email", "").lower() == guest else a for a in copy["attendees"]
        ]
        self._call(guest, "PATCH", self._path(guest, ev.id), json={"attendees": attendees})

    def op_focus(self) -> None:
        """A focus block created or deleted (``bench.soak_status``)."""
        soak_status.op_focus(self.world, self.rng, self.model.failed_calls)

    def op_working_location(self) -> None:
        """A working location set or deleted (``bench.soak_status``)."""
        soak_status.op_working_location(self.world, self.rng, self.model.failed_calls, self.model.sensitive)

    def op_vacation(self) -> None:
        """Switch a user's Gmail vacation responder on or off."""
        who = self.rng.choice(self.world.emails)
        on = not self.model.vacation.get(who, False)
        settings: dict[str, Any] = {"enableAutoReply": on}
        if on:
            subject = f"Away {self._uid()}"
            started = self.world.clock.now() - timedelta(hours=1)
            settings.update(responseSubject=subject, startTime=str(int(started.timestamp() * 1000)))
            self.model.sensitive.add(subject)
        self.world.control.set_vacation(who, settings)
        self.model.vacation[who] = on
