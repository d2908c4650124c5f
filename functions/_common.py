"""Helpers every entry point shares: caller checks, Pub/Sub push decoding, JSON answers, error mapping.

The Pub/Sub functions are HTTP functions that read the push request themselves, because
functions-framework's conversion of a wrapped push body into a CloudEvent keeps only ``data``
and ``attributes`` and drops ``deliveryAttempt`` and ``orderingKey`` (docs/deploy.md). Three
forms are understood: the wrapped push body Pub/Sub sends to a push subscription
(``{"message", "subscription", "deliveryAttempt"}``), and a CloudEvent in binary or structured
mode whose data is that body (Eventarc, and the local runtime). The answer tells Pub/Sub what to
do: 2xx acknowledges (done, or a permanent error that retrying cannot fix), 503 redelivers
(``RetryableError``), 400 refuses a body that is not a Pub/Sub message of the topic's schema, so
it is redelivered and then dead-lettered. The dead-letter topic is pushed back to the same function
(infra's ``dead_letter_push``), which records each dead letter where admins see them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import flask
from cloudevents.exceptions import GenericException
from cloudevents.http import from_http

from functions.registry import BY_NAME
from shared import failures
from shared.api.http import error as api_error
from shared.api.http import status_for
from shared.api.invokers import refuse_admin, refuse_invoker
from shared.bootstrap import App, get_app
from shared.errors import HybridCalendarError, InvalidInput, PermanentError, RetryableError
from shared.logs import bound, ctx, get_logger
from shared.ports import BusMessage
from shared.ports.messages import Message, decode_one_of

log = get_logger("functions")
Handlers = Mapping[type[Message], Callable[[App, Any, BusMessage], None]]
MAX_PUSH_BODY = 14 * 1024 * 1024  # a 10 MB Pub/Sub message, base64-encoded, in its envelope
_FRACTION = re.compile(r"(\.\d{6})\d+")
_TOPIC_PATH = re.compile(r"/projects/[^/]+/topics/([^/?]+)")
DEAD_LETTER = "-dead-letter"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> flask.Response:
    """A JSON response."""
    response = flask.jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(error: HybridCalendarError, status: int | None = None) -> flask.Response:
    """The JSON error body for ``error``, with the status the API's one table gives it (or ``status``)."""
    return json_response(error.to_dict(), status_for(error) if status is None else status)


# ---------------------------------------------------------------- HTTP and scheduled functions


def admin_only(name: str, request: flask.Request, view: Callable[[App], flask.Response]) -> flask.Response:
    """Run ``view`` for a caller holding the admin token; 401 otherwise."""
    app = get_app()
    with bound(function=name):
        refused = refuse_admin(request, app)
        return refused if refused is not None else view(app)


def scheduled_job(name: str, request: flask.Request, job: Callable[[App], flask.Response]) -> flask.Response:
    """Run a scheduled job for Cloud Scheduler's OIDC token or the admin token, on POST only."""
    app = get_app()
    with bound(function=name):
        refused = refuse_invoker(request, app, name)
        if refused is not None:
            return refused
        if request.method != "POST":
            return api_error("method_not_allowed", "scheduled functions take POST", 405)
        return job(app)


def report_job(run: Callable[[App], Any]) -> Callable[[App], flask.Response]:
    """A scheduled job that answers the dataclass report ``run`` returns (an error as its JSON status)."""

    def job(app: App) -> flask.Response:
        try:
            report = run(app)
        except HybridCalendarError as exc:
            return error_response(exc)
        return json_response(dataclasses.asdict(report))

    return job


# ---------------------------------------------------------------- Pub/Sub push


