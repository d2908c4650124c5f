"""Alert ids, hook URL rules and the delivery attempt schedule of the health domain."""

from __future__ import annotations

import pytest

from shared.domain.health import RETRY_DELAYS, AlertKind, Delivery, DeliveryState, alert_id, check_hook_url
from shared.errors import InvalidInput
from tests.support.instant import T0


def test_the_same_change_always_gets_the_same_alert_id_and_another_change_another() -> None:
    """Ids are derived from org, kind and key only."""
    one = alert_id("o", AlertKind.PRINCIPAL_ERROR, "p1", "delegation_not_authorized", "t")
    assert one == alert_id("o", AlertKind.PRINCIPAL_ERROR, "p1", "delegation_not_authorized", "t")
    assert one != alert_id("o", AlertKind.PRINCIPAL_ERROR, "p1", "delegation_not_authorized", "t2")
    assert one != alert_id("o2", AlertKind.PRINCIPAL_ERROR, "p1", "delegation_not_authorized", "t")


@pytest.mark.parametrize(
    "url", ["https://alerts.example.com/x", "http://127.0.0.1:9000/a", "http://localhost/a", "http://[::1]:80/"]
)
def test_https_and_loopback_http_urls_are_accepted(url: str) -> None:
    """https anywhere, plain http only to loopback."""
    assert check_hook_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/a",
        "http://alerts.example.com/",
        "https:///nohost",
        "file:///etc/passwd",
        "https://u:p@h.example/",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    """Private-network http, no host, other schemes and credentials in the URL are InvalidInput."""
    with pytest.raises(InvalidInput):
        check_hook_url(url)


def test_a_failing_delivery_follows_the_schedule_then_fails_after_five_attempts() -> None:
    """Attempts 1..4 schedule the next after 1, 5, 30 and 120 minutes; the fifth failure marks it failed."""
    delivery, now = Delivery("h"), T0
    for delay in RETRY_DELAYS:
        delivery = delivery.after(False, "500", now)
        assert delivery.state is DeliveryState.PENDING and delivery.next_at == now + delay
        now = now + delay
    delivery = delivery.after(False, "500", now)
    assert (delivery.state, delivery.attempts, delivery.next_at) == (DeliveryState.FAILED, 5, None)
    assert Delivery("h").after(True, "204", T0).state is DeliveryState.DELIVERED
