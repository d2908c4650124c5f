"""Private events on shared screens: who may see a private meeting's details, and the redacted view.

A meeting its organiser marked private (``visibility: private``) shows its title, organiser,
invitees, location and agenda only to its attendees (the organiser is one). Room devices and
anyone else see "Private meeting" at its times, with its join target kept so the room can still
join. Pure: no I/O.
"""

from __future__ import annotations

from msgspec.structs import replace

from shared.domain.meetings import Meeting


def may_see_details(meeting: Meeting, viewer_email: str | None, *, device: bool = False) -> bool:
    """Whether ``viewer_email`` (or a room device, ``device=True``) may see ``meeting``'s details.

    Everyone may see the details of a meeting that is not private. Of a private one, only its
    organiser and its attendees may; a device never may, whatever room it sits in.
    """
    if not meeting.private:
        return True
    if device or not viewer_email:
        return False
    me = viewer_email.lower()
    if meeting.organizer is not None and meeting.organizer.lower() == me:
        return True
    return any(a.email.lower() == me and not a.is_room for a in meeting.attendees)


def redacted(meeting: Meeting) -> Meeting:
    """``meeting`` without what a private event hides: title, organiser, invitees, location and agenda."""
    return replace(meeting, title="", organizer=None, attendees=(), location="", agenda="")


def for_viewer(meeting: Meeting, viewer_email: str | None, *, device: bool = False) -> tuple[Meeting, bool]:
    """The meeting as ``viewer_email`` (or a device) may see it, and whether details were hidden."""
    if may_see_details(meeting, viewer_email, device=device):
        return meeting, False
    return redacted(meeting), True
