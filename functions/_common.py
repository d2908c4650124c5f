"""Helpers every entry point shares: Pub/Sub CloudEvent decoding, JSON answers, error mapping."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

import flask
from cloudevents.http import CloudEvent

from shared import failures
from shared.errors import HybridCalendarError, InvalidInput, PermanentError, RetryableError
from shared.logs import ctx, get_logger
from shared.ports import BusMessage

log = get_logger("functions")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    """A JSON response."""
    response = flask.jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(error: HybridCalendarError, status: int) -> flask.Response:
    """The JSON error body for ``error``."""
    return json_response(error.to_dict(), status)


def pubsub_message(event: CloudEvent) -> BusMessage:
    """Decode the Pub/Sub message inside an Eventarc CloudEvent; InvalidInput if malformed."""
    data = event.get_data()
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise InvalidInput("the event does not carry a Pub/Sub message")
    message = data["message"]
    try:
        payload = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("the Pub/Sub message data is not base64") from exc
    attributes = message.get("attributes") or {}
    publish_time = message.get("publishTime")
    source = str(event["source"])
    return BusMessage(
        topic=source.rsplit("/", 1)[-1],
        data=payload,
        attributes={str(k): str(v) for k, v in attributes.items()},
        ordering_key=message.get("orderingKey") or None,
        message_id=str(message.get("messageId") or message.get("message_id") or ""),
        publish_time=datetime.fromisoformat(publish_time.replace("Z", "+00:00")) if publish_time else None,
        delivery_attempt=int(data.get("deliveryAttempt") or 1),
    )


def handle_event(name: str, event: CloudEvent, handler: Callable[[BusMessage], None]) -> None:
    """Run ``handler``: RetryableError propagates (redelivery), PermanentError is logged and acked."""
    try:
        message = pubsub_message(event)
        handler(message)
    except RetryableError as exc:
        failures.note(exc)  # the local runtime hands it to its bus (a held lease is deferred)
        raise
    except PermanentError as exc:
        log.warning(
            "message acknowledged without effect",
            extra=ctx(function=name, error_code=exc.code, event_id=event["id"], reason=exc.message),
        )
    except Exception as exc:
        failures.note(exc)
        raise
