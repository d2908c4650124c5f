"""What infra tells each function about its callers agrees with what it makes those callers send.

Evaluated from the Terraform (tests/cloud/harness/infra.py), not read as text: the audience and
service account of every Cloud Scheduler job and push subscription are what the function is told
to accept, the admin token reaches admin_api from Secret Manager, and the function gives up on a
message at the delivery attempt after which Pub/Sub dead-letters it.
"""

from __future__ import annotations

import pytest

from functions.registry import ENTRY_POINTS
from tests.cloud.harness.infra import InfraView

URLS = {ep.name: f"https://{ep.name}.example.test" for ep in ENTRY_POINTS}


@pytest.fixture(scope="module")
def view() -> InfraView:
    """infra/ evaluated for a sample project."""
    return InfraView("sample-project", URLS, "https://hooks.example.test")


def test_scheduler_jobs_send_what_their_function_accepts(view: InfraView) -> None:
    """Each job POSTs to its function with an OIDC token for the audience and account the function checks."""
    jobs = view.scheduler_jobs()
    assert {job.function for job in jobs} == {ep.name for ep in ENTRY_POINTS if ep.trigger == "scheduled"}
    for job in jobs:
        env = view.environment(job.function)
        assert (job.uri, job.method) == (URLS[job.function], "POST")
        assert job.audience == env["HYBRIDCAL_INVOKER_AUDIENCE"]
        assert env["HYBRIDCAL_INVOKERS"] == job.service_account
        assert job.audience.startswith("https://") and job.audience.endswith(".run.app")


def test_push_subscriptions_send_what_their_consumer_accepts(view: InfraView) -> None:
    """Each push (dead letters included) carries an OIDC token for the consumer's audience from the push account."""
    subscriptions = view.push_subscriptions()
    assert {s.consumer for s in subscriptions} == {ep.name for ep in ENTRY_POINTS if ep.trigger == "pubsub"}
    for sub in subscriptions:
        env = view.environment(sub.consumer)
        assert sub.endpoint.startswith(URLS[sub.consumer] + "/projects/sample-project/topics/")
        assert sub.audience == env["HYBRIDCAL_INVOKER_AUDIENCE"]
        assert env["HYBRIDCAL_INVOKERS"] == sub.service_account
        if sub.topic.endswith("-dead-letter"):  # dead letters go back to the consumer, which records them
            assert sub.endpoint.endswith(f"/topics/{sub.topic}") and sub.max_delivery_attempts is None
            continue
        assert sub.max_delivery_attempts is not None, f"{sub.name}: deliveryAttempt needs a dead-letter policy"
        assert int(env["HYBRIDCAL_BUS_MAX_ATTEMPTS"]) == sub.max_delivery_attempts


def test_audiences_differ_per_function_and_public_functions_get_none(view: InfraView) -> None:
    """A token minted for one function is refused by another; public functions and admin_api take no OIDC caller."""
    audiences = [view.environment(ep.name).get("HYBRIDCAL_INVOKER_AUDIENCE") for ep in ENTRY_POINTS]
    given = [a for a in audiences if a]
    assert len(given) == len(set(given)) == sum(1 for ep in ENTRY_POINTS if ep.trigger in ("scheduled", "pubsub"))
    for name in ("calendar_webhook", "meetings_api", "admin_api"):
        assert "HYBRIDCAL_INVOKER_AUDIENCE" not in view.environment(name)


def test_the_admin_token_reaches_admin_api_only_from_secret_manager(view: InfraView) -> None:
    """admin_api gets HYBRIDCAL_ADMIN_TOKEN from the admin-token secret; no function gets it as plain text."""
    for ep in ENTRY_POINTS:
        assert "HYBRIDCAL_ADMIN_TOKEN" not in view.environment(ep.name)
        secrets = view.secret_environment(ep.name)
        if ep.name == "admin_api":
            assert [(s.key, s.version) for s in secrets] == [("HYBRIDCAL_ADMIN_TOKEN", "latest")]
            assert secrets[0].secret == view.resolve(("google_secret_manager_secret", "admin_token", "secret_id"))
        else:
            assert secrets == []


def test_every_dead_letter_topic_is_pushed_back_to_its_consumer(view: InfraView) -> None:
    """Each dead-letter topic has a pull subscription to inspect and a push back to the consumer, which records it."""
    pushed = {s.topic: s.consumer for s in view.push_subscriptions() if s.topic.endswith("-dead-letter")}
    for topic, (_, dead_topic) in view.dead_letter_subscriptions().items():
        consumer = next(s.consumer for s in view.push_subscriptions() if s.topic == topic)
        assert pushed[dead_topic] == consumer, topic
