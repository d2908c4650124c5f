"""``GoogleGmail``: Gmail v1 ``users.settings.getVacation`` as one delegated user (``vacation.py`` maps it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from shared.adapters.google.http import Delegation, GoogleHttp

GMAIL_SCOPE = "https://www.googleapis.com/auth/gmail.settings.basic"


class GoogleGmail:
    """Gmail settings through :class:`GoogleHttp`."""

    def __init__(self, http: GoogleHttp, who: Delegation, base_url: str) -> None:
        self._http = http
        self.who = who
        self._base = base_url.rstrip("/")

    @property
    def subject(self) -> str:
        """The delegated user."""
        return self.who.subject

    def get_vacation(self, user_id: str = "me") -> Mapping[str, Any]:
        """``users.settings.getVacation``: the user's ``VacationSettings`` resource."""
        url = f"{self._base}/users/{quote(user_id, safe='@')}/settings/vacation"
        answer = self._http.call("gmail.users.settings.getVacation", self.who, "GET", url)
        return dict(answer or {})
