"""Google Calendar v3 under ``/calendar/v3``: events, calendars, calendar list, ACL, settings,
free/busy, colors, watches and push, plus the Calendar part of the control plane."""

from __future__ import annotations
