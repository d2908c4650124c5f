"""Posting alert events to the hooks admins registered: one pooled httpx client, short timeouts.

Redirects are not followed (a hook answers itself) and every failure is an outcome, never an
exception: the HTTP status as text, or ``timeout`` / ``transport_error``. httpx is imported and the
client built on the first alert sent, so wiring the sender costs a function nothing.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


class HttpAlertSender:
    """Sends one signed alert body to a hook URL."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        """``client`` replaces the one built on the first post (10 s timeouts, 5 s to connect)."""
        self._client = client
        self._lock = threading.Lock()

    def _pooled(self) -> httpx.Client:
        client = self._client
        if client is None:
            import httpx

            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=False)
                client = self._client
        return client

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> str:
        """POST ``body``; return the status as text, or what went wrong."""
        import httpx

        try:
            response = self._pooled().post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError:
            return "transport_error"
        return str(response.status_code)

    def close(self) -> None:
        """Close the client (if one was built)."""
        if self._client is not None:
            self._client.close()
