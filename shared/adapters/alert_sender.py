"""Posting alert events to the hooks admins registered: one pooled httpx client, short timeouts.

Redirects are not followed (a hook answers itself) and every failure is an outcome, never an
exception: the HTTP status as text, or ``timeout`` / ``transport_error``.
"""

from __future__ import annotations

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class HttpAlertSender:
    """Sends one signed alert body to a hook URL."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> str:
        """POST ``body``; return the status as text, or what went wrong."""
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError:
            return "transport_error"
        return str(response.status_code)

    def close(self) -> None:
        """Close the client."""
        self._client.close()
