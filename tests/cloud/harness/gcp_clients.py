"""Google's own clients, pointed at the emulators over plaintext gRPC without touching the process environment.

The harness creates what Terraform would create (topics, subscriptions, the admin-token secret) and
reads what Cloud Run would read (secret versions), with ``google-cloud-pubsub`` and
``google-cloud-secret-manager`` on explicit insecure channels, so nothing in the test process has
to set ``PUBSUB_EMULATOR_HOST`` for everyone.
"""

from __future__ import annotations

import contextlib
import warnings
from datetime import timedelta
from typing import Any

import httpx


def pubsub(host_port: str, **publisher_kwargs: Any) -> tuple[Any, Any]:
    """A PublisherClient and a SubscriberClient on the Pub/Sub emulator."""
    import grpc
    from google.cloud import pubsub_v1
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    channel = grpc.insecure_channel(host_port)
    publisher = pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel), **publisher_kwargs)
    subscriber = pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=grpc.insecure_channel(host_port)))
    return publisher, subscriber


def ensure_topic(publisher: Any, project: str, name: str) -> None:
    """Create a topic unless it exists."""
    from google.api_core import exceptions

    with contextlib.suppress(exceptions.AlreadyExists):
        publisher.create_topic(name=publisher.topic_path(project, name))


def ensure_subscription(
    subscriber: Any,
    project: str,
    name: str,
    topic: str,
    *,
    ack_deadline: int,
    ordered: bool = False,
    retention_seconds: int | None = None,
    backoff: tuple[float, float] | None = None,
    dead_letter: tuple[str, int] | None = None,
) -> None:
    """Create a pull subscription with the given policies unless it exists."""
    from google.api_core import exceptions

    request: dict[str, Any] = {
        "name": subscriber.subscription_path(project, name),
        "topic": f"projects/{project}/topics/{topic}",
        "ack_deadline_seconds": ack_deadline,
        "enable_message_ordering": ordered,
    }
    if retention_seconds is not None:
        request["message_retention_duration"] = timedelta(seconds=retention_seconds)
    if backoff is not None:
        request["retry_policy"] = {
            "minimum_backoff": timedelta(seconds=backoff[0]),
            "maximum_backoff": timedelta(seconds=backoff[1]),
        }
    if dead_letter is not None:
        request["dead_letter_policy"] = {
            "dead_letter_topic": f"projects/{project}/topics/{dead_letter[0]}",
            "max_delivery_attempts": dead_letter[1],
        }
    with contextlib.suppress(exceptions.AlreadyExists):
        subscriber.create_subscription(request=request)


def drain(host_port: str, project: str, subscription: str) -> list[Any]:
    """Pull and acknowledge every message waiting in a subscription."""
    from google.api_core import exceptions

    publisher, subscriber = pubsub(host_port)
    path = subscriber.subscription_path(project, subscription)
    out: list[Any] = []
    try:
        while True:
            try:
                with warnings.catch_warnings():  # return_immediately is deprecated at Google, the emulator honours it
                    warnings.simplefilter("ignore", DeprecationWarning)
                    request = {"subscription": path, "max_messages": 100, "return_immediately": True}
                    answer = subscriber.pull(request=request, timeout=10)
            except (exceptions.DeadlineExceeded, exceptions.RetryError):
                break
            received = list(answer.received_messages)
            if not received:
                break
            subscriber.acknowledge(request={"subscription": path, "ack_ids": [m.ack_id for m in received]})
            out += [m.message for m in received]
    finally:
        subscriber.close()
        publisher.stop()
    return out


def _secrets(endpoint: str) -> Any:
    import grpc
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    transport = SecretManagerServiceGrpcTransport(channel=grpc.insecure_channel(endpoint))
    return secretmanager_v1.SecretManagerServiceClient(transport=transport)


def put_secret(endpoint: str, project: str, secret_id: str, data: bytes) -> str:
    """Create a secret (unless it exists) and add a version; return the version's name."""
    from google.api_core import exceptions

    client = _secrets(endpoint)
    with contextlib.suppress(exceptions.AlreadyExists):
        client.create_secret(
            request={
                "parent": f"projects/{project}",
                "secret_id": secret_id,
                "secret": {"replication": {"automatic": {}}},
            }
        )
    version = client.add_secret_version(
        request={"parent": f"projects/{project}/secrets/{secret_id}", "payload": {"data": data}}
    )
    return str(version.name)


def access_secret(endpoint: str, version: str) -> bytes:
    """The payload of a secret version."""
    return bytes(_secrets(endpoint).access_secret_version(request={"name": version}).payload.data)


def reset_firestore(host_port: str, project: str) -> None:
    """Delete every document of the project's default database in the Firestore emulator."""
    url = f"http://{host_port}/emulator/v1/projects/{project}/databases/(default)/documents"
    httpx.delete(url, timeout=30).raise_for_status()


def firestore_documents(host_port: str, project: str, collection: str) -> list[dict[str, Any]]:
    """The documents of one collection (``orgs/o1/meetings``) through the emulator's REST API."""
    url = f"http://{host_port}/v1/projects/{project}/databases/(default)/documents/{collection}"
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        answer = httpx.get(url, params={"pageSize": 300, **({"pageToken": token} if token else {})}, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        found += body.get("documents", [])
        token = body.get("nextPageToken", "")
        if not token:
            return found
