"""Calendar push notifications (HTTP): read the X-Goog-* headers and hand off to calendar-sync.

Answers 200 only after the sync message is published, 5xx otherwise so Google retries; 400 for
a malformed notification, 403 for a wrong channel token.
"""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response, json_response, log
from shared.api.http import webhook_status
from shared.bootstrap import get_app
from shared.errors import HybridCalendarError, Unavailable
from shared.logs import ctx
from shared.services.webhook import MAX_BODY


@functions_framework.http
def calendar_webhook(request: flask.Request) -> flask.Response:
    """HTTP entry point for Calendar push notifications."""
    if request.method != "POST":
        return json_response({"error": {"code": "method_not_allowed", "message": "notifications are POSTed"}}, 405)
    body_size = len(request.stream.read(MAX_BODY + 1))
    try:
        outcome = get_app().webhook.handle(dict(request.headers.items()), body_size)
    except HybridCalendarError as exc:
        log.error("webhook could not hand off", extra=ctx(error_code=exc.code))
        return error_response(Unavailable("the notification could not be queued; retry"))
    return json_response({"result": outcome.value}, webhook_status(outcome))
