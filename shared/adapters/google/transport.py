"""A google-auth transport over ``httpx``, so token exchanges and IAM signing skip ``requests``.

:class:`HttpxRequest` implements ``google.auth.transport.Request``. Unlike google-auth's own
transports it raises :class:`RetryableStatus` on 429 and 5xx instead of returning the
response: google-auth would otherwise back off on the wall clock inside the token exchange,
while this package keeps one retry policy (``http.py``) on the injected clock. Every exchange
is counted (``oauth2.token``, ``iam.signBlob`` or ``auth.other``) and remembered, so the
caller can read the token lifetime and classify a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
from google.auth import exceptions
from google.auth import transport as google_transport

from shared.adapters.google.failures import RETRYABLE_STATUSES, parse_body

Observer = Callable[[str, str], None]


class RetryableStatus(exceptions.TransportError):
    """An auth endpoint answered 429 or 5xx; ``status`` and ``retry_after`` (header text) say how."""

    def __init__(self, operation: str, status: int, retry_after: str | None) -> None:
        super().__init__(f"{operation} answered HTTP {status}")  # type: ignore[no-untyped-call]
        self.operation = operation
        self.status = status
        self.retry_after = retry_after


class _Response(google_transport.Response):
    """google-auth's view of an ``httpx.Response``."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


def operation_for(url: str, token_uri: str) -> str:
    """Name an auth exchange the way the request log does."""
    if url.split("?", 1)[0] == token_uri:
        return "oauth2.token"
    if ":signBlob" in url:
        return "iam.signBlob"
    if ":signJwt" in url:
        return "iam.signJwt"
    return "auth.other"


class HttpxRequest(google_transport.Request):
    """``google.auth.transport.Request`` over a shared ``httpx.Client``."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        token_uri: str = "",
        observer: Observer | None = None,
        timeout: float | None = None,
    ) -> None:
        self._client = client
        self._token_uri = token_uri
        self._observer = observer
        self._timeout = timeout
        self.last_status: int | None = None
        self.last_body: Any = None

    def _observe(self, operation: str, outcome: str) -> None:
        if self._observer is not None:
            self._observer(operation, outcome)

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> google_transport.Response:
        """Make one HTTP request for google-auth."""
        return self._request(url, method, body, headers, timeout)

    def _request(
        self, url: str, method: str, body: bytes | None, headers: Mapping[str, str] | None, timeout: float | None
    ) -> google_transport.Response:
        """One exchange: counted, remembered, 429 and 5xx raised as :class:`RetryableStatus`."""
        operation = operation_for(url, self._token_uri)
        chosen = timeout if timeout is not None else self._timeout
        try:
            response = self._client.request(
                method,
                url,
                content=body,
                headers=dict(headers or {}),
                timeout=chosen if chosen is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            self._observe(operation, "timeout")
            raise exceptions.TransportError(f"{operation} timed out") from exc  # type: ignore[no-untyped-call]
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            self._observe(operation, "transport_error")
            raise exceptions.TransportError(f"{operation} failed: {type(exc).__name__}") from exc  # type: ignore[no-untyped-call]
        self._observe(operation, str(response.status_code))
        self.last_status = response.status_code
        self.last_body = parse_body(response.content)
        if response.status_code in RETRYABLE_STATUSES:
            raise RetryableStatus(operation, response.status_code, response.headers.get("Retry-After"))
        return _Response(response)
