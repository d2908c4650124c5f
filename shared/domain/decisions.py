"""Join-detail decisions: why the service did (or did not) write join details into an event.

Every decision is recorded per calendar and event: ``added``, ``replaced``, ``removed``,
``unchanged``, or ``skipped`` with a reason. :func:`hint_for` explains a reason to an admin.
"""

from __future__ import annotations

NOT_ORGANISER = "not_organiser"
ORGANISER_OUTSIDE_ORG = "organiser_outside_org"

HINTS: dict[str, str] = {
    NOT_ORGANISER: (
        "This calendar holds an attendee's copy: only the organiser's event gets join details. "
        "The organiser types the keyword into the event's location (and must be an active user of the org)."
    ),
    ORGANISER_OUTSIDE_ORG: "The organiser is outside the org's domain, so the service does not edit the event.",
    "principal_not_active": "The calendar's owner is not active; activate or revalidate them first.",
    "cancelled": "The event is cancelled; its join details were released.",
    "no_keyword": "The location holds no configured keyword (see `orgs show` for the keyword map).",
    "no_times": "The event has no start or end time the service can use.",
    "too_large": "The description would exceed Google's size limit with the join details added.",
    "conflict": "The event kept changing while the service wrote it; the next change tries again.",
}
PROVIDER_REFUSED = "provider_refused"


def hint_for(reason: str | None) -> str | None:
    """What a skip reason means and what to do about it (None for no reason)."""
    if not reason:
        return None
    if reason.startswith(PROVIDER_REFUSED):
        return (
            "The conferencing provider refused to create the meeting (for webex_api: check the org's Webex "
            "access token and site with `orgs show`)."
        )
    return HINTS.get(reason)
