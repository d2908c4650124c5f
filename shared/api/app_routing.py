"""The app API's routing object and what its OpenAPI operations share: security schemes, errors, the stream.

Declared once here; ``shared.api.app`` adds the routes.
"""

from __future__ import annotations

from typing import Any

import shared
from shared.api.routing import Api

router = Api(
    "meetings_api",
    {
        "title": "Hybrid Calendar app API",
        "version": shared.__version__,
        "description": "My meetings, join buttons, scheduling, RSVP, availability, delegates and presence. "
        "Users send a Google-signed ID token; room devices send their device token.",
    },
    {
        "idToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Google-signed OpenID Connect ID token for the configured client id.",
        },
        "deviceToken": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <token>`: a room device's token.",
        },
    },
)
SECURITY: dict[str, list[dict[str, list[str]]]] = {"user": [{"idToken": []}], "device": [{"deviceToken": []}]}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
ERRORS = {
    "400": {"description": "Bad input (range, JSON, size, ids).", **_ERROR},
    "401": {"description": "No or invalid credentials.", **_ERROR},
    "403": {"description": "Authenticated, but not allowed.", **_ERROR},
    "404": {"description": "Unknown or not yours.", **_ERROR},
    "default": {"description": "Other errors (409, 412, 501, 503), same body.", **_ERROR},
}
SSE = {
    "description": "Server-Sent Events: `join_button` and `presence` events, heartbeats as comments.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


def documented(operation_id: str, auth: str, status: int, ok: Any) -> dict[str, Any]:
    """The OpenAPI fields of a /v1 operation: its answer, the shared error answers and who may call it."""
    return {
        "operation_id": operation_id,
        "responses": {str(status): ok, **ERRORS},
        "security": SECURITY[auth],
    }
