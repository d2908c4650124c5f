"""Across processes, no function but the public ones answers without its caller's credential."""

from __future__ import annotations

import httpx

from tests.cloud.support import Cloud


def test_admin_api_in_its_own_process_wants_the_admin_token(cloud: Cloud) -> None:
    """GET /admin/v1/orgs with no Authorization or a wrong token is 401; the token from Secret Manager opens it."""
    url = cloud.topology.urls["admin_api"] + "/admin/v1/orgs"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer not-the-token"}, timeout=30).status_code == 401
    assert cloud.admin("GET", "/admin/v1/orgs").json() == {"orgs": []}


def test_scheduled_functions_want_the_scheduler_token_for_their_own_audience(cloud: Cloud) -> None:
    """A job's own token runs it; the same account's token for another function, or the push account's, is 401."""
    topology = cloud.topology
    [job] = [j for j in topology.view.scheduler_jobs() if j.function == "poll_vacations"]
    other = next(j for j in topology.view.scheduler_jobs() if j.function == "maintain_channels")
    push = topology.view.push_subscriptions()[0]
    for account, audience in ((job.service_account, other.audience), (push.service_account, job.audience)):
        token = topology.service_token(account, audience)
        answer = httpx.post(job.uri, headers={"Authorization": f"Bearer {token}"}, content=job.body, timeout=30)
        assert answer.status_code == 401, (account, audience)
    assert topology.fire("poll_vacations").status_code == 200


def test_pubsub_functions_refuse_a_push_without_the_push_token(cloud: Cloud) -> None:
    """A push body posted to provision_user without Pub/Sub's OIDC token is refused before it is read."""
    cloud.create_org()
    sub = next(s for s in cloud.topology.view.push_subscriptions() if s.consumer == "provision_user")
    body = {"message": {"data": "e30=", "messageId": "forged"}, "subscription": sub.name, "deliveryAttempt": 5}
    user = cloud.topology.user_token(cloud.alice)
    for headers in ({}, {"Authorization": f"Bearer {user}"}):
        assert httpx.post(sub.endpoint, json=body, headers=headers, timeout=30).status_code == 401
