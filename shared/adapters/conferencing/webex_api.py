"""Webex Meetings REST provider: one scheduled Webex meeting per keyworded event.

Creates the meeting on first use, updates it when the event moves or is renamed (the
reference ``webex:<id>`` is kept in the event's private properties), and deletes it when the
keyword goes or the event is cancelled. Each org brings its own Webex access token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal
from shared.errors import InvalidInput, NotFound, RateLimited, Unauthenticated, Unavailable

if TYPE_CHECKING:
    import httpx

PREFIX = "webex:"


class WebexApiProvider:
    """ConferencingProvider on the Webex Meetings REST API."""

    name = "webex_api"

    def __init__(self, http: Callable[[], httpx.Client], base_url: str, token_for: Callable[[Org], str | None]) -> None:
        """``http()`` gives the pooled HTTP client (asked on the first call, so wiring builds none)."""
        self._http, self._base, self._token_for = http, base_url.rstrip("/"), token_for

    def _call(self, org: Org, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = self._token_for(org)
        if not token:
            raise InvalidInput("this org has no Webex access token: set webex_access_token on the org")
        import httpx

        try:
            response = self._http().request(
                method, f"{self._base}{path}", json=body, timeout=30, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise Unavailable(f"Webex did not answer: {type(exc).__name__}") from exc
        if response.status_code == 401:
            raise Unauthenticated("Webex refused the org's access token")
        if response.status_code == 404:
            raise NotFound("no such Webex meeting")
        if response.status_code == 429:
            raise RateLimited("Webex rate limit", retry_after=float(response.headers.get("Retry-After", "1") or 1))
        if response.status_code >= 500:
            raise Unavailable(f"Webex answered {response.status_code}")
        if response.status_code >= 400:
            raise InvalidInput(f"Webex answered {response.status_code}")
        return response.json() if response.content else {}

    @staticmethod
    def _details(answer: dict[str, Any]) -> JoinDetails:
        number = str(answer.get("meetingNumber", ""))
        pretty = f"{number[:4]} {number[4:7]} {number[7:]}" if len(number) >= 9 else number or None
        return JoinDetails(
            provider=WebexApiProvider.name,
            reference=f"{PREFIX}{answer['id']}",
            join_url=str(answer["webLink"]),
            sip_uri=f"sip:{answer['sipAddress']}" if answer.get("sipAddress") else None,
            meeting_number=pretty,
        )

    def join_details(
        self, org: Org, organizer: Principal, meeting: Meeting, action: str, existing_ref: str | None
    ) -> JoinDetails:
        """Create the Webex meeting, or update the one the event already has."""
        body = {
            "title": meeting.title or "Meeting",
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "timezone": meeting.time_zone or "UTC",
            "hostEmail": organizer.email,
            "siteUrl": org.webex_site,
        }
        if existing_ref and existing_ref.startswith(PREFIX):
            try:
                return self._details(self._call(org, "PUT", f"/meetings/{existing_ref[len(PREFIX) :]}", body))
            except NotFound:
                pass
        return self._details(self._call(org, "POST", "/meetings", body))

    def release(self, org: Org, organizer: Principal, meeting_ref: str) -> None:
        """Delete the Webex meeting (already gone counts as released)."""
        if not meeting_ref.startswith(PREFIX):
            return
        try:
            self._call(org, "DELETE", f"/meetings/{meeting_ref[len(PREFIX) :]}")
        except NotFound:
            return