def _publish_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _envelope(request: flask.Request) -> dict[str, Any]:
    """The push body ``{"message", "subscription", "deliveryAttempt"?}``, from any of the three forms."""
    if request.content_length is not None and request.content_length > MAX_PUSH_BODY:
        raise InvalidInput("the push body is too large")
    raw = request.get_data(cache=True)
    content_type = request.headers.get("Content-Type", "")
    if "ce-specversion" in request.headers or content_type.startswith("application/cloudevents"):
        try:
            data = from_http(dict(request.headers.items()), raw).get_data()
        except GenericException as exc:
            raise InvalidInput(f"not a CloudEvent: {type(exc).__name__}") from None
    else:
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("the push body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise InvalidInput("the request does not carry a Pub/Sub message")
    return data


def pubsub_message(request: flask.Request, topic: str) -> BusMessage:
    """Decode the Pub/Sub message a push request carries; InvalidInput when it is malformed."""
    body = _envelope(request)
    message = body["message"]
    try:
        payload = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidInput("the Pub/Sub message data is not base64") from exc
    attributes = message.get("attributes") or {}
    attempt = body.get("deliveryAttempt", 1)
    if not isinstance(attributes, dict) or not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        raise InvalidInput("the Pub/Sub message has malformed attributes or deliveryAttempt")
    return BusMessage(
        topic=topic,
        data=payload,
        attributes={str(k): str(v) for k, v in attributes.items()},
        ordering_key=str(message.get("orderingKey") or "") or None,
        message_id=str(message.get("messageId") or message.get("message_id") or ""),
        publish_time=_publish_time(message.get("publishTime") or message.get("publish_time")),
        delivery_attempt=attempt,
    )


def _pushed_topic(request: flask.Request, app: App) -> str | None:
    """The topic a push endpoint path names (``/projects/P/topics/<prefix><topic>``), without the prefix."""
    found = _TOPIC_PATH.search(request.path)
    if found is None:
        return None
    return found.group(1).removeprefix(app.settings.topic_prefix)


def handle_push(name: str, request: flask.Request, handlers: Handlers) -> flask.Response:
    """Authenticate the push, decode it into one of the message types ``handlers`` names and run that type's
    handler; the status tells Pub/Sub what to do.

    A push from the topic's dead-letter topic (its path names ``<topic>-dead-letter``) is recorded
    where admins see dead letters instead (the admin API and ``hybrid-calendar dead-letters``).
    """
    app = get_app()
    with bound(function=name):
        refused = refuse_invoker(request, app, name)
        if refused is not None:
            return refused
        topic = BY_NAME[name].topic or ""
        try:
            message = pubsub_message(request, topic)
            if _pushed_topic(request, app) == f"{topic}{DEAD_LETTER}":
                return _record_dead_letter(app, topic, message)
            decoded = decode_one_of(message.data, tuple(handlers))
        except InvalidInput as exc:
            last = _attempt_of(request) >= app.settings.bus_max_attempts
            text = "push refused on its last attempt: Pub/Sub dead-letters it" if last else "push refused"
            log.log(
                logging.ERROR if last else logging.WARNING,
                f"{text}: not a message of this topic",
                extra=ctx(topic=topic, reason=exc.message),
            )
            return error_response(exc)
        attempt = message.delivery_attempt
        context = {"message_id": message.message_id, "delivery_attempt": attempt, "ordering_key": message.ordering_key}
        with bound(**context):
            started = app.clock.monotonic()
            handler = handlers[type(decoded)]
            outcome, response = _run(app, topic, attempt, lambda: handler(app, decoded, message))
            took = round((app.clock.monotonic() - started) * 1000)
            log.info("message handled", extra=ctx(topic=topic, outcome=outcome, duration_ms=took))
            return response


def _attempt_of(request: flask.Request) -> int:
    body = request.get_json(silent=True, cache=True)
    attempt = body.get("deliveryAttempt") if isinstance(body, dict) else None
    return attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else 1


def _record_dead_letter(app: App, topic: str, message: BusMessage) -> flask.Response:
    """Keep a message Pub/Sub dead-lettered (its ``CloudPubSubDeadLetter*`` attributes name how often it failed)."""
    attributes = dict(message.attributes)
    count = attributes.get("CloudPubSubDeadLetterSourceDeliveryCount", "?")
    attributes.setdefault("sourceTopic", topic)
    reason = f"Pub/Sub gave up after {count} deliveries; the consumer's log has message {message.message_id}"
    attributes.setdefault("deadLetterReason", reason)
    dead = BusMessage(f"{topic}{DEAD_LETTER}", message.data, attributes, None, message.message_id, message.publish_time)
    try:
        app.dead_letters.record(dead)
    except RetryableError as exc:
        return error_response(exc)
    log.warning("dead letter recorded for admins", extra=ctx(topic=topic, message_id=message.message_id))
    return json_response({"result": "dead_letter_recorded"})


def _run(app: App, topic: str, attempt: int, call: Callable[[], None]) -> tuple[str, flask.Response]:
    try:
        call()
    except RetryableError as exc:
        failures.note(exc)  # the local runtime hands it to its bus (a held lease is deferred)
        last = attempt >= app.settings.bus_max_attempts
        log.log(
            logging.ERROR if last else logging.WARNING,
            "delivery failed on its last attempt: Pub/Sub dead-letters it" if last else "message redelivered",
            extra=ctx(topic=topic, error_code=exc.code),
        )
        return "redelivered", error_response(exc)
    except PermanentError as exc:
        log.warning("message acknowledged without effect", extra=ctx(error_code=exc.code, reason=exc.message))
        return "acknowledged", json_response({"result": "acknowledged", "error": exc.code})
    except Exception as exc:
        failures.note(exc)  # a bug: functions-framework answers 500 and the message is redelivered
        raise
    return "done", json_response({"result": "done"})
