"""Presence decided again right after a sync that stored or removed Calendar status events.

The sync hands the principal to the vacation-check topic with ``calendar_only``: the presence
worker decides again from the stored calendar copies and the responder state of the last poll
(no Gmail call, no Calendar call), and writes and announces only what changed.
"""

from __future__ import annotations

from shared.domain.principals import Org, Principal, PrincipalKind
from shared.ports import MessageBus
from shared.ports.messages import CheckVacation


def announce_status(bus: MessageBus, org: Org, principal: Principal, changed: bool) -> bool:
    """Ask for presence to be decided again when ``changed`` and the principal shows presence."""
    if not changed or principal.kind is not PrincipalKind.PERSON or not principal.presence_enabled:
        return False
    bus.send(CheckVacation(org_id=org.id, principal_ids=(principal.id,), calendar_only=True))
    return True
