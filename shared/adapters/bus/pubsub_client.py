"""Google's Pub/Sub clients, made on first use, and their errors in the service's terms.

The publisher batches for at most 5 ms and keeps ordering keys in order; ``open_stream``
creates a subscription (unless it exists) and starts its streaming pull, at most 100 messages
outstanding; ``shut_down`` ends the streaming pulls and the clients. Not found, invalid
input, permission, authentication and quota map onto their own ``shared.errors``; everything
else the Google client, gRPC or a stopped publisher raises is ``Unavailable``, which the
callers retry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from shared import errors
from shared.collector import collector_paused
from shared.errors import HybridCalendarError, NotFound, Unavailable


@contextlib.contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Translate google.api_core, gRPC and publisher errors raised inside the block onto shared.errors.

    ``RuntimeError`` is what a stopped publisher raises.
    """
    import grpc
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc
    from google.cloud.pubsub_v1.publisher import exceptions as pexc

    transient = (pexc.PublishToPausedOrderingKeyException, pexc.FlowControlLimitError)
    try:
        yield
    except HybridCalendarError:
        raise
    except gexc.NotFound as exc:
        raise NotFound(f"{what}: no such topic or subscription") from exc
    except (gexc.InvalidArgument, pexc.MessageTooLargeError) as exc:
        raise errors.InvalidInput(f"{what}: {exc}") from exc
    except gexc.PermissionDenied as exc:
        raise errors.Forbidden(f"{what}: permission denied", reason="permissionDenied") from exc
    except gexc.Unauthenticated as exc:
        raise errors.Unauthenticated(f"{what}: unauthenticated") from exc
    except gexc.ResourceExhausted as exc:
        raise errors.RateLimited(f"{what}: quota exhausted") from exc
    except auth_exc.DefaultCredentialsError as exc:
        raise errors.Unauthenticated(f"{what}: no Google credentials for Pub/Sub") from exc
    except (gexc.GoogleAPIError, grpc.RpcError, TimeoutError, RuntimeError, *transient) as exc:
        raise Unavailable(f"{what}: Pub/Sub is unavailable ({type(exc).__name__})") from exc


def ordered_publisher() -> Any:
    """An ordering-enabled ``PublisherClient`` (it honours PUBSUB_EMULATOR_HOST)."""
    with collector_paused():
        import google.cloud.pubsub_v1 as pubsub_v1

    return pubsub_v1.PublisherClient(
        batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.005),
        publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True),
    )


def new_subscriber() -> Any:
    """A ``SubscriberClient`` (it honours PUBSUB_EMULATOR_HOST)."""
    with collector_paused():
        import google.cloud.pubsub_v1 as pubsub_v1

    return pubsub_v1.SubscriberClient()


def open_stream(subscriber: Any, request: dict[str, Any], callback: Callable[[Any], None]) -> Any:
    """Create the subscription ``request`` describes (unless it exists) and stream it to ``callback``."""
    import google.cloud.pubsub_v1 as pubsub_v1
    from google.api_core import exceptions as gexc

    with mapped_errors("create subscription"), contextlib.suppress(gexc.AlreadyExists):
        subscriber.create_subscription(request=request)
    with mapped_errors("subscribe"):
        return subscriber.subscribe(
            request["name"], callback, flow_control=pubsub_v1.types.FlowControl(max_messages=100)
        )


def shut_down(streams: Iterable[Any], subscriber: Any, publisher: Any) -> None:
    """Cancel the streaming pulls and wait for them, close the subscriber and stop (flush) the publisher."""
    streams = list(streams)
    for future in streams:
        future.cancel()
    for future in streams:
        with contextlib.suppress(Exception):
            future.result(timeout=10)
    if subscriber is not None:
        with contextlib.suppress(Exception):
            subscriber.close()
    if publisher is not None:
        with contextlib.suppress(Exception):
            publisher.stop()


def publish_all(
    publisher: Any, outgoing: Sequence[tuple[str, bytes, str | None, Mapping[str, str] | None]], timeout: float
) -> list[str]:
    """Hand every message (topic path, data, ordering key, attributes) to ``publisher``, then wait for each.

    The messages are in flight together (the publisher batches them); when any fails, the ordering
    keys of the batch are resumed before the error is raised, so a later publish is not refused.
    """
    try:
        with mapped_errors("publish"):
            futures = [
                publisher.publish(path, bytes(data), ordering_key=key or "", timeout=timeout, **(attributes or {}))
                for path, data, key, attributes in outgoing
            ]
            return [str(future.result(timeout=timeout + 5)) for future in futures]
    except HybridCalendarError:
        for path, _, key, _ in outgoing:
            if key:
                with contextlib.suppress(Exception):
                    publisher.resume_publish(path, key)
        raise
